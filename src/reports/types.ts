/**
 * Input and output of the funnel reports. The history capability builds one FunnelTimeline per
 * person (lead) or lead-less deal from the org's stage history; reports only compute and render (pure, no I/O).
 * Every definition here is specified in docs/funnel-metrics.md.
 */

/** Lead funnel stages in funnel order (Funnel_Stage__c without the Recycled side stage). */
export const LEAD_STAGES = ['Name', 'Engaged', 'Target', 'MQL', 'SAL', 'SQL'] as const;
export const RECYCLED_STAGE = 'Recycled';

/**
 * The org's opportunity stages, as configured (OpportunityStage, in SortOrder: the order describe lists
 * StageName's picklist values in). Open stages follow SQL in the funnel; won stages end it.
 */
export interface OpportunityStageInfo {
  name: string;
  sortOrder: number;
  isClosed: boolean;
  isWon: boolean;
  isActive: boolean;
}

/** Salesforce's default stages, used until a sync has read the org's own (older stores, offline tests). */
export const DEFAULT_OPPORTUNITY_STAGES: readonly OpportunityStageInfo[] = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review'
]
  .map((name, i) => ({ name, sortOrder: i + 1, isClosed: false, isWon: false, isActive: true }))
  .concat([
    { name: 'Closed Won', sortOrder: 9, isClosed: true, isWon: true, isActive: true },
    { name: 'Closed Lost', sortOrder: 10, isClosed: true, isWon: false, isActive: true }
  ]);

export type VisitKind = 'lead' | 'recycled' | 'opportunity' | 'won' | 'lost';

export interface StageVisit {
  /** A lead stage (Name..SQL), Recycled, or an opportunity StageName. */
  stage: string;
  kind: VisitKind;
  enteredAt: Date;
  /** null while the subject is still in this stage. */
  exitedAt: Date | null;
  /**
   * false when the visit's entry or exit is not an observed move but a backfill stamp (Funnel_Stage__c
   * filled in for the first time on a lead that already existed): such visits are left out of time in stage.
   */
  timed: boolean;
}

export type SubjectKind = 'lead' | 'deal';

export interface FunnelTimeline {
  /** Stable key: the lead id, or the opportunity id for deals without a lead. */
  key: string;
  /** lead: a person who entered as a Lead (and maybe converted); deal: an Opportunity that never had a lead. */
  kind: SubjectKind;
  leadId: string | null;
  opportunityId: string | null;
  /** LeadSource (the lead's; the opportunity's for lead-less deals), '(none)' when blank. */
  channel: string;
  /** Lead or (lead-less) Opportunity CreatedDate. */
  createdAt: Date;
  /** Visits in chronological order, one entry per stage change (repeats collapsed). */
  visits: StageVisit[];
  /** Current Opportunity.Amount, null without an opportunity. */
  amount: number | null;
  /** ISO currency of `amount` (the org's currency), null when unknown. */
  currency: string | null;
  won: boolean;
  lost: boolean;
}

/** Stage order and org facts the metrics need. */
export interface FunnelDefinition {
  opportunityStages: readonly OpportunityStageInfo[];
  /** Org currency ISO code (Organization.DefaultCurrencyIsoCode), or null when unknown. */
  currency: string | null;
  /** An open lead pass with no stage change for this many days counts as dropped (stalled). */
  stallDays: number;
}

export type CohortGrain = 'month' | 'quarter' | 'year';

/** A rate always travels with its sample size. */
export interface Rate {
  /** Subjects that satisfied the condition. */
  count: number;
  /** Sample size: subjects the rate is taken over. */
  n: number;
  /** count / n, null when n is 0. */
  rate: number | null;
}

export interface StageCount {
  stage: string;
  /** Passes whose high-water mark is at or beyond this stage (skipped stages count as reached). */
  reached: number;
  /** Passes with at least one visit in this stage. */
  visited: number;
}

export interface StepConversion {
  from: string;
  to: string;
  /** converted = passes that reached `to` among the n that reached `from`. */
  rate: Rate;
}

export interface StageDuration {
  stage: string;
  kind: VisitKind;
  /** Visits measured (timed visits only; open ones measured up to the report time). Closed stages: visits. */
  visits: number;
  openVisits: number;
  /** Backfill-stamped visits left out of the measure. */
  untimedVisits: number;
  medianDays: number | null;
  p90Days: number | null;
}

export interface Money {
  amount: number;
  currency: string | null;
}

export interface ChannelMetrics {
  channel: string;
  /** Lead passes entering from this channel. */
  passes: number;
  leadToSql: Rate;
  leadToSale: Rate;
  pipeline: Money;
  won: Money;
}

export interface CohortMetrics {
  grain: CohortGrain;
  /** e.g. 2026-03, 2026-Q1, 2026 */
  cohort: string;
  /** The period is not over at report time: its numbers will still grow. */
  partial: boolean;
  passes: number;
  sql: number;
  customers: number;
  leadToSql: Rate;
  leadToSale: Rate;
}

export interface TrendPoint {
  month: string;
  partial: boolean;
  leadToSql: Rate;
  leadToSale: Rate;
}

export interface ChannelTrend {
  channel: string;
  points: TrendPoint[];
}

export type DropReason = 'recycled' | 'lost' | 'stalled';

export interface DropOff {
  /** Furthest stage (high-water mark) of passes that left the funnel there. */
  stage: string;
  count: number;
  byReason: Record<DropReason, number>;
  /** Share of all dropped passes. */
  share: number | null;
}

export interface Velocity {
  /** Days from pass entry to the won stage, over won passes. */
  daysToWin: { n: number; medianDays: number | null; p90Days: number | null };
  /** Days from pass entry to reaching SQL or beyond (leads only; null for deals). */
  daysToSql: { n: number; medianDays: number | null; p90Days: number | null } | null;
}

/** Metrics of one population: lead passes, or lead-less deals. Never mixed. */
export interface PopulationMetrics {
  /** Distinct people (leads) or deals. */
  subjects: number;
  /** Funnel passes (a recycled lead that re-enters makes a second pass). Every rate is over passes. */
  passes: number;
  stages: StageCount[];
  steps: StepConversion[];
  recycled: Rate;
  leadToSql: Rate;
  leadToSale: Rate;
  /** Open: still in progress at report time (open opportunity, or a lead pass that moved recently). */
  inProgress: number;
  dropOff: DropOff[];
  timeInStage: StageDuration[];
  velocity: Velocity;
  pipeline: Money;
  won: Money;
  byChannel: ChannelMetrics[];
  byCohort: CohortMetrics[];
}

export interface FunnelReport {
  generatedAt: string;
  /** Timelines in the report (leads + lead-less deals). */
  subjects: number;
  currency: string | null;
  /** Funnel order used: lead stages, then the org's open opportunity stages, then the won stage. */
  stageOrder: string[];
  stallDays: number;
  leads: PopulationMetrics;
  /** Opportunities created without a lead: their own source, never counted as leads. */
  deals: PopulationMetrics;
  /** Monthly lead to SQL and lead to sale per channel (leads only). */
  trend: ChannelTrend[];
}
