/**
 * Builds one funnel timeline per person (lead) or lead-less deal from the synced mirror tables.
 * The rules are the published spec docs/funnel-metrics.md; src/history/vectors/*.json are its test vectors.
 *
 * - A lead's stage comes from Funnel_Stage__c and from Status (mapped by `history.statusStages`).
 *   History rows saved at the same instant are ONE event: Funnel_Stage__c wins over Status, and the
 *   order of history row ids never matters (a save that sets both must not become a 0-hour visit).
 * - A Funnel_Stage__c change from blank is a backfill stamp (the field filled in on a lead that already
 *   existed, e.g. by the first qualify sweep after install): it tells the stage, not when it was reached, so
 *   the visits it opens and closes are marked untimed.
 * - After conversion the converted opportunity's stage history continues the same timeline; opportunities
 *   that never had a lead are their own subjects (kind 'deal'). Deleted and merged-away leads are dropped.
 */
import {
  DEFAULT_OPPORTUNITY_STAGES,
  LEAD_STAGES,
  RECYCLED_STAGE,
  type FunnelTimeline,
  type OpportunityStageInfo,
  type StageVisit,
  type VisitKind
} from '../reports';
import type { Queryable } from '../store/types';
import type { HistoryConfig } from './config';
import { readOrgFunnelMeta } from './org-meta';

export interface LeadRecord {
  id: string;
  createdDate: Date;
  leadSource: string | null;
  status: string | null;
  funnelStage: string | null;
  isConverted: boolean;
  convertedOpportunityId: string | null;
  convertedContactId: string | null;
  isDeleted: boolean;
  masterRecordId: string | null;
}
export interface LeadHistoryRecord {
  id: string;
  leadId: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  createdDate: Date;
}
export interface OpportunityRecord {
  id: string;
  createdDate: Date;
  stageName: string | null;
  amount: number | null;
  isClosed: boolean;
  isWon: boolean;
  leadSource: string | null;
  isDeleted: boolean;
}
export interface OpportunityHistoryRecord {
  id: string;
  opportunityId: string;
  stageName: string | null;
  createdDate: Date;
}

export interface TimelineSources {
  leads: LeadRecord[];
  leadHistory: LeadHistoryRecord[];
  opportunities: OpportunityRecord[];
  opportunityHistory: OpportunityHistoryRecord[];
}

export interface TimelineOptions {
  statusStages: Record<string, string>;
  opportunityStages?: readonly OpportunityStageInfo[];
  currency?: string | null;
}

export interface TimelineSubject extends FunnelTimeline {
  contactId: string | null;
}

const LEAD_STAGE_SET = new Set<string>([...LEAD_STAGES, RECYCLED_STAGE]);

interface StageEvent {
  at: Date;
  stage: string;
  kind: VisitKind;
  /** 0 = lead, 1 = opportunity: at the same instant the opportunity (later in the funnel) wins. */
  rank: number;
  /** Backfill stamp: the stage became known here, it was not entered here. */
  stamp: boolean;
}

/** Plain code-unit order: the store's `collate "C"`, so pages read in that order need no re-sort. */
const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v === '';

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

function leadKind(stage: string): VisitKind {
  return stage === RECYCLED_STAGE ? 'recycled' : 'lead';
}

function fromFunnelField(value: string | null): string | null {
  return value !== null && LEAD_STAGE_SET.has(value) ? value : null;
}

function fromStatus(value: string | null, statusStages: Record<string, string>): string | null {
  if (blank(value)) return null;
  const stage = statusStages[value!];
  return stage !== undefined && LEAD_STAGE_SET.has(stage) ? stage : null;
}

/**
 * The final value of one field among rows saved at the same instant: the new value no other row in the
 * group starts from (a chain A->B, B->C ends at C). Ties are broken by value, never by row id.
 */
function finalRow(rows: LeadHistoryRecord[]): LeadHistoryRecord {
  if (rows.length === 1) return rows[0]!;
  const olds = new Set(rows.map((r) => r.oldValue ?? ''));
  const ends = rows.filter((r) => !olds.has(r.newValue ?? ''));
  const pool = ends.length > 0 ? ends : rows;
  return [...pool].sort((a, b) => (a.newValue ?? '').localeCompare(b.newValue ?? ''))[0]!;
}

