/**
 * Renders a FunnelReport as a terminal table, CSV or a self-contained HTML page (inline SVG charts,
 * no scripts or external assets, so it opens anywhere and can be attached to an email).
 * Reader rules (docs/funnel-metrics.md): every rate shows its sample size, leads and lead-less deals are
 * shown apart, durations are always days, money always carries its currency, the current period is marked.
 */
import { stringify } from 'csv-stringify/sync';
import { escapeCsvCell, escapeHtml } from './escape';
import type { ChannelTrend, CohortMetrics, FunnelReport, Money, PopulationMetrics, Rate, StageDuration } from './types';

export function formatRate(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

/** "11.9% (16 of 134)": a rate is never shown without its sample size. */
export function formatRateWithN(r: Rate): string {
  return r.n === 0 ? `- (n=0)` : `${formatRate(r.rate)} (${r.count} of ${r.n})`;
}

function formatDays(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)} d`;
}

export function formatMoney(m: Money): string {
  const amount = m.amount.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return m.currency ? `${m.currency} ${amount}` : `${amount} (currency unknown)`;
}

const partialMark = (partial: boolean) => (partial ? ' (partial)' : '');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function funnelRows(p: PopulationMetrics): string[][] {
  return p.stages.map((s, i) => [
    s.stage,
    String(s.reached),
    String(s.visited),
    p.steps[i] ? `${p.steps[i]!.to}: ${formatRateWithN(p.steps[i]!.rate)}` : ''
  ]);
}

function durationRows(list: StageDuration[]): string[][] {
  return list.map((d) => [
    d.stage,
    String(d.visits),
    String(d.openVisits),
    String(d.untimedVisits),
    d.kind === 'won' || d.kind === 'lost' ? 'closed' : formatDays(d.medianDays),
    d.kind === 'won' || d.kind === 'lost' ? 'closed' : formatDays(d.p90Days)
  ]);
}

export function renderTerminal(report: FunnelReport): string {
  const { leads, deals } = report;
  const parts: string[] = [];
  parts.push(`Leads: ${leads.subjects} people, ${leads.passes} funnel passes`);
  parts.push(table(['Stage', 'Reached', 'Visited', 'Next step'], funnelRows(leads)));
  parts.push(`Recycled: ${formatRateWithN(leads.recycled)}`);
  parts.push('', `Deals without a lead: ${deals.subjects}`);
  parts.push(table(['Stage', 'Reached', 'Visited', 'Next step'], funnelRows(deals)));
  parts.push('', 'Leads by channel');
  parts.push(
    table(
      ['Channel', 'Passes', 'Lead->SQL', 'Lead->Sale', 'Pipeline', 'Won'],
      leads.byChannel.map((c) => [
        c.channel,
        String(c.passes),
        formatRateWithN(c.leadToSql),
        formatRateWithN(c.leadToSale),
        formatMoney(c.pipeline),
        formatMoney(c.won)
      ])
    )
  );
  parts.push('', 'Time in stage, leads (days; open visits measured to now)');
  parts.push(table(['Stage', 'Visits', 'Open', 'Untimed', 'Median', 'p90'], durationRows(leads.timeInStage)));
  parts.push('', 'Time in stage, deals without a lead (days)');
  parts.push(table(['Stage', 'Visits', 'Open', 'Untimed', 'Median', 'p90'], durationRows(deals.timeInStage)));
  parts.push(
    '',
    `Leads: lead->SQL ${formatRateWithN(leads.leadToSql)}, lead->sale ${formatRateWithN(leads.leadToSale)}, ` +
      `pipeline ${formatMoney(leads.pipeline)}, won ${formatMoney(leads.won)}, ` +
      `median days to win ${formatDays(leads.velocity.daysToWin.medianDays)} (n=${leads.velocity.daysToWin.n})`,
    `Deals without a lead: win rate ${formatRateWithN(deals.leadToSale)}, pipeline ${formatMoney(deals.pipeline)}, ` +
      `won ${formatMoney(deals.won)}, median days to win ${formatDays(deals.velocity.daysToWin.medianDays)} (n=${deals.velocity.daysToWin.n})`
  );
  return parts.join('\n');
}

const CSV_HEADER = [
  'section', 'population', 'key', 'dimension', 'count', 'n', 'rate', 'median_days', 'p90_days', 'amount', 'currency', 'partial'
];

function csvRows(population: 'lead' | 'deal', p: PopulationMetrics): unknown[][] {
  const rows: unknown[][] = [];
  const row = (section: string, key: string, dimension: string, cells: Partial<Record<string, unknown>>) =>
    rows.push([
      section, population, key, dimension, cells.count ?? '', cells.n ?? '', cells.rate ?? '', cells.median ?? '',
      cells.p90 ?? '', cells.amount ?? '', cells.currency ?? '', cells.partial === undefined ? '' : cells.partial ? 'yes' : 'no'
    ]);
  const rate = (r: Rate) => ({ count: r.count, n: r.n, rate: r.rate ?? '' });
  row('total', 'subjects', 'all', { count: p.subjects });
  row('total', 'passes', 'all', { count: p.passes });
  if (population === 'lead') {
    row('total', 'lead_to_sql', 'all', rate(p.leadToSql));
    row('total', 'lead_to_sale', 'all', rate(p.leadToSale));
    row('total', 'recycled', 'all', rate(p.recycled));
  } else {
    row('total', 'win_rate', 'all', rate(p.leadToSale));
  }
  row('total', 'in_progress', 'all', { count: p.inProgress });
  row('amount', 'pipeline', 'all', { amount: p.pipeline.amount, currency: p.pipeline.currency ?? '' });
  row('amount', 'won', 'all', { amount: p.won.amount, currency: p.won.currency ?? '' });
  for (const s of p.stages) {
    row('stage_reached', s.stage, 'stage', { count: s.reached, n: p.passes });
    row('stage_visited', s.stage, 'stage', { count: s.visited, n: p.passes });
  }
  for (const s of p.steps) row('step', `${s.from}->${s.to}`, 'all', rate(s.rate));
  for (const c of p.byChannel) {
    if (population === 'lead') row('channel_lead_to_sql', c.channel, 'channel', rate(c.leadToSql));
    row(population === 'lead' ? 'channel_lead_to_sale' : 'channel_win_rate', c.channel, 'channel', rate(c.leadToSale));
    row('channel_pipeline', c.channel, 'channel', { amount: c.pipeline.amount, currency: c.pipeline.currency ?? '' });
    row('channel_won_amount', c.channel, 'channel', { amount: c.won.amount, currency: c.won.currency ?? '' });
  }
  for (const c of p.byCohort) {
    if (population === 'lead') row(`cohort_${c.grain}_lead_to_sql`, c.cohort, c.grain, { ...rate(c.leadToSql), partial: c.partial });
    row(`cohort_${c.grain}_${population === 'lead' ? 'lead_to_sale' : 'win_rate'}`, c.cohort, c.grain, { ...rate(c.leadToSale), partial: c.partial });
  }
  for (const d of p.timeInStage) {
    row('time_in_stage', d.stage, d.kind, { count: d.visits, median: d.medianDays ?? '', p90: d.p90Days ?? '' });
    row('time_in_stage_open_visits', d.stage, d.kind, { count: d.openVisits });
    row('time_in_stage_untimed_visits', d.stage, d.kind, { count: d.untimedVisits });
  }
  const dropped = p.dropOff.reduce((sum, d) => sum + d.count, 0);
  for (const d of p.dropOff) {
    row('drop_off', d.stage, 'all', { count: d.count, n: dropped, rate: d.share ?? '' });
    for (const [reason, count] of Object.entries(d.byReason)) row('drop_off', d.stage, reason, { count });
  }
  const v = p.velocity;
  row('velocity', 'days_to_win', 'all', { count: v.daysToWin.n, median: v.daysToWin.medianDays ?? '', p90: v.daysToWin.p90Days ?? '' });
  if (v.daysToSql) row('velocity', 'days_to_sql', 'all', { count: v.daysToSql.n, median: v.daysToSql.medianDays ?? '', p90: v.daysToSql.p90Days ?? '' });
  return rows;
}

/**
 * One CSV, one metric per row: `population` keeps leads and lead-less deals apart, `n` is the sample size of
 * every rate, amounts sit on their own rows with their currency, `partial` marks the current period.
 */
export function renderCsv(report: FunnelReport): string {
  const rows: unknown[][] = [CSV_HEADER, ...csvRows('lead', report.leads), ...csvRows('deal', report.deals)];
  for (const series of report.trend) {
    for (const point of series.points) {
      const cells = (r: Rate) => [r.count, r.n, r.rate ?? '', '', '', '', '', point.partial ? 'yes' : 'no'];
      rows.push(['trend_lead_to_sql', 'lead', point.month, series.channel, ...cells(point.leadToSql)]);
      rows.push(['trend_lead_to_sale', 'lead', point.month, series.channel, ...cells(point.leadToSale)]);
    }
  }
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
      const w = Math.max(1, ((width - labelWidth - 110) * b.value) / max);
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

/** Colour-blind-safe palette (Okabe-Ito), then greys. */
const PALETTE = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#D55E00', '#0072B2', '#CC79A7', '#8C6D00', '#777777', '#AAAAAA'];

/**
 * Monthly trend: one line per channel, rate on the y axis. Months with no lead are gaps, not zeros; the
 * current (partial) month is drawn hollow and labelled, because its rate will still rise.
 */
export function trendChart(title: string, trend: ChannelTrend[], pick: 'leadToSql' | 'leadToSale'): string {
  const width = 900;
  const height = 320;
  const left = 50;
  const right = 190;
  const top = 20;
  const bottom = 50;
  const months = trend[0]?.points.map((p) => p.month) ?? [];
  const max = Math.max(0.05, ...trend.flatMap((s) => s.points.map((p) => p[pick].rate ?? 0)));
  const yMax = Math.ceil(max * 10) / 10;
  const x = (i: number) => left + (months.length <= 1 ? 0 : (i * (width - left - right)) / (months.length - 1));
  const y = (v: number) => top + (height - top - bottom) * (1 - v / yMax);
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>` +
        `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatRate(v))}</text>`
    );
  }
  months.forEach((m, i) => {
    if (months.length > 12 && i % 3 !== 0 && i !== months.length - 1) return;
    const partial = i === months.length - 1 && trend[0]!.points[i]!.partial;
    parts.push(
      `<text class="month" x="${x(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escapeHtml(m)}${partial ? '*' : ''}</text>`
    );
  });
  trend.forEach((series, s) => {
    const color = PALETTE[s % PALETTE.length]!;
    const segments: string[][] = [[]];
    series.points.forEach((p, i) => {
      const r = p[pick];
      if (r.rate === null) {
        if (segments[segments.length - 1]!.length > 0) segments.push([]);
        return;
      }
      segments[segments.length - 1]!.push(`${x(i).toFixed(1)},${y(r.rate).toFixed(1)}`);
    });
    const lines = segments
      .filter((seg) => seg.length > 0)
      .map((seg) => `<polyline fill="none" stroke="${color}" stroke-width="${s === 0 ? 3 : 1.5}" points="${seg.join(' ')}"/>`)
      .join('');
    const dots = series.points
      .map((p, i) => {
        const r = p[pick];
        if (r.rate === null) return '';
        const tip = `${series.channel} ${p.month}${partialMark(p.partial)}: ${formatRateWithN(r)}`;
        return (
          `<circle cx="${x(i).toFixed(1)}" cy="${y(r.rate).toFixed(1)}" r="3" fill="${p.partial ? '#fff' : color}" stroke="${color}">` +
          `<title>${escapeHtml(tip)}</title></circle>`
        );
      })
      .join('');
    const ly = top + s * 18;
    const legend =
      `<line x1="${width - right + 12}" x2="${width - right + 32}" y1="${ly + 6}" y2="${ly + 6}" stroke="${color}" stroke-width="3"/>` +
      `<text class="legend" x="${width - right + 38}" y="${ly + 10}">${escapeHtml(series.channel)}</text>`;
    parts.push(`<g class="series" data-channel="${escapeHtml(series.channel)}">${lines}${dots}${legend}</g>`);
  });
  const note = months.length > 0 && trend[0]!.points.at(-1)!.partial ? ' (* current month, partial)' : '';
  return (
    `<figure><figcaption>${escapeHtml(title + note)}</figcaption>` +
    `<svg class="trend" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `${parts.join('')}</svg></figure>`
  );
}

function htmlTable(headers: string[], rows: unknown[][], caption?: string): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : '';
  return `<table>${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function funnelTable(p: PopulationMetrics, caption: string, withRecycled: boolean): string {
  const rows: unknown[][] = p.stages.map((s, i) => [
    s.stage,
    s.reached,
    s.visited,
    p.steps[i] ? `${p.steps[i]!.to}: ${formatRateWithN(p.steps[i]!.rate)}` : ''
  ]);
  if (withRecycled) rows.push(['Recycled (side stage)', p.recycled.count, p.recycled.count, `of all passes: ${formatRateWithN(p.recycled)}`]);
  return htmlTable(['Stage', 'Reached', 'Visited', 'Converted to next stage'], rows, caption);
}

function durationTable(list: StageDuration[], caption: string): string {
  return htmlTable(['Stage', 'Visits measured', 'Still open', 'Untimed (backfill)', 'Median', 'p90'], durationRows(list), caption);
}

function cohortTable(list: CohortMetrics[], grain: string, kind: 'lead' | 'deal'): string {
  const rows = list
    .filter((c) => c.grain === grain)
    .map((c) =>
      kind === 'lead'
        ? [`${c.cohort}${partialMark(c.partial)}`, c.passes, c.sql, c.customers, formatRateWithN(c.leadToSql), formatRateWithN(c.leadToSale)]
        : [`${c.cohort}${partialMark(c.partial)}`, c.passes, c.customers, formatRateWithN(c.leadToSale)]
    );
  return kind === 'lead'
    ? htmlTable(['Cohort (lead created)', 'Passes', 'SQL', 'Won', 'Lead to SQL', 'Lead to sale'], rows)
    : htmlTable(['Cohort (deal created)', 'Deals', 'Won', 'Win rate'], rows);
}

export function renderHtml(report: FunnelReport, title = 'leadflow funnel report'): string {
  const { leads, deals } = report;
  const funnel = barChart(
    'Leads: funnel passes that reached each stage',
    leads.stages.map((s) => ({ label: s.stage, value: s.reached, text: String(s.reached) })),
    '#0176d3'
  );
  const trendSql = trendChart('Lead to SQL by month of lead creation, per channel', report.trend, 'leadToSql');
  const trendSale = trendChart('Lead to sale by month of lead creation, per channel', report.trend, 'leadToSale');
  const kpi = (label: string, value: string, detail: string) =>
    `<div class="kpi">${escapeHtml(label)}<b>${escapeHtml(value)}</b><small>${escapeHtml(detail)}</small></div>`;
  const rateKpi = (label: string, r: Rate) => kpi(label, formatRate(r.rate), r.n === 0 ? 'n=0' : `${r.count} of ${r.n}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#181818;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}th{background:#f3f3f3}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-size:12px;fill:#181818}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}
.kpi b{display:block;font-size:1.3rem}.kpi small{color:#555}.note{color:#444;font-size:.9rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Generated ${escapeHtml(report.generatedAt)} from ${leads.subjects} leads (${leads.passes} funnel passes) and
${deals.subjects} opportunities created without a lead. Amounts in ${escapeHtml(report.currency ?? 'an unknown currency (set history.currency)')}.
Durations in days. Definitions: docs/funnel-metrics.md.</p>
<p class="note">Lead-less deals are reported on their own and never counted as leads. Every rate shows
"count of sample". A period marked (partial) is not over yet; its rates will still change.</p>
<h2>Leads</h2>
<section class="kpis" aria-label="Lead key figures">
${rateKpi('Lead to SQL', leads.leadToSql)}
${rateKpi('Lead to sale', leads.leadToSale)}
${rateKpi('Recycled', leads.recycled)}
${kpi('Open pipeline', formatMoney(leads.pipeline), 'from converted leads')}
${kpi('Won', formatMoney(leads.won), 'from converted leads')}
${kpi('Median days to win', formatDays(leads.velocity.daysToWin.medianDays), `n=${leads.velocity.daysToWin.n}`)}
</section>
${funnelTable(leads, 'Lead funnel (reached counts skipped stages; visited only stages the lead was in)', true)}
${funnel}
<h2>Monthly trend per channel</h2>
${trendSql}
${trendSale}
<h2>Leads by channel</h2>
${htmlTable(
  ['Channel', 'Passes', 'Lead to SQL', 'Lead to sale', 'Open pipeline', 'Won'],
  leads.byChannel.map((c) => [c.channel, c.passes, formatRateWithN(c.leadToSql), formatRateWithN(c.leadToSale), formatMoney(c.pipeline), formatMoney(c.won)])
)}
<h2>Time in stage (leads)</h2>
<p class="note">Open visits are measured up to the report time; visits that start or end at a backfill stamp are not measured.</p>
${durationTable(leads.timeInStage, 'Lead time in stage')}
<h2>Where leads drop out</h2>
<p class="note">Dropped: recycled, lost, or no stage change for ${report.stallDays} days. ${leads.inProgress} passes are still in progress (open deals, recently moved leads) and are not counted.</p>
${htmlTable(
  ['Furthest stage', 'Dropped', 'Share', 'Recycled', 'Lost', 'Stalled'],
  leads.dropOff.map((d) => [d.stage, d.count, formatRate(d.share), d.byReason.recycled, d.byReason.lost, d.byReason.stalled])
)}
<h2>Velocity (leads)</h2>
${htmlTable(
  ['Measure', 'n', 'Median', 'p90'],
  [
    ['Lead created to SQL', leads.velocity.daysToSql?.n ?? 0, formatDays(leads.velocity.daysToSql?.medianDays ?? null), formatDays(leads.velocity.daysToSql?.p90Days ?? null)],
    ['Lead created to won', leads.velocity.daysToWin.n, formatDays(leads.velocity.daysToWin.medianDays), formatDays(leads.velocity.daysToWin.p90Days)]
  ]
)}
<h2>Lead cohorts</h2>
<h3>By month</h3>${cohortTable(leads.byCohort, 'month', 'lead')}
<h3>By quarter</h3>${cohortTable(leads.byCohort, 'quarter', 'lead')}
<h3>By year</h3>${cohortTable(leads.byCohort, 'year', 'lead')}
<h2>Deals without a lead</h2>
<section class="kpis" aria-label="Lead-less deal key figures">
${kpi('Deals', String(deals.subjects), 'opportunities created without a lead')}
${rateKpi('Win rate', deals.leadToSale)}
${kpi('Open pipeline', formatMoney(deals.pipeline), 'lead-less deals')}
${kpi('Won', formatMoney(deals.won), 'lead-less deals')}
${kpi('Median days to win', formatDays(deals.velocity.daysToWin.medianDays), `n=${deals.velocity.daysToWin.n}`)}
</section>
${funnelTable(deals, 'Deal stages (the org\'s stage order)', false)}
${htmlTable(
  ['Channel', 'Deals', 'Win rate', 'Open pipeline', 'Won'],
  deals.byChannel.map((c) => [c.channel, c.passes, formatRateWithN(c.leadToSale), formatMoney(c.pipeline), formatMoney(c.won)])
)}
${durationTable(deals.timeInStage, 'Deal time in stage')}
<h3>By quarter</h3>${cohortTable(deals.byCohort, 'quarter', 'deal')}
</body></html>
`;
}
