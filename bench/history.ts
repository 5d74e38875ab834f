/**
 * History benchmark (docs/history.md): BENCH_HISTORY_ROWS LeadHistory rows (default 1,000,000, five stage changes
 * per lead, so 200k leads) seeded straight into the emulator's tables with SQL, then:
 *  - full sync into the store (time, API calls, rows/s);
 *  - an idle incremental sync (API calls; goal 1);
 *  - the funnel report over all timelines (time);
 *  - peak RSS of this process, which holds both the emulator and the service.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { startEmulator } from '../emulator/server';
import { runHistory, runReport } from '../src/history';
import { withRuntime } from '../src/runtime/runtime';
import { createOrgClient } from '../src/salesforce/client';
import { openStore } from '../src/store/store';
import type { BenchResult } from './run';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const PER_LEAD = 5;

export async function run(): Promise<BenchResult[]> {
  const leads = Math.ceil(ROWS / PER_LEAD);
  const emulator = await startEmulator({ port: 0, quiet: true, seed: 'none', dailyApiLimit: 10_000_000 });
  const client = await createOrgClient({ emulatorUrl: emulator.url, env: {} });
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-history-'));
  const store = await openStore({ dataDir: storeDir });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
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

    const config = { history: { overlapMinutes: 0 } };
    const before = client.usage.total();
    const syncStart = Date.now();
    const full = await withRuntime({ store, org: client, json: true, config }, (rt) => runHistory(rt, { writeBack: false, sla: false }));
    const syncMs = Date.now() - syncStart;
    const syncCalls = client.usage.total() - before;

    const idleBefore = client.usage.total();
    await withRuntime({ store, org: client, json: true, config }, (rt) => runHistory(rt, { writeBack: false, sla: false }));
    const idleCalls = client.usage.total() - idleBefore;

    const reportStart = Date.now();
    const report = await withRuntime({ store, org: client, json: true, config }, (rt) =>
      runReport(rt, { outDir: path.join(storeDir, 'reports') })
    );
    const reportMs = Date.now() - reportStart;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    return [
      { name: `history rows synced (${leads} leads)`, value: full.sync.leadHistory, unit: 'rows', notes: `seeded with SQL in ${seedMs} ms (not part of the measurement)` },
      { name: 'full sync time', value: syncMs, unit: 'ms', notes: `${Math.round((full.sync.leadHistory + full.sync.leads) / (syncMs / 1000))} rows/s into the PGlite store, page by page` },
      { name: 'full sync API calls', value: syncCalls, unit: 'calls', baseline: `${Math.ceil(full.sync.leadHistory / 2000) + Math.ceil(full.sync.leads / 2000)} pages of 2000`, baselineValue: Math.ceil(full.sync.leadHistory / 2000) + Math.ceil(full.sync.leads / 2000), notes: 'one composite call for the four first pages, then one call per further page' },
      { name: 'idle sync API calls', value: idleCalls, unit: 'calls', baseline: 'goal <= 2', baselineValue: 2, notes: 'four watermarked queries in one Composite API request' },
      { name: 'report time', value: reportMs, unit: 'ms', notes: `${report.report.subjects} timelines; funnel, channels, cohorts, time in stage` },
      { name: 'peak RSS', value: Math.round(peakRss / 1024 / 1024), unit: 'MiB', notes: 'whole process: emulator (PGlite) + service + store' }
    ];
  } finally {
    clearInterval(sampler);
    await client.close();
    await store.close();
    await emulator.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}