/** Stage events of one lead: creation, then one event per instant with a mapped stage. */
export function leadEvents(lead: LeadRecord, history: readonly LeadHistoryRecord[], statusStages: Record<string, string>): StageEvent[] {
  const rows = history.filter((h) => h.field === 'Funnel_Stage__c' || h.field === 'Status');
  const byTime = (a: LeadHistoryRecord, b: LeadHistoryRecord) => a.createdDate.getTime() - b.createdDate.getTime();
  const firstFunnel = rows.filter((r) => r.field === 'Funnel_Stage__c').sort(byTime)[0];
  const firstStatus = rows.filter((r) => r.field === 'Status').sort(byTime)[0];
  // The stage at creation: each field's value before its first recorded change, or its current value when it
  // never changed. Funnel_Stage__c is the more specific source; the mapped Status is the fallback.
  const initial =
    fromFunnelField(firstFunnel ? firstFunnel.oldValue : lead.funnelStage) ??
    fromStatus(firstStatus ? firstStatus.oldValue : lead.status, statusStages) ??
    'Name';
  const events: StageEvent[] = [{ at: lead.createdDate, stage: initial, kind: leadKind(initial), rank: 0, stamp: false }];
  const instants = [...groupBy(rows, (r) => r.createdDate.getTime())].sort(([a], [b]) => a - b);
  for (const [, group] of instants) {
    const funnelRows = group.filter((r) => r.field === 'Funnel_Stage__c');
    const statusRows = group.filter((r) => r.field === 'Status');
    const funnel = funnelRows.length > 0 ? finalRow(funnelRows) : undefined;
    const status = statusRows.length > 0 ? finalRow(statusRows) : undefined;
    const funnelStage = funnel ? fromFunnelField(funnel.newValue) : null;
    const stage = funnelStage ?? (status ? fromStatus(status.newValue, statusStages) : null);
    if (!stage) continue;
    const stamp = funnelStage !== null && blank(funnel!.oldValue);
    events.push({ at: group[0]!.createdDate, stage, kind: leadKind(stage), rank: 0, stamp });
  }
  return events;
}

function opportunityKind(
  stage: string,
  opp: OpportunityRecord,
  stages: ReadonlyMap<string, OpportunityStageInfo>
): VisitKind {
  const info = stages.get(stage);
  if (info) return info.isWon ? 'won' : info.isClosed ? 'lost' : 'opportunity';
  // A stage the org no longer lists: trust the record's own flags when it is the current stage.
  if (stage === opp.stageName && opp.isClosed) return opp.isWon ? 'won' : 'lost';
  return 'opportunity';
}

export function opportunityEvents(
  opp: OpportunityRecord,
  history: readonly OpportunityHistoryRecord[],
  stages: ReadonlyMap<string, OpportunityStageInfo>
): StageEvent[] {
  const rows = history.filter((h) => !blank(h.stageName));
  const events: StageEvent[] = [];
  const instants = [...groupBy(rows, (r) => r.createdDate.getTime())].sort(([a], [b]) => a - b);
  for (const [, group] of instants) {
    // Several rows at one instant: the stage furthest in the org's order wins (never the row id).
    const stage = [...group]
      .map((r) => r.stageName!)
      .sort((a, b) => (stages.get(b)?.sortOrder ?? -1) - (stages.get(a)?.sortOrder ?? -1) || a.localeCompare(b))[0]!;
    events.push({ at: group[0]!.createdDate, stage, kind: opportunityKind(stage, opp, stages), rank: 1, stamp: false });
  }
  if (events.length === 0 && opp.stageName) {
    events.push({ at: opp.createdDate, stage: opp.stageName, kind: opportunityKind(opp.stageName, opp, stages), rank: 1, stamp: false });
  }
  return events;
}

/**
 * Ordered events -> visits. Events at the same instant are one event (the highest rank, then the last
 * given, wins), consecutive repeats of a stage collapse, and each visit ends when the next one starts.
 */
export function toVisits(events: readonly StageEvent[]): StageVisit[] {
  const instants = [...groupBy(events, (e) => e.at.getTime())].sort(([a], [b]) => a - b);
  const visits: StageVisit[] = [];
  for (const [, group] of instants) {
    const maxRank = Math.max(...group.map((e) => e.rank));
    const e = group.filter((x) => x.rank === maxRank).at(-1)!;
    const last = visits[visits.length - 1];
    if (last && last.stage === e.stage) continue;
    if (last) {
      last.exitedAt = e.at;
      if (e.stamp) last.timed = false;
    }
    visits.push({ stage: e.stage, kind: e.kind, enteredAt: e.at, exitedAt: null, timed: !e.stamp });
  }
  return visits;
}

function stageMap(stages: readonly OpportunityStageInfo[]): Map<string, OpportunityStageInfo> {
  return new Map(stages.map((s) => [s.name, s]));
}

