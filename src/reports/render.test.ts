import { escapeCsvCell, escapeHtml } from './escape';
import { computeFunnelReport } from './metrics';
import { renderCsv, renderHtml, renderTerminal } from './render';
import type { FunnelTimeline } from './types';

const hostile: FunnelTimeline = {
  key: 'L1',
  leadId: 'L1',
  opportunityId: null,
  channel: '=HYPERLINK("http://evil","x")<script>alert(1)</script>',
  createdAt: new Date('2026-03-01T00:00:00Z'),
  visits: [{ stage: 'Name', funnelStage: 'Name', enteredAt: new Date('2026-03-01T00:00:00Z'), exitedAt: null }],
  amount: null,
  won: false,
  lost: false
};

describe('report rendering', () => {
  const report = computeFunnelReport([hostile], new Date('2026-04-01T00:00:00Z'));

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

  it('should print a readable terminal table', () => {
    expect(renderTerminal(report)).toMatch(/Name\s+Engaged\s+1\s+0\s+0\.0%/);
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
