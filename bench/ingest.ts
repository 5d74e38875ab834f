/**
 * Ingest benchmark (`npm run bench -- ingest`, `--quick` for CI sizes). Side by side, each against a fresh
 * in-process emulator and on the same generated rows:
 *  - `leadflow ingest` (a CLI child process): streamed CSV, normalise + validate, dedupe against the org,
 *    routing, Bulk API 2.0 upserts by Source_External_Id__c, ledger. Measured: rows/s, API calls, peak RSS.
 *  - `sf data upsert bulk` (node_modules/.bin/sf, logged in with `sf org login access-token`): the same rows
 *    with Salesforce field names as headers (sf has no column mapping and does no normalisation,
 *    validation or de-duplication), one Bulk API 2.0 job. sf polls every 5 s, so its time is rounded up to that.
 *  - A large run (1M rows; 50k with --quick) of leadflow alone, to show memory stays flat with file size.
 * Peak RSS is the child's VmHWM from /proc, sampled every 100 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify';
import { startEmulator } from '../emulator/server';
import { generateRows, writeSampleCsv } from '../src/ingest/generate';
import type { BenchResult } from './run';
import { runChild, type ChildRun } from './child';

const ROOT = path.resolve(__dirname, '..');

/** Same rows as the HubSpot-style file, as Salesforce columns, values as exported (no normalisation). */
async function writeSalesforceCsv(file: string, rows: number, seed: number): Promise<void> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const columns = ['Source_External_Id__c', 'FirstName', 'LastName', 'Email', 'Phone', 'Company', 'Website', 'Title', 'City', 'State', 'Country', 'LeadSource', 'Source_System__c'];
  const csv = stringify({ header: true, columns });
  csv.pipe(out);
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  for (const r of generateRows({ rows, seed, uniquePeople: true })) {
    const line = [`sf:${r['Record ID']}`, r['First Name'], r['Last Name'], r.Email, r['Phone Number'], r['Company Name'], r['Website URL'], r['Job Title'], r.City, r['State/Region'], r['Country/Region'], 'HubSpot', 'sf-cli'];
    if (!csv.write(line)) await new Promise((res) => csv.once('drain', res));
  }
  csv.end();
  await done;
}

