/** Library entry point of the conversion capability (`leadflow convert` and `npm start`). */
import type { Runtime } from '../runtime/types';
import { parseConversionConfig, type ConversionConfig } from './config';
import { executePlan, reconcilePending, type ExecuteSummary } from './execute';
import { buildPlan, ConversionError, type ConversionPlan, type LeadPlan } from './plan';
import { reasonLine } from './reasons';

export interface ConvertOptions {
  dryRun?: boolean;
  /** Convert at most this many leads. */
  limit?: number;
  /** Overrides config.onlyGrades. */
  grades?: ('Hot' | 'Warm' | 'Cold')[];
  /** Overrides config.opportunity.create. */
  createOpportunity?: boolean;
  /** Extra Field=Value equality filters (escaped). */
  filters?: Record<string, string>;
}

export interface ConvertRunResult {
  dryRun: boolean;
  plan: ConversionPlan;
  execution: ExecuteSummary | null;
}

export function effectiveConfig(raw: unknown, opts: ConvertOptions): ConversionConfig {
  const config = parseConversionConfig(raw);
  return parseConversionConfig({
    ...config,
    onlyGrades: opts.grades ?? config.onlyGrades,
    filters: { ...config.filters, ...(opts.filters ?? {}) },
    opportunity: { ...config.opportunity, create: opts.createOpportunity ?? config.opportunity.create }
  });
}

export async function runConvert(runtime: Runtime, opts: ConvertOptions = {}): Promise<ConvertRunResult> {
  const config = effectiveConfig(runtime.config.conversion, opts);
  const org = await runtime.org();
  if (!opts.dryRun) {
    // A run killed mid-batch left 'pending' rows: settle them from the org first, so the ledger matches it.
    const settled = await reconcilePending(org, runtime.store);
    if (settled.converted + settled.notConverted > 0) runtime.logger.warn(settled, 'settled leads an interrupted convert run left pending');
  }
  // Leads the ledger already records as converted are never planned again (the org refuses them anyway).
  const converted = await runtime.store.query<{ lead_id: string }>("select lead_id from conversion_ledger where status = 'converted'");
  const plan = await buildPlan(org, config, {
    limit: opts.limit,
    today: runtime.now(),
    excludeLeadIds: new Set(converted.map((r) => r.lead_id))
  });
  for (const warning of plan.warnings) runtime.logger.warn({ warning }, 'lead field mapping');
  if (opts.dryRun) return { dryRun: true, plan, execution: null };
  const stopping = plan.reasons.filter((r) => r.blocking);
  if (stopping.length > 0) {
    throw new ConversionError('PREVIEW_REFUSED', `Nothing was converted:\n${stopping.map((r) => `  ${reasonLine(r)}`).join('\n')}`);
  }
  const progress = runtime.progress('Converting leads', plan.leads.length);
  try {
    let reported = 0;
    const execution = await executePlan(org, runtime.store, plan, config, (done) => {
      progress.tick(done - reported);
      reported = done;
    });
    return { dryRun: false, plan, execution };
  } finally {
    progress.done();
  }
}

function describeAccount(p: LeadPlan): string {
  if (!p.account) return '-';
  return p.account.action === 'existing'
    ? `existing ${p.account.accountId} (${p.account.accountName}, by ${p.account.matchedBy})`
    : `new "${p.account.accountName}"${p.account.domain ? ` [${p.account.domain}]` : ''}`;
}

/** The plan as a table for humans (the same data is in the JSON output). */
export function planTable(plan: ConversionPlan): string[] {
  const rows = plan.leads.map((p) => [
    p.leadId,
    p.leadName,
    p.skipReason ? `SKIP: ${p.skipReason}` : describeAccount(p),
    p.contact ? (p.contact.action === 'existing' ? `existing ${p.contact.contactId}` : 'new') : '-',
    p.opportunity ? `${p.opportunity.name} | ${p.opportunity.stage} | ${p.opportunity.amount ?? '-'} | ${p.opportunity.closeDate}` : '-'
  ]);
  const headers = ['Lead', 'Name', 'Account', 'Contact', 'Opportunity (name | stage | amount | close)'];
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => c.slice(0, widths[i]).padEnd(widths[i]!)).join('  ').trimEnd();
  // Reasons are printed in full (never cut to the column width): each names the field and the fix.
  const planReasons = [
    ...plan.reasons.map((r) => `BLOCKS EVERY LEAD - ${reasonLine(r)}`),
    ...plan.warnings.map((w) => `WARNING - ${w}`)
  ];
  const leadReasons = plan.leads.flatMap((p) => p.reasons.map((r) => `${p.leadId} ${r.blocking ? 'WOULD FAIL' : 'WARNING'} - ${reasonLine(r)}`));
  return [
    ...planReasons,
    ...(planReasons.length > 0 ? [''] : []),
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    ...(leadReasons.length > 0 ? ['', 'Reasons:', ...leadReasons] : [])
  ];
}
