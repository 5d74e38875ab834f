/**
 * Conversion benchmark (docs/conversion.md): N qualified leads (default 10,000; BENCH_CONVERT_LEADS to change)
 * converted on the local emulator by `runConvert`, against the naive baseline of one convertLead call per lead
 * (the same run, on a slice of BENCH_CONVERT_BASELINE leads, default 500, whose per-lead time is reported).
 * Goal: convert calls <= ceil(N / 100) plus batched matching queries.
 */
import { startEmulator } from '../emulator/server';
import { runConvert } from '../src/conversion';
import { withRuntime } from '../src/runtime/runtime';
import { createOrgClient } from '../src/salesforce/client';
import { CONVERT_LEAD_MAX } from '../src/salesforce/types';
import { openStore } from '../src/store/store';
import type { BenchResult } from './run';

const N = Number(process.env.BENCH_CONVERT_LEADS ?? 10_000);
const BASELINE = Number(process.env.BENCH_CONVERT_BASELINE ?? 500);
const COMPANIES_PER_LEAD = 0.2;

function leads(count: number, prefix: string): Record<string, unknown>[] {
  const companies = Math.max(1, Math.floor(count * COMPANIES_PER_LEAD));
  return Array.from({ length: count }, (_, i) => {
    const c = i % companies;
    return {
      LastName: `${prefix}${i}`,
      Company: `${prefix} Company ${c}`,
      Website: `https://${prefix.toLowerCase()}-company-${c}.com`,
      Email: `person${i}@${prefix.toLowerCase()}-company-${c}.com`,
      Status: 'Open - Not Contacted',
      Qualification_Status__c: 'Qualified',
      Lead_Grade__c: 'Hot',
      Budget_Amount__c: 10_000 + (i % 50) * 1000,
      Purchase_Timeline__c: '1-3 Months',
      LeadSource: 'Web'
    };
  });
}

export async function run(): Promise<BenchResult[]> {
  const emulator = await startEmulator({ port: 0, quiet: true, seed: 'none', dailyApiLimit: 10_000_000 });
  const client = await createOrgClient({ emulatorUrl: emulator.url, env: {} });
  const store = await openStore({ dataDir: 'memory://' });
  try {
    // Baseline first: the naive way, one SOAP call per lead, no matching (on its own leads).
    const baselineLeads = await client.bulk.ingest('Lead', 'insert', leads(BASELINE, 'Naive'));
    const baselineIds = baselineLeads.results.filter((r) => r.success).map((r) => r.id as string);
    const naiveStart = Date.now();
    const naiveBefore = client.usage.total();
    for (const leadId of baselineIds)
      await client.soap.convertLead([{ leadId, convertedStatus: 'Closed - Converted' }]);
    const naiveMs = Date.now() - naiveStart;
    const naiveCalls = client.usage.total() - naiveBefore;
    const naivePerLeadMs = naiveMs / Math.max(1, baselineIds.length);

    await client.bulk.ingest('Lead', 'insert', leads(N, 'Bench'));
    const before = client.usage.bySurface();
    const totalBefore = client.usage.total();
    const started = Date.now();
    const profileFrom = process.hrtime.bigint();
    const result = await withRuntime(
      { store, org: client, json: true, config: { conversion: { filters: { LeadSource: 'Web' } } } },
      (rt) => runConvert(rt, {})
    );
    const ms = Date.now() - started;
    // The measured window on the monotonic clock V8 CPU profiles use, for bench/profile-summary.ts --window.
    if (process.env.BENCH_PROFILE_WINDOW === '1')
      process.stderr.write(`  profile window: ${profileFrom / 1000n},${process.hrtime.bigint() / 1000n}\n`);
    const after = client.usage.bySurface();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    const e = result.execution!;
    const goal = Math.ceil(N / CONVERT_LEAD_MAX);
    return [
      {
        name: `leads converted (of ${N})`,
        value: e.converted,
        unit: 'leads',
        notes: `${e.failed} failed, ${e.skipped} skipped, ${e.accountsCreated} accounts created for ${Math.floor(N * COMPANIES_PER_LEAD)} companies`
      },
      {
        name: 'convertLead calls',
        value: delta('soap'),
        unit: 'calls',
        baseline: `naive ${N} (goal <= ${goal})`,
        baselineValue: N,
        notes: `naive = one call per lead (measured ${naiveCalls} calls for ${baselineIds.length} leads)`
      },
      {
        name: 'total API calls',
        value: client.usage.total() - totalBefore,
        unit: 'calls',
        baseline: `naive >= ${N}`,
        baselineValue: N,
        notes: `by surface: soap ${delta('soap')}, collections ${delta('collections')} (accounts + opportunity details), rest ${delta('rest')} (matching and selection queries)`
      },
      {
        name: 'conversion time',
        value: Math.round(ms),
        unit: 'ms',
        baseline: `naive ~${Math.round(naivePerLeadMs * N)} ms (extrapolated)`,
        baselineValue: Math.round(naivePerLeadMs * N),
        notes: `${(N / (ms / 1000)).toFixed(0)} leads/s; naive measured ${naivePerLeadMs.toFixed(1)} ms/lead over ${baselineIds.length} leads`
      }
    ];
  } finally {
    await client.close();
    await store.close();
    await emulator.close();
  }
}
