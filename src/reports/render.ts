/**
 * Renders a FunnelReport as a terminal table, CSV or a self-contained HTML page (inline SVG charts,
 * no scripts or external assets, so it opens anywhere and can be attached to an email).
 */
import { stringify } from 'csv-stringify/sync';
import { escapeCsvCell, escapeHtml } from './escape';
import type { FunnelReport } from './types';

export function formatRate(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

function formatHours(hours: number | null): string {
  if (hours === null) return '-';
  return hours >= 48 ? `${(hours / 24).toFixed(1)} d` : `${hours.toFixed(1)} h`;
}

function formatMoney(amount: number): string {
  return amount.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderTerminal(report: FunnelReport): string {
  const parts: string[] = [];
  parts.push(`Funnel (${report.subjects} leads/deals)`);
  parts.push(
    table(
      ['From', 'To', 'Reached', 'Converted', 'Rate'],
      report.steps.map((s) => [s.from, s.to, String(s.reached), String(s.converted), formatRate(s.rate)])
    )
  );
  parts.push('', 'By channel');
  parts.push(
    table(
      ['Channel', 'Leads', 'SQL', 'Won', 'Lead->SQL', 'Lead->Sale', 'Pipeline', 'Won amount'],
      report.byChannel.map((c) => [
        c.channel,
        String(c.leads),
        String(c.sql),
        String(c.customers),
        formatRate(c.leadToSqlRate),
        formatRate(c.leadToSaleRate),
        formatMoney(c.pipelineAmount),
        formatMoney(c.wonAmount)
      ])
    )
  );
  parts.push('', 'Time in stage');
  parts.push(
    table(
      ['Stage', 'Visits', 'Median', 'p90'],
      report.timeInStage.map((d) => [d.stage, String(d.count), formatHours(d.medianHours), formatHours(d.p90Hours)])
    )
  );
  parts.push(
    '',
    `Lead->SQL ${formatRate(report.totals.leadToSqlRate)}  Lead->Sale ${formatRate(report.totals.leadToSaleRate)}  ` +
      `Pipeline ${formatMoney(report.totals.pipelineAmount)}  Won ${formatMoney(report.totals.wonAmount)}  ` +
      `Median days to win ${report.velocity.medianDaysToWin?.toFixed(1) ?? '-'}`
  );
  return parts.join('\n');
}

/** One CSV with a `section` column so every metric fits one sheet. */
export function renderCsv(report: FunnelReport): string {
  const rows: unknown[][] = [['section', 'key', 'dimension', 'count', 'converted', 'rate', 'median_hours', 'p90_hours', 'amount']];
  for (const s of report.steps) rows.push(['step', `${s.from}->${s.to}`, 'all', s.reached, s.converted, s.rate, '', '', '']);
  for (const c of report.byChannel) {
    rows.push(['channel_lead_to_sql', c.channel, 'channel', c.leads, c.sql, c.leadToSqlRate, '', '', c.pipelineAmount]);
    rows.push(['channel_lead_to_sale', c.channel, 'channel', c.leads, c.customers, c.leadToSaleRate, '', '', c.wonAmount]);
    for (const s of c.steps) rows.push(['channel_step', `${s.from}->${s.to}`, c.channel, s.reached, s.converted, s.rate, '', '', '']);
  }
  for (const c of report.byCohort) rows.push([`cohort_${c.grain}`, c.cohort, c.grain, c.leads, c.customers, c.leadToSaleRate, '', '', '']);
  for (const d of report.timeInStage) rows.push(['time_in_stage', d.stage, 'stage', d.count, '', '', d.medianHours, d.p90Hours, '']);
  for (const d of report.dropOff) rows.push(['drop_off', d.stage, 'stage', d.count, '', d.share, '', '', '']);
  return stringify(rows.map((row) => row.map((cell) => escapeCsvCell(cell))));
}

function barChart(title: string, bars: { label: string; value: number; text: string }[], color: string): string {
  const width = 640;
  const rowHeight = 26;
  const labelWidth = 170;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight + 10;
  const rows = bars
    .map((b, i) => {
      const w = Math.max(1, ((width - labelWidth - 90) * b.value) / max);
      const y = i * rowHeight + 5;
      return (
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${color}" rx="3"/>` +
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${escapeHtml(b.text)}</text>`
      );
    })
    .join('');
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${rows}</svg></figure>`
  );
}

function htmlTable(headers: string[], rows: unknown[][]): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderHtml(report: FunnelReport, title = 'leadflow funnel report'): string {
  const funnel = barChart(
    'Funnel: leads and deals that reached each stage',
    report.reachedByStage.map((s) => ({ label: s.stage, value: s.count, text: String(s.count) })),
    '#0176d3'
  );
  const byChannel = barChart(
    'Lead to sale rate by channel',
    report.byChannel.map((c) => ({ label: c.channel, value: c.leadToSaleRate ?? 0, text: formatRate(c.leadToSaleRate) })),
    '#2e844a'
  );
  const timeChart = barChart(
    'Median time in stage (hours)',
    report.timeInStage.map((d) => ({ label: d.stage, value: d.medianHours ?? 0, text: formatHours(d.medianHours) })),
    '#dd7a01'
  );
  const cohorts = (grain: string) =>
    htmlTable(
      ['Cohort', 'Leads', 'SQL', 'Won', 'Lead->SQL', 'Lead->Sale'],
      report.byCohort
        .filter((c) => c.grain === grain)
        .map((c) => [c.cohort, c.leads, c.sql, c.customers, formatRate(c.leadToSqlRate), formatRate(c.leadToSaleRate)])
    );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#181818;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}th{background:#f3f3f3}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:12px;fill:#181818}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}
.kpi b{display:block;font-size:1.3rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Generated ${escapeHtml(report.generatedAt)} from ${report.subjects} leads and deals.</p>
<section class="kpis" aria-label="Key figures">
<div class="kpi">Lead to SQL<b>${formatRate(report.totals.leadToSqlRate)}</b></div>
<div class="kpi">Lead to sale<b>${formatRate(report.totals.leadToSaleRate)}</b></div>
<div class="kpi">Open pipeline<b>${formatMoney(report.totals.pipelineAmount)}</b></div>
<div class="kpi">Won<b>${formatMoney(report.totals.wonAmount)}</b></div>
<div class="kpi">Median days to win<b>${report.velocity.medianDaysToWin?.toFixed(1) ?? '-'}</b></div>
</section>
<h2>Funnel</h2>${funnel}
${htmlTable(
  ['From', 'To', 'Reached', 'Converted', 'Rate'],
  report.steps.map((s) => [s.from, s.to, s.reached, s.converted, formatRate(s.rate)])
)}
<h2>Conversion by channel</h2>${byChannel}
${htmlTable(
  ['Channel', 'Leads', 'SQL', 'Won', 'Lead->SQL', 'Lead->Sale', 'Pipeline', 'Won amount'],
  report.byChannel.map((c) => [
    c.channel,
    c.leads,
    c.sql,
    c.customers,
    formatRate(c.leadToSqlRate),
    formatRate(c.leadToSaleRate),
    formatMoney(c.pipelineAmount),
    formatMoney(c.wonAmount)
  ])
)}
<h2>Time in stage</h2>${timeChart}
${htmlTable(
  ['Stage', 'Visits', 'Median', 'p90'],
  report.timeInStage.map((d) => [d.stage, d.count, formatHours(d.medianHours), formatHours(d.p90Hours)])
)}
<h2>Where leads drop out</h2>
${htmlTable(
  ['Furthest stage', 'Leads', 'Share'],
  report.dropOff.map((d) => [d.stage, d.count, formatRate(d.share)])
)}
<h2>Lead to sale by month</h2>${cohorts('month')}
<h2>By quarter</h2>${cohorts('quarter')}
<h2>By year</h2>${cohorts('year')}
</body></html>
`;
}
