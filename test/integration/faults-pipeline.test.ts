/**
 * Reliability: the whole pipeline (ingest -> qualify -> convert -> history) runs against the local org while
 * the emulator injects faults, then runs again with the faults cleared (a user rerunning after an incident).
 * For every fault, counting in the org afterwards must show 0 leads lost, 0 duplicates and 0 double
 * conversions. A step may fail under a fault, but only with a clear Salesforce error (never a crash or a
 * silent loss); the daily-limit case must stop cleanly and resume.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { runConvert } from '../../src/conversion';
import { runHistory } from '../../src/history';
import { runIngest } from '../../src/ingest';
import { writeSampleCsv } from '../../src/ingest/generate';
import { runQualify } from '../../src/qualification';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { cliEnv, LEADFLOW_BIN, runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

// A connection cut mid-response must fail fast as a transient REQUEST_TIMEOUT (and be retried), not hang.
process.env.LEADFLOW_REQUEST_TIMEOUT_MS = '4000';

const CSV_ROWS = 150;
const QUALIFIED = 40;

interface Scenario {
  name: string;
  /** Body for PUT /__emulator/faults, given the API calls used so far. */
  faults: (used: number) => Record<string, unknown>;
  /** Faults the service must absorb completely (retried or refreshed): every step succeeds on the first run. */
  absorbed?: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'UNABLE_TO_LOCK_ROW on 15% of records',
    faults: () => ({ seed: 7, rules: [{ kind: 'UNABLE_TO_LOCK_ROW', scope: 'record', rate: 0.15 }] }),
    absorbed: true
  },
  {
    name: '503 SERVER_UNAVAILABLE on 10% of calls',
    faults: () => ({ seed: 11, rules: [{ kind: 'SERVER_UNAVAILABLE', rate: 0.1 }] })
  },
  {
    name: 'connections dropped on 8% of calls',
    faults: () => ({ seed: 13, rules: [{ kind: 'DROP_CONNECTION', rate: 0.08 }] })
  },
  {
    name: 'access tokens expired mid-run',
    faults: () => ({
      expireTokensNow: true,
      seed: 3,
      rules: [{ kind: 'INVALID_SESSION_ID', calls: [5, 17, 40] }]
    }),
    absorbed: true
  },
  { name: 'daily API limit reached mid-run', faults: (used) => ({ dailyApiLimit: used + 25, rules: [] }) }
];

type Step = 'ingest' | 'qualify' | 'convert' | 'history';

