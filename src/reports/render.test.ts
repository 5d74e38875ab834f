import { parse } from 'csv-parse/sync';
import { escapeCsvCell, escapeHtml } from './escape';
import { computeFunnelReport } from './metrics';
import { renderCsv, renderHtml, renderTerminal } from './render';
import type { FunnelTimeline } from './types';

const at = (iso: string) => new Date(`${iso}T00:00:00Z`);
const hostile: FunnelTimeline = {
  key: 'L1',
  kind: 'lead',
  leadId: 'L1',
  opportunityId: 'O1',
  channel: '=HYPERLINK("http://evil","x")<script>alert(1)</script>',
  createdAt: at('2026-03-01'),
  visits: [
    { stage: 'Name', kind: 'lead', enteredAt: at('2026-03-01'), exitedAt: at('2026-03-03'), timed: true },
    { stage: 'SQL', kind: 'lead', enteredAt: at('2026-03-03'), exitedAt: at('2026-03-05'), timed: true },
    { stage: 'Prospecting', kind: 'opportunity', enteredAt: at('2026-03-05'), exitedAt: null, timed: true }
  ],
  amount: 2500,
  currency: 'EUR',
  won: false,
  lost: false
};
const deal: FunnelTimeline = {
  key: 'O9', kind: 'deal', leadId: null, opportunityId: 'O9', channel: 'Web', createdAt: at('2026-02-01'), amount: 900, currency: 'EUR',
  won: true, lost: false,
  visits: [
    { stage: 'Prospecting', kind: 'opportunity', enteredAt: at('2026-02-01'), exitedAt: at('2026-02-11'), timed: true },
    { stage: 'Closed Won', kind: 'won', enteredAt: at('2026-02-11'), exitedAt: null, timed: true }
  ]
};

describe('report rendering', () => {
  const report = computeFunnelReport([hostile, deal], at('2026-04-01'), { currency: 'EUR' });

  it('should escape HTML in every cell of the HTML report', () => {
    const html = renderHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('should neutralise formula cells in the CSV report', () => {
    const csv = renderCsv(report);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(csv).toContain(`'=HYPERLINK`);
  });

  it('should keep amounts off rate rows and give them a currency', () => {
    const rows = parse(renderCsv(report), { columns: true }) as Record<string, string>[];
    const rateRows = rows.filter((r) => r.rate !== '');
    expect(rateRows.length).toBeGreaterThan(10);
    expect(rateRows.every((r) => r.amount === '' && r.n !== '')).toBe(true);
    const pipeline = rows.find((r) => r.section === 'amount' && r.key === 'pipeline' && r.population === 'lead')!;
    expect(pipeline).toMatchObject({ amount: '2500', currency: 'EUR' });
    const won = rows.find((r) => r.section === 'amount' && r.key === 'won' && r.population === 'deal')!;
    expect(won).toMatchObject({ amount: '900', currency: 'EUR' });
  });

  it('should write cohort SQL counts, totals and velocity to the CSV, marking the current period', () => {
    const rows = parse(renderCsv(report), { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.section === 'cohort_month_lead_to_sql' && r.key === '2026-03')).toMatchObject({ count: '1', n: '1', partial: 'no' });
    expect(rows.find((r) => r.section === 'cohort_quarter_lead_to_sql' && r.key === '2026-Q2')).toBeUndefined();
    expect(rows.find((r) => r.section === 'total' && r.key === 'lead_to_sql' && r.population === 'lead')).toMatchObject({ count: '1', n: '1' });
    expect(rows.find((r) => r.section === 'velocity' && r.key === 'days_to_win' && r.population === 'deal')).toMatchObject({ count: '1', median_days: '10' });
    expect(rows.find((r) => r.section === 'trend_lead_to_sql' && r.key === '2026-04' && r.dimension === 'All channels')).toMatchObject({ partial: 'yes', n: '0' });
  });

  it('should print leads and lead-less deals apart, every rate with its sample size', () => {
    const text = renderTerminal(report);
    expect(text).toMatch(/Leads: 1 people, 1 funnel passes/);
    expect(text).toMatch(/Deals without a lead: 1/);
    expect(text).toContain('lead->SQL 100.0% (1 of 1)');
    expect(text).toContain('win rate 100.0% (1 of 1)');
    expect(text).toContain('EUR 2,500');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['plain', 'plain'],
    [42, '42'],
    [null, '']
  ])('should escape CSV cell %j as %j', (input, expected) => {
    expect(escapeCsvCell(input)).toBe(expected);
  });

  it('should escape all HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
