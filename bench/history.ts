/**
 * History benchmark (docs/history.md): BENCH_HISTORY_ROWS LeadHistory rows (default 1,000,000, five stage changes
 * per lead, so 200k leads) seeded straight into the emulator's tables with SQL, then:
 *  - full sync into a new store: `leadflow history --no-write-back --no-sla`, a CLI child as users run it
 *    (time, API calls, rows/s, the child's peak RSS);
 *  - an idle incremental sync (API calls; goal 1);
 *  - the funnel report over all timelines: `leadflow report` (time, peak RSS).
 * The local org runs in this process (seeding writes its tables directly), so the children's memory is the
 * service's alone.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { startEmulator } from '../emulator/server';
import type { BenchResult } from './run';
import { runChild, type ChildRun } from './child';

const ROOT = path.resolve(__dirname, '..');

/** `leadflow --json <args>` as a child; its JSON result, wall time and peak RSS. */
async function leadflow(configPath: string, cwd: string, args: string[]): Promise<{ run: ChildRun; result: { summary: Record<string, unknown>; apiCalls: { total: number } | null } }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_')));
  const run = await runChild([path.join(ROOT, 'bin/leadflow.js'), '--config', configPath, '--json', ...args], { cwd, env });
  if (run.code !== 0) throw new Error(`leadflow ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-2000)} ${run.stdout.slice(-2000)}`);
  return { run, result: JSON.parse(run.stdout) as { summary: Record<string, unknown>; apiCalls: { total: number } | null } };
}

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const PER_LEAD = 5;

export async function run(): Promise<BenchResult[]> {
  const leads = Math.ceil(ROWS / PER_LEAD);
  const emulator = await startEmulator({ port: 0, quiet: true, seed: 'none', dailyApiLimit: 10_000_000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-history-'));
  const configPath = path.join(dir, 'leadflow.config.json');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  fs.writeFileSync(
    configPath,
    JSON.stringify({ org: { emulatorUrl: emulator.url }, store: { dataDir: path.join(dir, 'store') }, outputDir: path.join(dir, 'out'), logLevel: 'warn', history: { overlapMinutes: 0 } })
  );
  try {
    const db = emulator.ctx.db;
    const seedStart = Date.now();
    // Leads created over the last 540 days; channels rotate; each lead walks Name -> Engaged -> Target -> MQL -> SQL.
    await db.exec(`
      insert into sobj_lead (id, isdeleted, createddate, createdbyid, lastmodifieddate, lastmodifiedbyid, systemmodstamp,
        lastname, company, status, leadsource, funnel_stage__c, ownerid, isconverted)
      select '00Q' || lpad(i::text, 12, '0') || 'AAA', false, now() - ((i % 540) || ' days')::interval, '005000000000001AAA',
        now(), '005000000000001AAA', now() - ((i % 540) || ' days')::interval + (i || ' seconds')::interval, 'Bench ' || i, 'Company ' || (i % 5000), 'Open - Not Contacted',
        (array['Web','Trade Show','Partner Referral','Advertisement','Webinar'])[1 + i % 5], 'SQL', '005000000000001AAA', false
      from generate_series(1, ${leads}) as i;
      insert into sobj_leadhistory (id, isdeleted, createddate, createdbyid, lastmodifieddate, lastmodifiedbyid, systemmodstamp,
        leadid, field, datatype, oldvalue, newvalue)
      select '017' || lpad((i * ${PER_LEAD} + s)::text, 12, '0') || 'AAA', false,
        now() - ((i % 540) || ' days')::interval + (s * 36 || ' hours')::interval, '005000000000001AAA',
        now(), '005000000000001AAA', now(), '00Q' || lpad(i::text, 12, '0') || 'AAA', 'Funnel_Stage__c', 'Text',
        (array['Name','Name','Engaged','Target','MQL'])[s + 1], (array['Name','Engaged','Target','MQL','SQL'])[s + 1]
      from generate_series(1, ${leads}) as i, generate_series(0, ${PER_LEAD - 1}) as s;
    `);
    const seedMs = Date.now() - seedStart;

    const full = await leadflow(configPath, dir, ['history', '--no-write-back', '--no-sla']);
    const sync = (full.result.summary as { sync: { leadHistory: number; leads: number } }).sync;
    const syncMs = full.run.ms;
    const syncCalls = full.result.apiCalls?.total ?? 0;
    const idle = await leadflow(configPath, dir, ['history', '--no-write-back', '--no-sla']);
    const idleCalls = idle.result.apiCalls?.total ?? 0;
    const reportRun = await leadflow(configPath, dir, ['report', '--format', 'json', '--out', path.join(dir, 'reports')]);
    const reportMs = reportRun.run.ms;
    const subjects = Number((reportRun.result.summary as { subjects?: unknown }).subjects);
    const pages = Math.ceil(sync.leadHistory / 2000) + Math.ceil(sync.leads / 2000);

    return [
      { name: `history rows synced (${leads} leads)`, value: sync.leadHistory, unit: 'rows', notes: `seeded with SQL in ${seedMs} ms (not part of the measurement)` },
      { name: 'full sync time', value: syncMs, unit: 'ms', notes: `${Math.round((sync.leadHistory + sync.leads) / (syncMs / 1000))} rows/s into a new PGlite store, page by page; leadflow history CLI child, wall time incl. start` },
      { name: 'full sync API calls', value: syncCalls, unit: 'calls', baseline: `${pages} pages of 2000`, baselineValue: pages, notes: 'one Composite call for the four first pages and the stage list, one for the org currency (a new store), then one call per further page' },
      { name: 'full sync peak RSS', value: full.run.peakRssMb, unit: 'MB', baseline: 'goal < 1024 MB', baselineValue: 1024, notes: 'leadflow history child VmHWM (service + its PGlite store; the local org runs in the bench process)' },
      { name: 'idle sync API calls', value: idleCalls, unit: 'calls', baseline: 'goal <= 2', baselineValue: 2, notes: 'four watermarked queries and the stage list in one Composite API request (Salesforce takes five queries in one; the org currency is re-read once a day)' },
      { name: 'report time', value: reportMs, unit: 'ms', notes: `${subjects} timelines; funnel, channels, cohorts, time in stage; leadflow report CLI child, wall time incl. start` },
      { name: 'report peak RSS', value: reportRun.run.peakRssMb, unit: 'MB', notes: 'leadflow report child VmHWM' },
      { name: 'bench process peak RSS', value: Math.round(peakRss / 1024 / 1024), unit: 'MiB', notes: 'the local org (PGlite with 1M history rows) and this bench, not the service' }
    ];
  } finally {
    clearInterval(sampler);
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
