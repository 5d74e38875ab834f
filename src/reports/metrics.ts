/**
 * Funnel metrics over timelines. Pure and deterministic: the same timelines give the same report.
 *
 * Definitions (documented in docs/history.md):
 * - A subject "reached" a funnel stage when its furthest funnel stage is at or after it: skipping a
 *   stage (e.g. converted straight from MQL to Opportunity) counts as passing through it.
 * - Step conversion from A to the next stage B = reached(B) / reached(A) over the same subjects.
 * - Time in stage uses completed visits only (entered and exited); median is the usual median
 *   (mean of the two middle values for an even count); p90 is nearest-rank.
 * - Velocity: days from funnel entry (lead created) to entering Customer, over won subjects.
 * - Drop-off: for subjects that are not customers, how many stopped at each furthest stage.
 */
import {
  FUNNEL_STAGES,
  type ChannelMetrics,
  type CohortGrain,
  type CohortMetrics,
  type DropOff,
  type FunnelReport,
  type FunnelStage,
  type FunnelTimeline,
  type StageDuration,
  type StepConversion
} from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const STAGE_INDEX = new Map<string, number>(FUNNEL_STAGES.map((s, i) => [s, i]));

/** Index in FUNNEL_STAGES of the furthest funnel stage the subject reached, or -1. */
export function furthestStageIndex(timeline: Pick<FunnelTimeline, 'visits' | 'won'>): number {
  let furthest = -1;
  for (const visit of timeline.visits) {
    const idx = STAGE_INDEX.get(visit.funnelStage);
    if (idx !== undefined && idx > furthest) furthest = idx;
  }
  if (timeline.won) furthest = FUNNEL_STAGES.length - 1;
  return furthest;
}

export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
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

function stepConversions(furthest: readonly number[]): StepConversion[] {
  const steps: StepConversion[] = [];
  for (let i = 0; i < FUNNEL_STAGES.length - 1; i++) {
    const reached = furthest.filter((f) => f >= i).length;
    const converted = furthest.filter((f) => f >= i + 1).length;
    steps.push({ from: FUNNEL_STAGES[i]!, to: FUNNEL_STAGES[i + 1]!, reached, converted, rate: rate(converted, reached) });
  }
  return steps;
}

const SQL_INDEX = STAGE_INDEX.get('SQL')!;
const CUSTOMER_INDEX = STAGE_INDEX.get('Customer')!;

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

function amounts(timelines: readonly FunnelTimeline[]): { pipelineAmount: number; wonAmount: number } {
  let pipelineAmount = 0;
  let wonAmount = 0;
  for (const t of timelines) {
    if (t.amount === null) continue;
    if (t.won) wonAmount += t.amount;
    else if (!t.lost) pipelineAmount += t.amount;
  }
  return { pipelineAmount, wonAmount };
}

function channelMetrics(timelines: readonly FunnelTimeline[]): ChannelMetrics[] {
  return [...groupBy(timelines, (t) => t.channel || '(none)')]
    .map(([channel, group]) => {
      const furthest = group.map(furthestStageIndex);
      const sql = furthest.filter((f) => f >= SQL_INDEX).length;
      const customers = furthest.filter((f) => f >= CUSTOMER_INDEX).length;
      return {
        channel,
        leads: group.length,
        sql,
        customers,
        leadToSqlRate: rate(sql, group.length),
        leadToSaleRate: rate(customers, group.length),
        ...amounts(group),
        steps: stepConversions(furthest)
      };
    })
    .sort((a, b) => b.leads - a.leads || a.channel.localeCompare(b.channel));
}

function cohortMetrics(timelines: readonly FunnelTimeline[]): CohortMetrics[] {
  const result: CohortMetrics[] = [];
  for (const grain of ['month', 'quarter', 'year'] as const) {
    const groups = [...groupBy(timelines, (t) => cohortKey(t.createdAt, grain))].sort(([a], [b]) => a.localeCompare(b));
    for (const [cohort, group] of groups) {
      const furthest = group.map(furthestStageIndex);
      const sql = furthest.filter((f) => f >= SQL_INDEX).length;
      const customers = furthest.filter((f) => f >= CUSTOMER_INDEX).length;
      result.push({
        grain,
        cohort,
        leads: group.length,
        sql,
        customers,
        leadToSqlRate: rate(sql, group.length),
        leadToSaleRate: rate(customers, group.length)
      });
    }
  }
  return result;
}

function timeInStage(timelines: readonly FunnelTimeline[]): StageDuration[] {
  const durations = new Map<string, number[]>();
  for (const t of timelines) {
    for (const v of t.visits) {
      if (!v.exitedAt) continue;
      const hours = (v.exitedAt.getTime() - v.enteredAt.getTime()) / HOUR_MS;
      if (hours < 0) continue;
      const list = durations.get(v.stage);
      if (list) list.push(hours);
      else durations.set(v.stage, [hours]);
    }
  }
  const order = (stage: string) => STAGE_INDEX.get(stage) ?? FUNNEL_STAGES.length;
  return [...durations]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([stage, hours]) => ({ stage, count: hours.length, medianHours: median(hours), p90Hours: percentile(hours, 90) }));
}

function velocity(timelines: readonly FunnelTimeline[]): FunnelReport['velocity'] {
  const days: number[] = [];
  for (const t of timelines) {
    if (!t.won) continue;
    const customer = t.visits.find((v) => v.funnelStage === 'Customer');
    if (customer) days.push((customer.enteredAt.getTime() - t.createdAt.getTime()) / DAY_MS);
  }
  return { wonCount: days.length, medianDaysToWin: median(days), p90DaysToWin: percentile(days, 90) };
}

function dropOff(timelines: readonly FunnelTimeline[]): DropOff[] {
  const notCustomers = timelines.map(furthestStageIndex).filter((f) => f >= 0 && f < CUSTOMER_INDEX);
  return FUNNEL_STAGES.slice(0, CUSTOMER_INDEX).map((stage, i) => {
    const count = notCustomers.filter((f) => f === i).length;
    return { stage, count, share: notCustomers.length === 0 ? 0 : count / notCustomers.length };
  });
}

export function computeFunnelReport(timelines: readonly FunnelTimeline[], now: Date = new Date()): FunnelReport {
  const furthest = timelines.map(furthestStageIndex);
  const reachedByStage = FUNNEL_STAGES.map((stage: FunnelStage, i) => ({
    stage,
    count: furthest.filter((f) => f >= i).length
  }));
  return {
    generatedAt: now.toISOString(),
    subjects: timelines.length,
    reachedByStage,
    steps: stepConversions(furthest),
    byChannel: channelMetrics(timelines),
    byCohort: cohortMetrics(timelines),
    timeInStage: timeInStage(timelines),
    velocity: velocity(timelines),
    dropOff: dropOff(timelines),
    totals: {
      leadToSqlRate: rate(furthest.filter((f) => f >= SQL_INDEX).length, timelines.length),
      leadToSaleRate: rate(furthest.filter((f) => f >= CUSTOMER_INDEX).length, timelines.length),
      ...amounts(timelines)
    }
  };
}
