import { computeFunnelReport, median, percentile } from './metrics';
import type { FunnelTimeline, StageVisit } from './types';

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const visit = (stage: string, funnelStage: StageVisit['funnelStage'], from: string, to: string | null): StageVisit => ({
  stage,
  funnelStage,
  enteredAt: d(from),
  exitedAt: to ? d(to) : null
});

// Five known histories; every expected number below is worked out by hand in the comments.
const timelines: FunnelTimeline[] = [
  {
    key: 'T1', leadId: 'T1', opportunityId: 'O1', channel: 'Web', createdAt: d('2026-01-10'), amount: 1000, won: true, lost: false,
    visits: [
      visit('Name', 'Name', '2026-01-10', '2026-01-11'), // 24 h
      visit('MQL', 'MQL', '2026-01-11', '2026-01-13'), // 48 h
      visit('SQL', 'SQL', '2026-01-13', '2026-01-14'), // 24 h
      visit('Prospecting', 'Opportunity', '2026-01-14', '2026-01-24'), // 240 h
      visit('Closed Won', 'Customer', '2026-01-24', null) // won 14 days after creation
    ]
  },
  {
    key: 'T2', leadId: 'T2', opportunityId: null, channel: 'Web', createdAt: d('2026-01-20'), amount: null, won: false, lost: false,
    visits: [visit('Name', 'Name', '2026-01-20', '2026-01-22'), visit('MQL', 'MQL', '2026-01-22', null)] // Name 48 h
  },
  {
    key: 'T3', leadId: 'T3', opportunityId: 'O3', channel: 'Trade Show', createdAt: d('2026-02-05'), amount: 500, won: false, lost: false,
    visits: [
      visit('Name', 'Name', '2026-02-05', '2026-02-06'), // 24 h
      visit('SQL', 'SQL', '2026-02-06', '2026-02-08'), // 48 h
      visit('Prospecting', 'Opportunity', '2026-02-08', null)
    ]
  },
  {
    key: 'T4', leadId: 'T4', opportunityId: null, channel: 'Trade Show', createdAt: d('2026-04-01'), amount: null, won: false, lost: false,
    visits: [visit('Name', 'Name', '2026-04-01', '2026-04-02'), visit('Recycled', 'Recycled', '2026-04-02', null)] // 24 h
  },
  {
    key: 'T5', leadId: null, opportunityId: 'O5', channel: 'Web', createdAt: d('2026-04-15'), amount: 700, won: false, lost: true,
    visits: [
      visit('Prospecting', 'Opportunity', '2026-04-15', '2026-04-17'), // 48 h
      visit('Closed Lost', 'Closed Lost', '2026-04-17', null)
    ]
  }
];

describe('computeFunnelReport', () => {
  const report = computeFunnelReport(timelines, d('2026-05-01'));

  it('should count subjects that reached each stage when stages are skipped', () => {
    // furthest: T1 Customer, T2 MQL, T3 Opportunity, T4 Name, T5 Opportunity
    expect(report.reachedByStage.map((s) => s.count)).toEqual([5, 4, 4, 4, 3, 3, 3, 1]);
  });

  it('should compute stage-to-stage conversion rates', () => {
    expect(report.steps.map((s) => [s.from, s.to, s.reached, s.converted])).toEqual([
      ['Name', 'Engaged', 5, 4],
      ['Engaged', 'Target', 4, 4],
      ['Target', 'MQL', 4, 4],
      ['MQL', 'SAL', 4, 3],
      ['SAL', 'SQL', 3, 3],
      ['SQL', 'Opportunity', 3, 3],
      ['Opportunity', 'Customer', 3, 1]
    ]);
    expect(report.steps[3]!.rate).toBeCloseTo(0.75);
    expect(report.steps[6]!.rate).toBeCloseTo(1 / 3);
  });

  it('should compute lead->SQL and lead->sale rates and amounts', () => {
    expect(report.totals).toEqual({ leadToSqlRate: 0.6, leadToSaleRate: 0.2, pipelineAmount: 500, wonAmount: 1000 });
  });

  it('should break metrics down by channel, busiest first', () => {
    expect(report.byChannel.map((c) => [c.channel, c.leads, c.sql, c.customers, c.pipelineAmount, c.wonAmount])).toEqual([
      ['Web', 3, 2, 1, 0, 1000],
      ['Trade Show', 2, 1, 0, 500, 0]
    ]);
    expect(report.byChannel[0]!.leadToSaleRate).toBeCloseTo(1 / 3);
  });

  it('should compute cohorts by month, quarter and year', () => {
    const rows = report.byCohort.map((c) => [c.grain, c.cohort, c.leads, c.sql, c.customers]);
    expect(rows).toEqual([
      ['month', '2026-01', 2, 1, 1],
      ['month', '2026-02', 1, 1, 0],
      ['month', '2026-04', 2, 1, 0],
      ['quarter', '2026-Q1', 3, 2, 1],
      ['quarter', '2026-Q2', 2, 1, 0],
      ['year', '2026', 5, 3, 1]
    ]);
  });

  it('should compute time in stage median and p90 from completed visits', () => {
    expect(report.timeInStage).toEqual([
      { stage: 'Name', count: 4, medianHours: 24, p90Hours: 48 },
      { stage: 'MQL', count: 1, medianHours: 48, p90Hours: 48 },
      { stage: 'SQL', count: 2, medianHours: 36, p90Hours: 48 },
      { stage: 'Prospecting', count: 2, medianHours: 144, p90Hours: 240 }
    ]);
  });

  it('should compute velocity and drop-off', () => {
    expect(report.velocity).toEqual({ wonCount: 1, medianDaysToWin: 14, p90DaysToWin: 14 });
    expect(report.dropOff.filter((x) => x.count > 0)).toEqual([
      { stage: 'Name', count: 1, share: 0.25 },
      { stage: 'MQL', count: 1, share: 0.25 },
      { stage: 'Opportunity', count: 2, share: 0.5 }
    ]);
  });

  it('should return null rates for an empty funnel', () => {
    const empty = computeFunnelReport([], d('2026-05-01'));
    expect(empty.totals.leadToSaleRate).toBeNull();
    expect(empty.steps.every((s) => s.rate === null)).toBe(true);
  });
});

describe.each([
  [[], null, null],
  [[5], 5, 5],
  [[1, 2, 3, 4], 2.5, 4],
  [[10, 1, 7, 3, 9, 2, 8, 4, 6, 5], 5.5, 9]
])('median/percentile of %j', (values, expectedMedian, expectedP90) => {
  it('should match the hand-computed values', () => {
    expect(median(values)).toBe(expectedMedian);
    expect(percentile(values, 90)).toBe(expectedP90);
  });
});
