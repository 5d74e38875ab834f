/**
 * Funnel metrics over timelines. Pure and deterministic: the same timelines, definition and report time
 * give the same report. Every metric is defined in docs/funnel-metrics.md; the vectors in
 * src/history/vectors/ pin them down.
 *
 * Leads and lead-less deals are two populations, computed apart and never added together. The unit of
 * counting is the funnel pass: a lead enters at creation and again each time it leaves Recycled.
 */
import {
  DEFAULT_OPPORTUNITY_STAGES,
  LEAD_STAGES,
  type ChannelMetrics,
  type ChannelTrend,
  type CohortGrain,
  type CohortMetrics,
  type DropOff,
  type DropReason,
  type FunnelDefinition,
  type FunnelReport,
  type FunnelTimeline,
  type Money,
  type OpportunityStageInfo,
  type PopulationMetrics,
  type Rate,
  type StageDuration,
  type StageVisit,
  type SubjectKind,
  type TrendPoint
} from './types';

const DAY_MS = 86_400_000;
const SQL_INDEX = LEAD_STAGES.indexOf('SQL');

export function rateOf(count: number, n: number): Rate {
  return { count, n, rate: n === 0 ? null : count / n };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function cohortKey(date: Date, grain: CohortGrain): string {
  const year = date.getUTCFullYear();
  if (grain === 'year') return String(year);
  if (grain === 'quarter') return `${year}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
  return `${year}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The funnel order for a definition: lead stages, the org's open opportunity stages, the won stage. */
export interface StageOrder {
  stages: string[];
  /** Index of the first opportunity stage (= LEAD_STAGES.length). */
  firstOpportunity: number;
  won: number;
  indexOf(visit: Pick<StageVisit, 'stage' | 'kind'>): number | null;
}

export function stageOrder(opportunityStages: readonly OpportunityStageInfo[], visited: ReadonlySet<string> = new Set()): StageOrder {
  const sorted = [...opportunityStages].sort((a, b) => a.sortOrder - b.sortOrder);
  // Inactive stages stay in the order only when some history still uses them.
  const open = sorted.filter((s) => !s.isClosed && (s.isActive || visited.has(s.name))).map((s) => s.name);
  const wonLabel = sorted.find((s) => s.isWon)?.name ?? 'Closed Won';
  const stages = [...LEAD_STAGES, ...open, wonLabel];
  const firstOpportunity = LEAD_STAGES.length;
  const won = stages.length - 1;
  const openIndex = new Map(open.map((name, i) => [name, firstOpportunity + i]));
  return {
    stages,
    firstOpportunity,
    won,
    indexOf(visit) {
      switch (visit.kind) {
        case 'lead':
          return LEAD_STAGES.indexOf(visit.stage as (typeof LEAD_STAGES)[number]);
        case 'opportunity':
          // A stage the org no longer lists still proves the pass reached the opportunity part of the funnel.
          return openIndex.get(visit.stage) ?? firstOpportunity;
        case 'won':
          return won;
        default:
          return null;
      }
    }
  };
}

/** One pass of a subject through the funnel. */
export interface Pass {
  timeline: FunnelTimeline;
  /** 0 for the first pass, 1 after the first re-entry, ... */
  index: number;
  enteredAt: Date;
  visits: StageVisit[];
  /** High-water mark: furthest index in the stage order reached in this pass. */
  highWater: number;
  outcome: 'won' | 'lost' | 'recycled' | 'open';
}

/** Splits a timeline into passes: Recycled ends a lead's pass, leaving Recycled starts the next one. */
export function passesOf(timeline: FunnelTimeline, order: StageOrder): Pass[] {
  const passes: Pass[] = [];
  let current: Pass | null = null;
  const floor = timeline.kind === 'lead' ? 0 : order.firstOpportunity;
  for (const visit of timeline.visits) {
    if (!current) {
      current = { timeline, index: passes.length, enteredAt: visit.enteredAt, visits: [], highWater: floor, outcome: 'open' };
      passes.push(current);
    }
    current.visits.push(visit);
    const idx = order.indexOf(visit);
    if (idx !== null && idx > current.highWater) current.highWater = idx;
    if (visit.kind === 'recycled') {
      current.outcome = 'recycled';
      current = null;
    }
  }
  for (const pass of passes) {
    if (pass.outcome === 'recycled') continue;
    const last = pass.visits[pass.visits.length - 1]!;
    pass.outcome = pass.highWater === order.won ? 'won' : last.kind === 'lost' ? 'lost' : 'open';
  }
  return passes;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function money(timelines: readonly FunnelTimeline[], currency: string | null): { pipeline: Money; won: Money } {
  let pipeline = 0;
  let won = 0;
  for (const t of timelines) {
    if (t.amount === null || t.opportunityId === null) continue;
    if (t.won) won += t.amount;
    else if (!t.lost) pipeline += t.amount;
  }
  return { pipeline: { amount: pipeline, currency }, won: { amount: won, currency } };
}

const distinctTimelines = (passes: readonly Pass[]) => [...new Set(passes.map((p) => p.timeline))];

function leadToSql(passes: readonly Pass[], kind: SubjectKind): Rate {
  return kind === 'lead' ? rateOf(passes.filter((p) => p.highWater >= SQL_INDEX).length, passes.length) : rateOf(0, 0);
}

function leadToSale(passes: readonly Pass[], order: StageOrder): Rate {
  return rateOf(passes.filter((p) => p.highWater >= order.won).length, passes.length);
}

function days(values: number[]) {
  return { n: values.length, medianDays: median(values), p90Days: percentile(values, 90) };
}

function dropOff(passes: readonly Pass[], order: StageOrder, now: Date, stallDays: number, stages: readonly string[]) {
  const dropped: { pass: Pass; reason: DropReason }[] = [];
  let inProgress = 0;
  for (const pass of passes) {
    if (pass.outcome === 'won') continue;
    if (pass.outcome === 'recycled' || pass.outcome === 'lost') {
      dropped.push({ pass, reason: pass.outcome });
      continue;
    }
    const last = pass.visits[pass.visits.length - 1]!;
    // Open deals are in the pipeline, not dropped; a lead pass is dropped once it stops moving.
    const stalled = last.kind !== 'opportunity' && now.getTime() - last.enteredAt.getTime() >= stallDays * DAY_MS;
    if (stalled) dropped.push({ pass, reason: 'stalled' });
    else inProgress++;
  }
  const rows: DropOff[] = stages.slice(0, -1).map((stage) => {
    const here = dropped.filter((d) => order.stages[d.pass.highWater] === stage);
    const byReason = { recycled: 0, lost: 0, stalled: 0 };
    for (const d of here) byReason[d.reason]++;
    return { stage, count: here.length, byReason, share: dropped.length === 0 ? null : here.length / dropped.length };
  });
  return { rows, inProgress };
}

/** Where a stage sorts in time in stage: funnel order, Recycled after the lead stages, closed stages last. */
function durationOrder(order: StageOrder, stage: string, kind: StageVisit['kind'], firstSeen: number): number {
  if (kind === 'recycled') return LEAD_STAGES.length - 0.5;
  if (kind === 'won') return order.won + 0.25;
  if (kind === 'lost') return order.won + 0.5;
  const idx = order.stages.indexOf(stage);
  // Stages the org no longer lists: after the listed open ones, in the order they were first entered.
  return idx >= 0 && idx < order.won ? idx : order.won - 0.5 + firstSeen / 1e15;
}

function timeInStage(passes: readonly Pass[], order: StageOrder, now: Date): StageDuration[] {
  const byStage = new Map<string, { kind: StageVisit['kind']; first: number; values: number[]; open: number; untimed: number; visits: number }>();
  for (const pass of passes) {
    for (const v of pass.visits) {
      let entry = byStage.get(v.stage);
      if (!entry) {
        entry = { kind: v.kind, first: v.enteredAt.getTime(), values: [], open: 0, untimed: 0, visits: 0 };
        byStage.set(v.stage, entry);
      }
      entry.first = Math.min(entry.first, v.enteredAt.getTime());
      entry.visits++;
      // Closed stages are where a deal ends, not a stage it spends time in.
      if (v.kind === 'won' || v.kind === 'lost') continue;
      if (!v.timed) {
        entry.untimed++;
        continue;
      }
      if (!v.exitedAt) entry.open++;
      const end = v.exitedAt ?? now;
      entry.values.push(Math.max(0, end.getTime() - v.enteredAt.getTime()) / DAY_MS);
    }
  }
  return [...byStage]
    .sort(([a, x], [b, y]) => durationOrder(order, a, x.kind, x.first) - durationOrder(order, b, y.kind, y.first))
    .map(([stage, e]) => ({
      stage,
      kind: e.kind,
      // Closed stages are listed with their visit count but never measured.
      visits: e.kind === 'won' || e.kind === 'lost' ? e.visits : e.values.length,
      openVisits: e.open,
      untimedVisits: e.untimed,
      medianDays: median(e.values),
      p90Days: percentile(e.values, 90)
    }));
}

function cohorts(passes: readonly Pass[], order: StageOrder, now: Date, kind: SubjectKind): CohortMetrics[] {
  const result: CohortMetrics[] = [];
  for (const grain of ['month', 'quarter', 'year'] as const) {
    const current = cohortKey(now, grain);
    const groups = [...groupBy(passes, (p) => cohortKey(p.enteredAt, grain))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [cohort, group] of groups) {
      const sql = leadToSql(group, kind);
      const sale = leadToSale(group, order);
      result.push({
        grain,
        cohort,
        partial: cohort === current,
        passes: group.length,
        sql: kind === 'lead' ? sql.count : 0,
        customers: sale.count,
        leadToSql: sql,
        leadToSale: sale
      });
    }
  }
  return result;
}

function channels(passes: readonly Pass[], order: StageOrder, kind: SubjectKind, currency: string | null): ChannelMetrics[] {
  return [...groupBy(passes, (p) => p.timeline.channel)]
    .map(([channel, group]) => ({
      channel,
      passes: group.length,
      leadToSql: leadToSql(group, kind),
      leadToSale: leadToSale(group, order),
      ...money(distinctTimelines(group), currency)
    }))
    .sort((a, b) => b.passes - a.passes || (a.channel < b.channel ? -1 : 1));
}

function population(
  timelines: readonly FunnelTimeline[],
  kind: SubjectKind,
  order: StageOrder,
  now: Date,
  def: FunnelDefinition
): { metrics: PopulationMetrics; passes: Pass[] } {
  const subjects = timelines.filter((t) => t.kind === kind);
  const passes = subjects.flatMap((t) => passesOf(t, order));
  const stages = kind === 'lead' ? order.stages : order.stages.slice(order.firstOpportunity);
  const offset = kind === 'lead' ? 0 : order.firstOpportunity;
  const stageCounts = stages.map((stage, i) => ({
    stage,
    reached: passes.filter((p) => p.highWater >= i + offset).length,
    visited: passes.filter((p) => p.visits.some((v) => (i + offset === order.won ? v.kind === 'won' : v.stage === stage))).length
  }));
  const steps = stages.slice(0, -1).map((from, i) => ({
    from,
    to: stages[i + 1]!,
    rate: rateOf(stageCounts[i + 1]!.reached, stageCounts[i]!.reached)
  }));
  const won = passes.filter((p) => p.highWater >= order.won);
  const sqlPasses = passes.filter((p) => p.highWater >= SQL_INDEX);
  const drop = dropOff(passes, order, now, def.stallDays, stages);
  const metrics: PopulationMetrics = {
    subjects: subjects.length,
    passes: passes.length,
    stages: stageCounts,
    steps,
    recycled: kind === 'lead' ? rateOf(passes.filter((p) => p.outcome === 'recycled').length, passes.length) : rateOf(0, 0),
    leadToSql: leadToSql(passes, kind),
    leadToSale: leadToSale(passes, order),
    inProgress: drop.inProgress,
    dropOff: drop.rows,
    timeInStage: timeInStage(passes, order, now),
    velocity: {
      daysToWin: days(
        won.map((p) => (p.visits.find((v) => v.kind === 'won')!.enteredAt.getTime() - p.enteredAt.getTime()) / DAY_MS)
      ),
      daysToSql:
        kind === 'lead'
          ? days(
              sqlPasses.map((p) => {
                const at = p.visits.find((v) => (order.indexOf(v) ?? -1) >= SQL_INDEX)!;
                return (at.enteredAt.getTime() - p.enteredAt.getTime()) / DAY_MS;
              })
            )
          : null
    },
    ...money(subjects, def.currency),
    byChannel: channels(passes, order, kind, def.currency),
    byCohort: cohorts(passes, order, now, kind)
  };
  return { metrics, passes };
}

function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  const [ly, lm] = last.split('-').map(Number) as [number, number];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function trend(passes: readonly Pass[], order: StageOrder, now: Date): ChannelTrend[] {
  if (passes.length === 0) return [];
  const current = cohortKey(now, 'month');
  const firstMonth = passes.map((p) => cohortKey(p.enteredAt, 'month')).sort()[0]!;
  const months = monthsBetween(firstMonth, current > firstMonth ? current : firstMonth);
  const series = (channel: string, group: readonly Pass[]): ChannelTrend => {
    const byMonth = groupBy(group, (p) => cohortKey(p.enteredAt, 'month'));
    const points: TrendPoint[] = months.map((month) => {
      const inMonth = byMonth.get(month) ?? [];
      return { month, partial: month === current, leadToSql: leadToSql(inMonth, 'lead'), leadToSale: leadToSale(inMonth, order) };
    });
    return { channel, points };
  };
  const byChannel = [...groupBy(passes, (p) => p.timeline.channel)].sort(
    ([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1)
  );
  return [series('All channels', passes), ...byChannel.map(([channel, group]) => series(channel, group))];
}

export function computeFunnelReport(
  timelines: readonly FunnelTimeline[],
  now: Date = new Date(),
  definition: Partial<FunnelDefinition> = {}
): FunnelReport {
  const currency = definition.currency ?? timelines.find((t) => t.currency)?.currency ?? null;
  const def: FunnelDefinition = {
    opportunityStages: definition.opportunityStages ?? DEFAULT_OPPORTUNITY_STAGES,
    currency,
    stallDays: definition.stallDays ?? 30
  };
  const visited = new Set(timelines.flatMap((t) => t.visits.map((v) => v.stage)));
  const order = stageOrder(def.opportunityStages, visited);
  const leads = population(timelines, 'lead', order, now, def);
  const deals = population(timelines, 'deal', order, now, def);
  return {
    generatedAt: now.toISOString(),
    subjects: timelines.length,
    currency,
    stageOrder: order.stages,
    stallDays: def.stallDays,
    leads: leads.metrics,
    deals: deals.metrics,
    trend: trend(leads.passes, order, now)
  };
}