async function withEmulator<T>(fn: (url: string, token: string, apiUsed: () => Promise<number>) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-emu-'));
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', seed: 'none', quiet: true, dataDir });
  // API calls the org has counted (every client, including the sf CLI), from the emulator's admin endpoint.
  const apiUsed = async () => {
    const res = await fetch(`${emulator.url}/__emulator/usage`, { headers: { 'x-emulator-admin-key': emulator.adminKey } });
    return ((await res.json()) as { used: number }).used;
  };
  try {
    return await fn(emulator.url, await emulator.issueAccessToken(), apiUsed);
  } finally {
    await emulator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function leadflowRun(dir: string, file: string, rows: number): Promise<{ run: ChildRun; summary: Record<string, unknown> }> {
  return withEmulator(async (url) => {
    const configPath = path.join(dir, `leadflow-${rows}.config.json`);
    fs.writeFileSync(
      configPath,
      JSON.stringify({
        org: { emulatorUrl: url, bulkPollIntervalMs: 250 },
        store: { dataDir: path.join(dir, `store-${rows}-${Date.now()}`) },
        outputDir: path.join(dir, 'out'),
        logLevel: 'warn',
        ingest: { sources: [{ name: 'bench', kind: 'csv', preset: 'hubspot' }], write: { batchSize: 10_000, bulkThreshold: 2_000 } }
      })
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_')));
    const run = await runChild([path.join(ROOT, 'bin/leadflow.js'), '--config', configPath, '--json', 'ingest', file, '--source', 'bench'], { cwd: dir, env });
    if (run.code !== 0) throw new Error(`leadflow ingest exited ${run.code}: ${run.stderr.slice(-2000)} ${run.stdout.slice(-2000)}`);
    const parsed = JSON.parse(run.stdout) as { summary: Record<string, unknown> };
    return { run, summary: parsed.summary };
  });
}

async function sfRun(dir: string, file: string): Promise<ChildRun & { apiCalls: number }> {
  return withEmulator(async (url, token, apiUsed) => {
    // sf as a user runs it: no preload, no NODE_OPTIONS, the auth file exactly as `sf org login` wrote it. HOME
    // and the XDG dirs point into the bench dir so the user's own ~/.sf is never read or written.
    const home = fs.mkdtempSync(path.join(dir, 'sf-home-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      SF_DISABLE_DNS_CHECK: 'true',
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_DISABLE_AUTOUPDATE: 'true',
      SF_SKIP_NEW_VERSION_CHECK: 'true',
      SF_USE_PROGRESS_BAR: 'false'
    };
    const sf = path.join(ROOT, 'node_modules', '.bin', 'sf');
    const login = await runChild([sf, 'org', 'login', 'access-token', '--instance-url', url, '--no-prompt', '-a', 'bench', '--json'], {
      cwd: dir,
      env: { ...env, SF_ACCESS_TOKEN: token }
    });
    if (login.code !== 0) throw new Error(`sf login failed: ${login.stdout.slice(-1500)} ${login.stderr.slice(-1500)}`);
    const usedBefore = await apiUsed();
    const run = await runChild([sf, 'data', 'upsert', 'bulk', '-s', 'Lead', '-f', file, '-i', 'Source_External_Id__c', '-w', '60', '-o', 'bench', '--json'], { cwd: dir, env });
    if (run.code !== 0) throw new Error(`sf data upsert bulk exited ${run.code}: ${run.stdout.slice(-1500)}`);
    return { ...run, apiCalls: (await apiUsed()) - usedBefore };
  });
}

export async function run(): Promise<BenchResult[]> {
  const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const compareRows = quick ? 5_000 : 100_000;
  const largeRows = quick ? 50_000 : 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const results: BenchResult[] = [];
  try {
    const hubspotFile = path.join(dir, `hubspot-${compareRows}.csv`);
    const sfFile = path.join(dir, `salesforce-${compareRows}.csv`);
    await writeSampleCsv(hubspotFile, { rows: compareRows, seed: 11, uniquePeople: true });
    await writeSalesforceCsv(sfFile, compareRows, 11);

    const lf = await leadflowRun(dir, hubspotFile, compareRows);
    const lfRate = Math.round((compareRows / lf.run.ms) * 1000);
    const s = lf.summary;
    results.push(
      { name: `leadflow ingest ${compareRows} rows`, value: lfRate, unit: 'rows/s', notes: `${(lf.run.ms / 1000).toFixed(1)} s wall incl. CLI start; created ${String(s.created)}, rejected ${String(s.rejected)}; normalise+validate+dedupe against org+routing+ledger` },
      {
        name: `leadflow ingest ${compareRows} rows: API calls`,
        value: Number(s.apiCalls),
        unit: 'calls',
        baseline: `minimum for this file ${String(s.apiCallsMinimum)}`,
        baselineValue: Number(s.apiCallsMinimum),
        notes: `by surface ${JSON.stringify(s.apiCallsBySurface).replace(/"/g, '')}; by purpose ${JSON.stringify(s.apiCallsByPurpose).replace(/"/g, '')}; minimum = the calls less the Bulk status checks that found a job still running; sf's count is below`
      },
      { name: `leadflow ingest ${compareRows} rows: peak RSS`, value: lf.run.peakRssMb, unit: 'MB', notes: 'CLI child process VmHWM, including its embedded PGlite store (new store loaded from the machine\'s cached empty-cluster template)' }
    );

    const sf = await sfRun(dir, sfFile);
    const sfRate = Math.round((compareRows / sf.ms) * 1000);
    results.push(
      { name: `leadflow ingest ${compareRows} rows vs sf: API calls`, value: Number(s.apiCalls), unit: 'calls', baseline: `sf data upsert bulk ${sf.apiCalls}`, baselineValue: sf.apiCalls, notes: 'goal: no more calls than sf while also validating, de-duplicating against the org and routing (sf counted by the org: login, job, upload, polls, results)' },
      { name: `leadflow ingest ${compareRows} rows vs sf: rows/s`, value: lfRate, unit: 'rows/s', baseline: `sf data upsert bulk ${sfRate}`, baselineValue: sfRate, notes: 'leadflow normalises, validates, de-duplicates and routes; sf loads raw values' },
      { name: `sf data upsert bulk ${compareRows} rows`, value: sfRate, unit: 'rows/s', baseline: `leadflow ${lfRate}`, notes: `${(sf.ms / 1000).toFixed(1)} s wall incl. CLI start and 5 s polls; raw values, no validation/dedupe` },
      { name: `sf data upsert bulk ${compareRows} rows: peak RSS`, value: sf.peakRssMb, unit: 'MB', baseline: `leadflow ${lf.run.peakRssMb}`, baselineValue: lf.run.peakRssMb, notes: 'sf child process VmHWM' }
    );

    const largeFile = path.join(dir, `hubspot-${largeRows}.csv`);
    await writeSampleCsv(largeFile, { rows: largeRows, seed: 12, uniquePeople: true });
    fs.rmSync(hubspotFile);
    fs.rmSync(sfFile);
    const large = await leadflowRun(dir, largeFile, largeRows);
    results.push(
      {
        name: `leadflow ingest ${largeRows} rows`,
        value: Math.round((largeRows / large.run.ms) * 1000),
        unit: 'rows/s',
        notes: `${(large.run.ms / 1000).toFixed(1)} s; API calls ${String(large.summary.apiCalls)} (minimum for this file ${String(large.summary.apiCallsMinimum)}; by purpose ${JSON.stringify(large.summary.apiCallsByPurpose).replace(/"/g, '')}); created ${String(large.summary.created)}, rejected ${String(large.summary.rejected)}`
      },
      { name: `leadflow ingest ${largeRows} rows: peak RSS`, value: large.run.peakRssMb, unit: 'MB', baseline: `${lf.run.peakRssMb} MB at ${compareRows} rows`, baselineValue: lf.run.peakRssMb, notes: `${large.run.peakRssMb <= lf.run.peakRssMb * 1.2 ? 'flat' : 'NOT flat: grows'} with file size (goal: the same at ${largeRows} rows as at ${compareRows}); rows are read in batches of 10k, the CSV, reject and assignment files are streamed` }
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  run().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exitCode = 1;
    }
  );
}