describe.each(scenarios)('pipeline under fault: $name', (scenario) => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let store: Store;
  let dir: string;
  let client: OrgClient;

  const admin = async (body: Record<string, unknown>) => {
    const res = await fetch(`${org.url}/__emulator/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-emulator-admin-key': org.emulator.adminKey },
      body: JSON.stringify(body)
    });
    if (!res.ok) throw new Error(`admin endpoint: ${res.status} ${await res.text()}`);
  };
  const used = async (): Promise<number> => {
    const limits = (await conn.request('/services/data/v62.0/limits')) as {
      DailyApiRequests: { Max: number; Remaining: number };
    };
    return limits.DailyApiRequests.Max - limits.DailyApiRequests.Remaining;
  };

  const config = () => ({
    outputDir: path.join(dir, 'out'),
    ingest: {
      sources: [
        {
          name: 'faults',
          kind: 'csv',
          preset: 'hubspot',
          path: path.join(dir, 'leads.csv'),
          sourceSystem: 'faults'
        }
      ],
      write: { batchSize: 50, bulkThreshold: 100000, maxRetries: 3, retryBaseMs: 10 }
    },
    conversion: { maxRetries: 3, retryBaseMs: 10 },
    history: { overlapMinutes: 10 }
  });

  /** Runs every step; a step that fails under the fault is recorded with its error, the next steps still run. */
  async function pipeline(): Promise<Record<Step, string>> {
    const outcome = {} as Record<Step, string>;
    const steps: [Step, (rt: Parameters<typeof runIngest>[0]) => Promise<unknown>][] = [
      ['ingest', (rt) => runIngest(rt, { source: 'faults' })],
      ['qualify', (rt) => runQualify(rt, { all: true })],
      ['convert', (rt) => runConvert(rt, {})],
      ['history', (rt) => runHistory(rt, {})]
    ];
    for (const [name, step] of steps) {
      if (process.env.DEBUG_FAULTS) process.stderr.write(`step ${name} start\n`);
      try {
        await withRuntime({ store, org: client, json: true, config: config(), cwd: dir }, step);
        outcome[name] = 'ok';
      } catch (err) {
        const e = err as Error & { errorCode?: string; code?: string };
        // A failure must be a named, explained error, not a crash of the process.
        expect(e.message.length).toBeGreaterThan(0);
        outcome[name] = `${e.errorCode ?? e.code ?? e.name}: ${e.message}`;
      }
    }
    return outcome;
  }

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none', dailyApiLimit: 1_000_000 });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-faults-'));
    await writeSampleCsv(path.join(dir, 'leads.csv'), { rows: CSV_ROWS, seed: 21, uniquePeople: true });
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    // Leads whose reps already captured BANT: the pipeline must qualify and convert each exactly once.
    const qualified = Array.from({ length: QUALIFIED }, (_, i) => ({
      LastName: `Qualified${i}`,
      Company: `Fault Co ${i % 20}`,
      Website: `https://fault-co-${i % 20}.com`,
      LeadSource: 'Web',
      Budget_Confirmed__c: true,
      Budget_Amount__c: 50000,
      Authority_Level__c: 'Decision Maker',
      Need_Identified__c: true,
      Purchase_Timeline__c: 'Immediate'
    }));
    const res = (await conn.sobject('Lead').create(qualified)) as { success: boolean }[];
    expect(res.every((r) => r.success)).toBe(true);
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should end with 0 leads lost, 0 duplicates and 0 double conversions after a rerun', async () => {
    await admin(scenario.faults(await used()));
    const underFault = await pipeline();
    if (scenario.absorbed)
      expect(underFault).toEqual({ ingest: 'ok', qualify: 'ok', convert: 'ok', history: 'ok' });
    await admin({ seed: 1, rules: [], dailyApiLimit: 1_000_000 });
    // The fault may have expired every token, including this test's own: verify with a fresh one.
    conn = org.connection(await org.emulator.issueAccessToken());
    const rerun = await pipeline();
    expect(rerun).toEqual({ ingest: 'ok', qualify: 'ok', convert: 'ok', history: 'ok' });
    if (scenario.name.startsWith('daily API limit')) {
      // The limit must stop the run cleanly with Salesforce's error, not lose anything.
      expect(Object.values(underFault).some((o) => o.includes('REQUEST_LIMIT_EXCEEDED'))).toBe(true);
    }

    // 0 lost, 0 duplicates: every CSV row is exactly one lead, keyed by its source id.
    const ingested = await conn.query<{ Source_External_Id__c: string }>(
      "SELECT Source_External_Id__c FROM Lead WHERE Source_System__c = 'faults'"
    );
    const csvIds = ingested.records.map((r) => r.Source_External_Id__c);
    expect(new Set(csvIds).size).toBe(csvIds.length);
    expect(csvIds.length).toBe(CSV_ROWS);

    // Every qualified lead converted exactly once: one opportunity per converted lead, no extra ones.
    const converted = await conn.query<{ ConvertedOpportunityId: string; ConvertedAccountId: string }>(
      "SELECT ConvertedOpportunityId, ConvertedAccountId FROM Lead WHERE LastName LIKE 'Qualified%' AND IsConverted = true"
    );
    expect(converted.totalSize).toBe(QUALIFIED);
    const opportunities = (await conn.query('SELECT COUNT() FROM Opportunity')).totalSize;
    expect(new Set(converted.records.map((r) => r.ConvertedOpportunityId)).size).toBe(QUALIFIED);
    expect(opportunities).toBe(QUALIFIED);

    // No second account for the same company domain.
    const accounts = await conn.query<{ Website_Domain__c: string }>(
      'SELECT Website_Domain__c FROM Account WHERE Website_Domain__c != null'
    );
    const domains = accounts.records.map((a) => a.Website_Domain__c);
    expect(new Set(domains).size).toBe(domains.length);
    expect(new Set(converted.records.map((r) => r.ConvertedAccountId)).size).toBe(20);

    // A third run has nothing left to do.
    const before = (await conn.query('SELECT COUNT() FROM Lead')).totalSize;
    await pipeline();
    expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(before);
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(QUALIFIED);
  });
});

