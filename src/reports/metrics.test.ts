import { computeFunnelReport, median, percentile, passesOf, stageOrder } from './metrics';
import { DEFAULT_OPPORTUNITY_STAGES, type FunnelTimeline, type StageVisit } from './types';

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const visit = (stage: string, kind: StageVisit['kind'], from: string, to: string | null, timed = true): StageVisit => ({
  stage,
  kind,
  enteredAt: d(from),
  exitedAt: to ? d(to) : null,
  timed
});
const base = { contactId: null, amount: null, currency: null, won: false, lost: false, opportunityId: null };

// Known histories; every expected number below is worked out by hand in the comments.
const timelines: FunnelTimeline[] = [
  {
    ...base, key: 'T1', kind: 'lead', leadId: 'T1', opportunityId: 'O1', channel: 'Web', createdAt: d('2026-01-10'), amount: 1000, won: true,
    currency: 'EUR',
    visits: [
      visit('Name', 'lead', '2026-01-10', '2026-01-11'), // 1 d
      visit('MQL', 'lead', '2026-01-11', '2026-01-13'), // 2 d
      visit('SQL', 'lead', '2026-01-13', '2026-01-14'), // 1 d
      visit('Prospecting', 'opportunity', '2026-01-14', '2026-01-24'), // 10 d
      visit('Closed Won', 'won', '2026-01-24', null) // won 14 days after creation
    ]
  },
  {
    ...base, key: 'T2', kind: 'lead', leadId: 'T2', channel: 'Web', createdAt: d('2026-01-20'),
    visits: [visit('Name', 'lead', '2026-01-20', '2026-01-22'), visit('MQL', 'lead', '2026-01-22', null)] // MQL open since 01-22: 9 d at 01-31
  },
  {
    ...base, key: 'T3', kind: 'lead', leadId: 'T3', channel: 'Trade Show', createdAt: d('2026-01-05'),
    visits: [visit('Name', 'lead', '2026-01-05', '2026-01-06'), visit('Recycled', 'recycled', '2026-01-06', null)]
  },
  {
    ...base, key: 'D1', kind: 'deal', leadId: null, opportunityId: 'D1', channel: 'Web', createdAt: d('2026-01-02'), amount: 700, lost: true,
    visits: [visit('Prospecting', 'opportunity', '2026-01-02', '2026-01-04'), visit('Closed Lost', 'lost', '2026-01-04', null)]
  }
];

describe('computeFunnelReport', () => {
  const report = computeFunnelReport(timelines, d('2026-01-31'), { currency: 'EUR' });

  it('should keep lead-less deals out of the lead numbers', () => {
    expect([report.leads.subjects, report.leads.passes, report.deals.subjects]).toEqual([3, 3, 1]);
    expect(report.leads.leadToSql).toEqual({ count: 1, n: 3, rate: 1 / 3 });
    expect(report.leads.leadToSale).toEqual({ count: 1, n: 3, rate: 1 / 3 });
    expect(report.deals.leadToSale).toEqual({ count: 0, n: 1, rate: 0 });
  });

  it('should count reached (skips included) and visited apart', () => {
    const mql = report.leads.stages.find((s) => s.stage === 'MQL')!;
    const engaged = report.leads.stages.find((s) => s.stage === 'Engaged')!;
    expect(mql).toEqual({ stage: 'MQL', reached: 2, visited: 2 });
    expect(engaged).toEqual({ stage: 'Engaged', reached: 2, visited: 0 });
  });

  it('should put stages in funnel order: lead stages, then the org opportunity stages, then won', () => {
    expect(report.stageOrder.slice(0, 7)).toEqual(['Name', 'Engaged', 'Target', 'MQL', 'SAL', 'SQL', 'Prospecting']);
    expect(report.stageOrder.at(-1)).toBe('Closed Won');
  });

  it('should measure open visits up to the report time and list every visited stage', () => {
    expect(report.leads.timeInStage.map((x) => [x.stage, x.visits, x.openVisits, x.medianDays])).toEqual([
      ['Name', 3, 0, 1], // 1, 2, 1 days
      ['MQL', 2, 1, 5.5], // 2 d closed, 9 d open
      ['SQL', 1, 0, 1],
      ['Recycled', 1, 1, 25], // 01-06 -> 01-31
      ['Prospecting', 1, 0, 10],
      ['Closed Won', 1, 0, null]
    ]);
  });

  it('should count recycles and stalls as drop-off but not open or recent passes', () => {
    // T3 recycled from Name; T2 sits in MQL for 9 days (< 30): in progress.
    expect(report.leads.recycled).toEqual({ count: 1, n: 3, rate: 1 / 3 });
    expect(report.leads.inProgress).toBe(1);
    expect(report.leads.dropOff.filter((x) => x.count > 0)).toEqual([
      { stage: 'Name', count: 1, byReason: { recycled: 1, lost: 0, stalled: 0 }, share: 1 }
    ]);
  });

  it('should give velocity and money per population, with currency', () => {
    expect(report.leads.velocity.daysToWin).toEqual({ n: 1, medianDays: 14, p90Days: 14 });
    expect(report.leads.velocity.daysToSql).toEqual({ n: 1, medianDays: 3, p90Days: 3 });
    expect(report.leads.won).toEqual({ amount: 1000, currency: 'EUR' });
    expect(report.deals.pipeline).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('should give a monthly trend per channel with sample sizes', () => {
    const web = report.trend.find((t) => t.channel === 'Web')!;
    expect(web.points).toEqual([
      { month: '2026-01', partial: true, leadToSql: { count: 1, n: 2, rate: 0.5 }, leadToSale: { count: 1, n: 2, rate: 0.5 } }
    ]);
    expect(report.trend[0]!.channel).toBe('All channels');
  });

  it('should return null rates with n=0 for an empty funnel', () => {
    const empty = computeFunnelReport([], d('2026-05-01'));
    expect(empty.leads.leadToSale).toEqual({ count: 0, n: 0, rate: null });
    expect(empty.leads.steps.every((s) => s.rate.rate === null)).toBe(true);
  });
});

describe('passesOf', () => {
  it('should start a new pass when a lead leaves Recycled', () => {
    const order = stageOrder(DEFAULT_OPPORTUNITY_STAGES);
    const t: FunnelTimeline = {
      ...base, key: 'R', kind: 'lead', leadId: 'R', channel: 'Web', createdAt: d('2026-01-01'),
      visits: [
        visit('MQL', 'lead', '2026-01-01', '2026-01-05'),
        visit('Recycled', 'recycled', '2026-01-05', '2026-02-01'),
        visit('SAL', 'lead', '2026-02-01', null)
      ]
    };
    expect(passesOf(t, order).map((p) => [p.enteredAt.toISOString().slice(0, 10), order.stages[p.highWater], p.outcome])).toEqual([
      ['2026-01-01', 'MQL', 'recycled'],
      ['2026-02-01', 'SAL', 'open']
    ]);
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
