/**
 * `npm start`: the whole pipeline on the local org in under a minute.
 * Starts the emulator in-process (data in .leadflow/emulator, demo seed, free port), then runs each pipeline
 * step through the public API of the capability that provides it: ingest the sample sources -> qualify ->
 * convert -> history -> report. A step whose capability is not installed is reported as skipped.
 * Safe to run twice: the emulator seeds an empty org only, and every step is idempotent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator } from '../emulator/server';
import { withRuntime } from '../src/runtime/runtime';
import { discoverStep, PIPELINE_STEPS, toCommandResult, type PipelineStep } from '../src/runtime/capabilities';
import { createOrgClient } from '../src/salesforce/client';
import { formatUsage } from '../src/salesforce/usage';
import { scrubString } from '../src/shared/redact';

const ROOT = path.resolve(__dirname, '..');
/** Sample sources config (added by the ingest capability); the default config is used when absent. */
const SAMPLE_CONFIG = path.join(ROOT, 'config', 'samples', 'leadflow.config.json');

export interface StartOptions {
  /** Working directory: config discovery and relative paths (default: the repository root). */
  cwd?: string;
  /** Where the emulator data, store and outputs go (default <cwd>/.leadflow). */
  stateDir?: string;
  log?: (line: string) => void;
}

export interface StartStepReport {
  step: PipelineStep;
  status: 'ok' | 'failed' | 'skipped';
  capability?: string;
  apiCalls: number;
  summary?: unknown;
  error?: string;
}

export async function runStart(options: StartOptions = {}): Promise<{ ok: boolean; steps: StartStepReport[]; reportHtml?: string; apiCalls: number }> {
  const cwd = options.cwd ?? ROOT;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const stateDir = options.stateDir ?? path.join(cwd, '.leadflow');
  const dataDir = path.join(stateDir, 'emulator');
  fs.mkdirSync(dataDir, { recursive: true });
  const emulator = await startEmulator({ port: 0, dataDir, seed: 'demo', quiet: true });
  const seeded = emulator.seed ? (emulator.seed.skipped ? 'demo data already present' : 'demo data seeded') : 'no seed';
  log(`Local org emulator on ${emulator.url} (data: ${dataDir}; ${seeded}) started in ${Date.now() - started} ms`);

  const steps: StartStepReport[] = [];
  let reportHtml: string | undefined;
  let apiCalls = 0;
  try {
    await withRuntime(
      {
        cwd,
        configPath: fs.existsSync(SAMPLE_CONFIG) ? SAMPLE_CONFIG : undefined,
        config: {
          store: { dataDir: path.join(stateDir, 'store') },
          outputDir: path.join(stateDir, 'out'),
          // Step summaries are the output here; capability info logs would interleave with them.
          ...(process.env.LEADFLOW_LOG_LEVEL ? {} : { logLevel: 'warn' })
        },
        // Always the local org, whatever SF_* credentials or targetOrg the environment has.
        org: () => createOrgClient({ env: {}, emulatorUrl: emulator.url }),
        command: 'start',
        // The whole pipeline holds every job lock: meanwhile a serve tick of any step is skipped, a CLI run exits 5.
        jobLock: { names: ['ingest', 'qualify', 'convert', 'history'] }
      },
      async (rt) => {
        for (const step of PIPELINE_STEPS) {
          const discovered = await discoverStep(step);
          if (!discovered) {
            log(`- ${step}: skipped: ${step === 'report' ? 'reports' : capabilityName(step)} not installed`);
            steps.push({ step, status: 'skipped', apiCalls: 0 });
            continue;
          }
          const before = rt.apiUsage()?.total ?? 0;
          const t0 = Date.now();
          try {
            const result = toCommandResult(await discovered.run(rt, stepOptions(step)));
            const used = (rt.apiUsage()?.total ?? 0) - before;
            steps.push({ step, status: result.ok ? 'ok' : 'failed', capability: discovered.capability, apiCalls: used, summary: result.summary });
            log(`- ${step} (${discovered.capability}.${discovered.exportName}): ${result.ok ? 'ok' : 'FAILED'} in ${Date.now() - t0} ms, ${used} API calls`);
            for (const line of result.lines ?? describeSummary(result.summary)) log(`    ${line}`);
            reportHtml ??= findHtml(result.summary);
          } catch (err) {
            const used = (rt.apiUsage()?.total ?? 0) - before;
            const message = scrubString((err as Error).message);
            steps.push({ step, status: 'failed', capability: discovered.capability, apiCalls: used, error: message });
            log(`- ${step}: FAILED: ${message}`);
          }
        }
        const usage = rt.apiUsage();
        apiCalls = usage?.total ?? 0;
        log(`API calls: ${usage ? formatUsage({ total: () => usage.total, bySurface: () => usage.bySurface }) : '0'}`);
      }
    );
  } finally {
    await emulator.close();
  }
  if (reportHtml) log(`HTML report: ${reportHtml}`);
  const ok = steps.every((s) => s.status !== 'failed');
  log(`${ok ? 'Done' : 'Finished with failures'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ok, steps, reportHtml, apiCalls };
}

function capabilityName(step: PipelineStep): string {
  return { ingest: 'ingest', qualify: 'qualification', convert: 'conversion', history: 'history', report: 'reports' }[step];
}

/** Step options for the demo run (each capability documents its own). */
function stepOptions(step: PipelineStep): Record<string, unknown> | undefined {
  if (step === 'ingest') return { samples: true };
  return undefined;
}

/** A short, readable version of a summary object: top-level scalars, one per line. */
function describeSummary(summary: unknown): string[] {
  if (!summary || typeof summary !== 'object') return summary === undefined || summary === null ? [] : [String(summary)];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(summary as Record<string, unknown>)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) lines.push(`${k}: ${String(v)}`);
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const scalars = Object.entries(v as Record<string, unknown>).filter(([, x]) => ['string', 'number', 'boolean'].includes(typeof x));
      if (scalars.length) lines.push(`${k}: ${scalars.map(([a, b]) => `${a}=${String(b)}`).join(', ')}`);
    } else if (Array.isArray(v)) lines.push(`${k}: ${v.length} item(s)`);
  }
  return lines.slice(0, 12);
}

/** The first `*.html` path anywhere in a summary (reports return their files). */
function findHtml(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.endsWith('.html') ? value : undefined;
  if (!value || typeof value !== 'object' || depth > 4) return undefined;
  for (const v of Object.values(value as Record<string, unknown>)) {
    const hit = findHtml(v, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

if (require.main === module) {
  runStart().then(
    (r) => {
      process.exitCode = r.ok ? 0 : 1;
    },
    (err: Error) => {
      process.stderr.write(`npm start failed: ${scrubString(err.message)}\n`);
      process.exitCode = 1;
    }
  );
}