/**
 * Process killed mid-run: `leadflow convert` (a real CLI child, on-disk store) is killed with SIGKILL between
 * and inside convertLead batches, then the pipeline is run again. No lead is converted twice, none is left.
 */
describe('pipeline under fault: convert process killed with SIGKILL', () => {
  const LEADS = 30;
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  let child: ChildProcess | undefined;
  const env = cliEnv();

  const cli = async (...args: string[]) => {
    const run = await runLeadflow(['--config', configPath, '--json', ...args], {
      cwd: dir,
      env,
      timeoutMs: 110_000
    });
    return { status: run.code, stdout: run.stdout, stderr: run.stderr };
  };
  const convertedCount = async () =>
    (await conn.query("SELECT COUNT() FROM Lead WHERE LastName LIKE 'Killed%' AND IsConverted = true"))
      .totalSize;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-kill-'));
    // One lead per convertLead call so the kill lands between calls.
    configPath = writeLocalConfig(dir, org.url, { conversion: { batchSize: 1 } });
    const leads = Array.from({ length: LEADS }, (_, i) => ({
      LastName: `Killed${i}`,
      Company: `Kill Co ${i % 10}`,
      Website: `https://kill-co-${i % 10}.com`,
      LeadSource: 'Web',
      Budget_Confirmed__c: true,
      Budget_Amount__c: 20000,
      Authority_Level__c: 'Decision Maker',
      Need_Identified__c: true,
      Purchase_Timeline__c: 'Immediate'
    }));
    expect(
      ((await conn.sobject('Lead').create(leads)) as { success: boolean }[]).every((r) => r.success)
    ).toBe(true);
    expect((await cli('qualify', '--all')).status).toBe(0);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should convert every lead exactly once after the rerun', async () => {
    child = spawn(process.execPath, [LEADFLOW_BIN, '--config', configPath, '--json', 'convert'], {
      cwd: dir,
      env,
      stdio: 'ignore'
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child!.on('exit', (code, signal) => resolve(signal ?? code))
    );
    const deadline = Date.now() + 90_000;
    let before = 0;
    while (Date.now() < deadline && child.exitCode === null) {
      before = await convertedCount();
      if (before >= 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(child.exitCode).toBeNull(); // the kill lands mid-run
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const afterKill = await convertedCount();
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(LEADS);

    const rerun = await cli('convert');
    expect(rerun.status).toBe(0);
    expect((await cli('history')).status).toBe(0);

    const converted = await conn.query<{ ConvertedOpportunityId: string; ConvertedAccountId: string }>(
      "SELECT ConvertedOpportunityId, ConvertedAccountId FROM Lead WHERE LastName LIKE 'Killed%' AND IsConverted = true"
    );
    expect(converted.totalSize).toBe(LEADS);
    expect(new Set(converted.records.map((r) => r.ConvertedOpportunityId)).size).toBe(LEADS);
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBe(LEADS);
    // One account per company domain, even for the batch the kill interrupted.
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(10);
    expect(new Set(converted.records.map((r) => r.ConvertedAccountId)).size).toBe(10);
    // And a third run has nothing left to do.
    expect(JSON.parse((await cli('convert')).stdout)).toMatchObject({ ok: true, summary: { converted: 0 } });
  });
});
