/**
 * Runs the funnel spec's test vectors (src/history/vectors/funnel-vectors.json, rules in docs/funnel-metrics.md)
 * through the timeline builder and the report: expected timelines and metrics, and the same result whatever
 * the order and ids of the history rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { computeFunnelReport, DEFAULT_OPPORTUNITY_STAGES, type FunnelReport } from '../reports';
import { buildTimelinesFrom, type TimelineSources, type TimelineSubject } from './timeline';

const iso = z.string().transform((v) => new Date(v));
const vectorSchema = z.object({
  name: z.string(),
  rule: z.string(),
  now: iso,
  currency: z.string().optional(),
  opportunityStages: z
    .array(
      z.object({
        name: z.string(),
        sortOrder: z.number(),
        isClosed: z.boolean().default(false),
        isWon: z.boolean().default(false),
        isActive: z.boolean().default(true)
      })
    )
    .optional(),
  leads: z
    .array(
      z.object({
        id: z.string(),
        created: iso,
        source: z.string().nullable().default(null),
        status: z.string().nullable().default('Open - Not Contacted'),
        stage: z.string().nullable().default('Name'),
        converted: z.boolean().default(false),
        opportunity: z.string().nullable().default(null),
        deleted: z.boolean().default(false),
        master: z.string().nullable().default(null)
      })
    )
    .default([]),
  leadHistory: z.array(z.tuple([z.string(), z.string(), z.string().nullable(), z.string().nullable(), iso])).default([]),
  opportunities: z
    .array(
      z.object({
        id: z.string(),
        created: iso,
        stage: z.string(),
        amount: z.number().nullable().default(null),
        source: z.string().nullable().default(null),
        closed: z.boolean().default(false),
        won: z.boolean().default(false)
      })
    )
    .default([]),
  opportunityHistory: z.array(z.tuple([z.string(), z.string(), iso])).default([]),
  expect: z.object({
    timelines: z.record(z.string(), z.array(z.string())).default({}),
    metrics: z.record(z.string(), z.unknown()).default({})
  })
});
const fileSchema = z.object({
  spec: z.string(),
  statusStages: z.record(z.string(), z.string()),
  vectors: z.array(vectorSchema).min(1)
});

const file = fileSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, 'vectors', 'funnel-vectors.json'), 'utf8')));
type Vector = z.infer<typeof vectorSchema>;

/** Sources for a vector; `reversed` hands the history rows over in reverse order with reversed row ids. */
function sourcesOf(v: Vector, reversed: boolean): TimelineSources {
  const order = <T>(rows: T[]) => (reversed ? [...rows].reverse() : rows);
  const id = (prefix: string, i: number, total: number) => `${prefix}${String(reversed ? total - i : i).padStart(12, '0')}`;
  return {
    leads: v.leads.map((l) => ({
      id: l.id, createdDate: l.created, leadSource: l.source, status: l.status, funnelStage: l.stage, isConverted: l.converted,
      convertedOpportunityId: l.opportunity, convertedContactId: null, isDeleted: l.deleted, masterRecordId: l.master
    })),
    leadHistory: order(
      v.leadHistory.map(([leadId, field, oldValue, newValue, createdDate], i) => ({
        id: id('017', i, v.leadHistory.length), leadId, field, oldValue, newValue, createdDate
      }))
    ),
    opportunities: v.opportunities.map((o) => ({
      id: o.id, createdDate: o.created, stageName: o.stage, amount: o.amount, isClosed: o.closed, isWon: o.won, leadSource: o.source,
      isDeleted: false
    })),
    opportunityHistory: order(
      v.opportunityHistory.map(([opportunityId, stageName, createdDate], i) => ({
        id: id('008', i, v.opportunityHistory.length), opportunityId, stageName, createdDate
      }))
    )
  };
}

function run(v: Vector, reversed: boolean): { timelines: TimelineSubject[]; report: FunnelReport } {
  const opportunityStages = v.opportunityStages ?? DEFAULT_OPPORTUNITY_STAGES;
  const timelines = buildTimelinesFrom(sourcesOf(v, reversed), {
    statusStages: file.statusStages,
    opportunityStages,
    currency: v.currency ?? null
  });
  return { timelines, report: computeFunnelReport(timelines, v.now, { opportunityStages, currency: v.currency ?? null }) };
}

const visitText = (t: TimelineSubject) =>
  t.visits.map((x) => `${x.stage}@${x.enteredAt.toISOString().replace('.000Z', 'Z')}${x.timed ? '' : '~'}`);

/** Keys an array element can be addressed by in a path: `stages[SQL]`, `byCohort[month:2026-01]`, `points[2026-06]`. */
function matches(item: unknown, key: string): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const o = item as Record<string, unknown>;
  if (o.grain !== undefined && `${String(o.grain)}:${String(o.cohort)}` === key) return true;
  return ['stage', 'channel', 'month', 'from'].some((k) => o[k] === key);
}

/** Value at a path like `leads.byCohort[month:2026-01].leadToSql`; undefined when an element is missing. */
function at(root: unknown, pathText: string): unknown {
  let value: unknown = root;
  for (const segment of pathText.match(/[^.[\]]+(\[[^\]]+\])?/g) ?? []) {
    const m = /^([^[]+)(?:\[(.+)\])?$/.exec(segment)!;
    value = (value as Record<string, unknown> | undefined)?.[m[1]!];
    if (m[2] !== undefined) value = Array.isArray(value) ? value.find((item) => matches(item, m[2]!)) : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

function expectValue(actual: unknown, expected: unknown, where: string): void {
  if (expected === null) {
    // null: the element does not exist, or the value is null.
    expect({ where, actual: actual ?? null }).toEqual({ where, actual: null });
  } else if (Array.isArray(expected) && expected.length === 2 && expected.every((x) => typeof x === 'number')) {
    const r = actual as { count: number; n: number } | undefined;
    expect({ where, rate: r ? [r.count, r.n] : actual }).toEqual({ where, rate: expected });
  } else if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    expect({ where, value: Math.round((actual as number) * 1e6) / 1e6 }).toEqual({ where, value: expected });
  } else {
    expect({ where, value: actual }).toEqual({ where, value: expected });
  }
}

describe.each(file.vectors.map((v) => [`${v.rule}: ${v.name}`, v] as const))('funnel vector %s', (_title, v) => {
  const forward = run(v, false);

  it('should build the expected timelines', () => {
    for (const [key, expected] of Object.entries(v.expect.timelines)) {
      const t = forward.timelines.find((x) => x.key === key);
      expect({ key, visits: t ? visitText(t) : 'missing' }).toEqual({ key, visits: expected });
    }
  });

  it('should compute the expected metrics', () => {
    for (const [where, expected] of Object.entries(v.expect.metrics)) expectValue(at(forward.report, where), expected, where);
  });

  it('should not depend on the order or the ids of history rows', () => {
    const reversed = run(v, true);
    expect(reversed.timelines.map(visitText)).toEqual(forward.timelines.map(visitText));
    expect(reversed.report).toEqual(forward.report);
  });
});

describe('funnel vectors file', () => {
  it('should cover every rule the spec names', () => {
    const rules = new Set(file.vectors.map((v) => v.rule));
    for (const rule of [
      'reached-vs-visited', 'simultaneous-changes', 'backward-moves', 'recycles-and-re-entries', 'conversions',
      'lead-less-opportunities', 'merges', 'backfill-stamps', 'funnel-order', 'partial-cohorts', 'drop-off'
    ]) {
      expect(rules).toContain(rule);
    }
  });
});
