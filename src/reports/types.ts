/**
 * Input and output of the funnel reports. The history capability builds one FunnelTimeline per
 * person/deal from the org's stage history; reports only compute and render (pure, no I/O).
 */

/** Canonical funnel order. Opportunity stages sit between SQL and Customer as `Opportunity`. */
export const FUNNEL_STAGES = [
  'Name',
  'Engaged',
  'Target',
  'MQL',
  'SAL',
  'SQL',
  'Opportunity',
  'Customer'
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** Stages that are not steps forward: a lead can be recycled, a deal can be lost. */
export type SideStage = 'Recycled' | 'Closed Lost';

export interface StageVisit {
  /** A funnel stage, a side stage, or an opportunity stage name (e.g. 'Prospecting'). */
  stage: string;
  /** The funnel step this visit counts for (opportunity stages count as 'Opportunity'). */
  funnelStage: FunnelStage | SideStage;
  enteredAt: Date;
  /** null while the subject is still in this stage. */
  exitedAt: Date | null;
}

export interface FunnelTimeline {
  /** Stable key: the lead id, or the opportunity id for deals without a lead. */
  key: string;
  leadId: string | null;
  opportunityId: string | null;
  /** LeadSource / channel. */
  channel: string;
  /** When the subject entered the funnel (lead CreatedDate); cohorts are based on it. */
  createdAt: Date;
  /** Visits in chronological order. */
  visits: StageVisit[];
  /** Opportunity amount (pipeline), null when no opportunity. */
  amount: number | null;
  won: boolean;
  lost: boolean;
}

export type CohortGrain = 'month' | 'quarter' | 'year';

export interface StepConversion {
  from: FunnelStage;
  to: FunnelStage;
  /** Subjects that reached `from`. */
  reached: number;
  /** Of those, subjects that later reached `to` (or any stage after it). */
  converted: number;
  /** converted / reached, null when reached is 0. */
  rate: number | null;
}

export interface StageDuration {
  stage: string;
  /** Completed visits measured. */
  count: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface ChannelMetrics {
  channel: string;
  leads: number;
  sql: number;
  customers: number;
  leadToSqlRate: number | null;
  leadToSaleRate: number | null;
  pipelineAmount: number;
  wonAmount: number;
  steps: StepConversion[];
}

export interface CohortMetrics {
  grain: CohortGrain;
  /** e.g. 2026-03, 2026-Q1, 2026 */
  cohort: string;
  leads: number;
  sql: number;
  customers: number;
  leadToSqlRate: number | null;
  leadToSaleRate: number | null;
}

export interface DropOff {
  /** Furthest funnel stage reached by subjects that are not customers and are not moving any more. */
  stage: FunnelStage;
  count: number;
  share: number;
}

export interface FunnelReport {
  generatedAt: string;
  subjects: number;
  /** Subjects that reached each funnel stage (ever). */
  reachedByStage: { stage: FunnelStage; count: number }[];
  steps: StepConversion[];
  byChannel: ChannelMetrics[];
  byCohort: CohortMetrics[];
  timeInStage: StageDuration[];
  /** Median days from funnel entry to Customer, over won subjects. */
  velocity: { wonCount: number; medianDaysToWin: number | null; p90DaysToWin: number | null };
  dropOff: DropOff[];
  totals: { leadToSqlRate: number | null; leadToSaleRate: number | null; pipelineAmount: number; wonAmount: number };
}
