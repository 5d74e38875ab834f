/**
 * Two `leadflow serve` processes on one PostgreSQL database (issue 17 point 6): the instance running the
 * scheduled convert is killed with SIGKILL mid-batch; the survivor takes the job over within the documented
 * takeover time (serve.takeoverSeconds plus the wait for the next minute tick), settles the leads the dead run left
 * pending, converts the rest once, and closes the dead run's runs row as failed. Runs when
 * LEADFLOW_TEST_DATABASE_URL is set.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Connection } from '@jsforce/jsforce-node';
import pg from 'pg';
import { parseFaultConfig } from '../../emulator/faults/config';
import { openStore } from '../../src/store/store';
import { cliEnv, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';
import { createTestSchema, dropTestSchema } from '../helpers/postgres';
import { startServeProcess } from '../helpers/serve';

jest.setTimeout(900_000);
const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;
// serve.takeoverSeconds for this test: short, so the test does not wait the 2-minute default.
const TAKEOVER_SECONDS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(pgUrl ? describe : describe.skip)('serve instance killed while converting (PostgreSQL)', () => {
  const schema = `lf_to_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let databaseUrl: string;
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestSchema(pgUrl!, schema);
    // serve uses the fixed pg-boss schema leadflow_boss: start from a clean one.
    await dropTestSchema(pgUrl!, 'leadflow_boss');
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-to-'));
    configPath = writeLocalConfig(dir, org.url, {
      store: { databaseUrl },
      serve: { port: 0, schedules: { convert: '* * * * *' }, takeoverSeconds: TAKEOVER_SECONDS },
      conversion: { batchSize: 10, maxRetries: 10, retryBaseMs: 3000 }
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await org?.close();
    await dropTestSchema(pgUrl!, schema);
    await dropTestSchema(pgUrl!, 'leadflow_boss');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function convertHolderPid(): Promise<number | null> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ owner: string }>("select owner from job_locks where name = 'run:convert'");
      return rows[0] ? (JSON.parse(rows[0].owner) as { pid: number }).pid : null;
    } finally {
      await client.end();
    }
  }

  it('should finish the conversion on the survivor within the takeover time, ledger matching the org', async () => {
    // GIVEN 30 qualified leads over 3 domains; convertLead calls after the first are answered 503 (retried)
    const records = Array.from({ length: 30 }, (_, i) => ({
      Status: 'Open - Not Contacted', Qualification_Status__c: 'Qualified', Lead_Grade__c: 'Hot',
      LastName: `Takeover${i}`, Company: `Takeover Co ${i % 3}`, Website: `https://takeover${i % 3}-leadflow.com`
    }));
    await conn.sobject('Lead').create(records, { allOrNone: true });
    org.emulator.faults.replace(
      parseFaultConfig({ rules: [{ kind: 'SERVER_UNAVAILABLE', calls: Array.from({ length: 500 }, (_, i) => i + 2), pathPrefix: '/services/Soap' }] })
    );
    // AND two serve instances started together (both start: queue creation is serialised)
    const startServe = () => startServeProcess({ configPath, cwd: dir, env: cliEnv(), children });
    const instances = await Promise.all([startServe(), startServe()]);

    // WHEN the instance whose convert tick is stuck on its second batch is killed
    const deadline = Date.now() + 150_000;
    while ((org.emulator.faults.state().rules[0]?.fired ?? 0) === 0 && Date.now() < deadline) await sleep(250);
    expect(org.emulator.faults.state().rules[0]!.fired).toBeGreaterThan(0);
    const holderPid = await convertHolderPid();
    const victim = instances.find((i) => i.child.pid === holderPid)!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    org.emulator.faults.replace(parseFaultConfig({}));
    const survivor = instances.find((i) => i !== victim)!;

    // THEN the survivor converts every lead within serve.takeoverSeconds + one minute tick (+ slack for this machine)
    const limitMs = (TAKEOVER_SECONDS + 60 + 60) * 1000;
    let unconverted = 30;
    while (Date.now() - killedAt < limitMs) {
      unconverted = (await conn.query<{ Id: string }>("SELECT Id FROM Lead WHERE IsConverted = false AND LastName LIKE 'Takeover%'")).records.length;
      if (unconverted === 0) break;
      await sleep(2000);
    }
    expect(unconverted).toBe(0);
    // Let the survivor's run record its outcome, then stop it.
    await sleep(5000);
    survivor.child.kill('SIGTERM');
    await survivor.exited;

    // AND one account per domain, one contact per lead, and the ledger equals the org
    const accounts = (await conn.query<{ Website_Domain__c: string }>("SELECT Website_Domain__c FROM Account WHERE Website_Domain__c LIKE 'takeover%'")).records;
    expect(accounts.map((a) => a.Website_Domain__c).sort()).toEqual(['takeover0-leadflow.com', 'takeover1-leadflow.com', 'takeover2-leadflow.com']);
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName LIKE 'Takeover%'")).records).toHaveLength(30);
    const leads = (await conn.query<{ Id: string; ConvertedAccountId: string; ConvertedContactId: string }>(
      "SELECT Id, ConvertedAccountId, ConvertedContactId FROM Lead WHERE LastName LIKE 'Takeover%'"
    )).records;
    const store = await openStore({ databaseUrl });
    try {
      const ledger = await store.query<{ lead_id: string; status: string; account_id: string; contact_id: string }>(
        'select lead_id, status, account_id, contact_id from conversion_ledger'
      );
      const byId = new Map(ledger.map((r) => [r.lead_id, r]));
      for (const l of leads) expect(byId.get(l.Id)).toEqual({ lead_id: l.Id, status: 'converted', account_id: l.ConvertedAccountId, contact_id: l.ConvertedContactId });
      const runs = await store.query<{ status: string }>("select status from runs where command = 'serve:convert' order by id");
      expect(runs[0]).toEqual({ status: 'failed' });
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