/** The pure builder: the same sources always give the same timelines, whatever the row order. */
export function buildTimelinesFrom(sources: TimelineSources, opts: TimelineOptions): TimelineSubject[] {
  const stages = stageMap(opts.opportunityStages ?? DEFAULT_OPPORTUNITY_STAGES);
  const currency = opts.currency ?? null;
  const leadHistory = groupBy(sources.leadHistory, (h) => h.leadId);
  const oppHistory = groupBy(sources.opportunityHistory, (h) => h.opportunityId);
  const opportunities = sources.opportunities.filter((o) => !o.isDeleted);
  const oppById = new Map(opportunities.map((o) => [o.id, o]));
  // An opportunity converted from any lead is that person's, never a lead-less deal.
  const claimed = new Set(sources.leads.map((l) => l.convertedOpportunityId).filter((id): id is string => !!id));
  const byCreation = <T extends { createdDate: Date; id: string }>(a: T, b: T) =>
    a.createdDate.getTime() - b.createdDate.getTime() || compareCodeUnits(a.id, b.id);

  const timelines: TimelineSubject[] = [];
  // Deleted leads, including the losers of a merge (IsDeleted with MasterRecordId), leave the funnel.
  for (const lead of sources.leads.filter((l) => !l.isDeleted).sort(byCreation)) {
    const events = leadEvents(lead, leadHistory.get(lead.id) ?? [], opts.statusStages);
    const opp = lead.convertedOpportunityId ? oppById.get(lead.convertedOpportunityId) : undefined;
    if (opp) events.push(...opportunityEvents(opp, oppHistory.get(opp.id) ?? [], stages));
    timelines.push({
      key: lead.id,
      kind: 'lead',
      leadId: lead.id,
      opportunityId: opp?.id ?? null,
      contactId: lead.convertedContactId,
      channel: blank(lead.leadSource) ? '(none)' : lead.leadSource!,
      createdAt: lead.createdDate,
      visits: toVisits(events),
      amount: opp?.amount ?? null,
      currency: opp ? currency : null,
      won: opp?.isWon ?? false,
      lost: opp ? opp.isClosed && !opp.isWon : false
    });
  }
  for (const opp of [...opportunities].sort(byCreation)) {
    if (claimed.has(opp.id)) continue;
    timelines.push({
      key: opp.id,
      kind: 'deal',
      leadId: null,
      opportunityId: opp.id,
      contactId: null,
      channel: blank(opp.leadSource) ? '(none)' : opp.leadSource!,
      createdAt: opp.createdDate,
      visits: toVisits(opportunityEvents(opp, oppHistory.get(opp.id) ?? [], stages)),
      amount: opp.amount,
      currency,
      won: opp.isWon,
      lost: opp.isClosed && !opp.isWon
    });
  }
  return timelines;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/**
 * Leads per read when building timelines from the store. The whole mirror in one result (1M history rows at the
 * bench's size) held every raw row at once, in PGlite's WebAssembly memory (which never shrinks) and again as JS
 * objects: the history and report commands peaked at 1.3-1.5 GB. Reading a page of leads with their history and
 * opportunities keeps the raw rows to one page; only the timelines themselves are kept.
 */
export const TIMELINE_READ_LEADS = 5_000;

type LeadRow = {
  id: string; created_date: Date; lead_source: string | null; status: string | null; funnel_stage: string | null;
  is_converted: boolean; converted_opportunity_id: string | null; converted_contact_id: string | null;
  is_deleted: boolean; master_record_id: string | null;
};
type OpportunityRow = {
  id: string; created_date: Date; stage_name: string | null; amount: string | number | null; is_closed: boolean;
  is_won: boolean; lead_source: string | null; is_deleted: boolean;
};
const OPPORTUNITY_SELECT = 'select id, created_date, stage_name, amount, is_closed, is_won, lead_source, is_deleted from hist_opportunity';

const toLead = (l: LeadRow): LeadRecord => ({
  id: l.id, createdDate: l.created_date, leadSource: l.lead_source, status: l.status, funnelStage: l.funnel_stage,
  isConverted: l.is_converted, convertedOpportunityId: l.converted_opportunity_id,
  convertedContactId: l.converted_contact_id, isDeleted: l.is_deleted, masterRecordId: l.master_record_id
});
const toOpportunity = (o: OpportunityRow): OpportunityRecord => ({
  id: o.id, createdDate: o.created_date, stageName: o.stage_name, amount: num(o.amount), isClosed: o.is_closed,
  isWon: o.is_won, leadSource: o.lead_source, isDeleted: o.is_deleted
});

async function leadHistoryOf(store: Queryable, leadIds: string[]): Promise<LeadHistoryRecord[]> {
  const rows = await store.query<{
    id: string; lead_id: string; field: string; old_value: string | null; new_value: string | null; created_date: Date;
  }>(
    `select id, lead_id, field, old_value, new_value, created_date from hist_lead_change
     where lead_id = any($1::text[]) and field in ('Status', 'Funnel_Stage__c')`,
    [leadIds]
  );
  return rows.map((h) => ({ id: h.id, leadId: h.lead_id, field: h.field, oldValue: h.old_value, newValue: h.new_value, createdDate: h.created_date }));
}

async function opportunityHistoryOf(store: Queryable, opportunityIds: string[]): Promise<OpportunityHistoryRecord[]> {
  if (opportunityIds.length === 0) return [];
  const rows = await store.query<{ id: string; opportunity_id: string; stage_name: string | null; created_date: Date }>(
    'select id, opportunity_id, stage_name, created_date from hist_opportunity_change where opportunity_id = any($1::text[])',
    [opportunityIds]
  );
  return rows.map((h) => ({ id: h.id, opportunityId: h.opportunity_id, stageName: h.stage_name, createdDate: h.created_date }));
}

/**
 * The rows of `select ... where <where>` a page at a time, in (created_date, id) order (the order
 * buildTimelinesFrom sorts by), each page read by keyset after the last row of the one before.
 */
async function* pagesInOrder<T extends { id: string; created_date: Date }>(
  store: Queryable,
  select: string,
  where: string,
  pageSize: number
): AsyncGenerator<T[]> {
  for (let after: T | undefined; ; ) {
    const params: unknown[] = [pageSize];
    let keyset = '';
    if (after) {
      params.push(after.created_date, after.id);
      keyset = ' and (created_date, id collate "C") > ($2, $3::text collate "C")';
    }
    const page = await store.query<T>(`${select} where ${where}${keyset} order by created_date, id collate "C" limit $1`, params);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1);
  }
}

/**
 * Reads the mirror tables and org facts from the store and builds the timelines, a page of leads at a time
 * (then a page of lead-less deals at a time), in the order buildTimelinesFrom gives.
 */
export async function buildTimelines(
  store: Queryable,
  config: Pick<HistoryConfig, 'statusStages'> & { currency?: string | null },
  { pageSize = TIMELINE_READ_LEADS }: { pageSize?: number } = {}
): Promise<TimelineSubject[]> {
  const meta = await readOrgFunnelMeta(store);
  const opts: TimelineOptions = {
    statusStages: config.statusStages,
    opportunityStages: meta.opportunityStages ?? undefined,
    currency: meta.currency ?? config.currency ?? null
  };
  const timelines: TimelineSubject[] = [];
  const leadSelect = `select id, created_date, lead_source, status, funnel_stage, is_converted, converted_opportunity_id,
                             converted_contact_id, is_deleted, master_record_id from hist_lead`;
  for await (const page of pagesInOrder<LeadRow>(store, leadSelect, 'not is_deleted', pageSize)) {
    const leads = page.map(toLead);
    const opportunityIds = [...new Set(leads.map((l) => l.convertedOpportunityId).filter((id): id is string => !!id))];
    const opportunities =
      opportunityIds.length === 0
        ? []
        : (await store.query<OpportunityRow>(`${OPPORTUNITY_SELECT} where id = any($1::text[]) and not is_deleted`, [opportunityIds])).map(toOpportunity);
    // Every opportunity read here is claimed by a lead of this page, so the builder gives lead timelines only.
    const built = buildTimelinesFrom(
      {
        leads,
        leadHistory: await leadHistoryOf(store, leads.map((l) => l.id)),
        opportunities,
        opportunityHistory: await opportunityHistoryOf(store, opportunities.map((o) => o.id))
      },
      opts
    );
    for (const t of built) timelines.push(t);
  }
  // Deals: opportunities no lead (deleted ones included, as in buildTimelinesFrom) was converted into.
  const unclaimed = 'not is_deleted and not exists (select 1 from hist_lead l where l.converted_opportunity_id = hist_opportunity.id)';
  for await (const page of pagesInOrder<OpportunityRow>(store, OPPORTUNITY_SELECT, unclaimed, pageSize)) {
    const opportunities = page.map(toOpportunity);
    const built = buildTimelinesFrom(
      { leads: [], leadHistory: [], opportunities, opportunityHistory: await opportunityHistoryOf(store, opportunities.map((o) => o.id)) },
      opts
    );
    for (const t of built) timelines.push(t);
  }
  return timelines;
}
