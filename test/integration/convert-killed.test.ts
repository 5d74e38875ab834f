/**
 * `leadflow convert` killed with SIGKILL mid-batch (issue 17): the first convertLead batch went through, the
 * second is stuck retrying when the process dies. The next run takes over the store and the job lock of the
 * dead pid, settles the leads left 'pending' from the org, converts the rest once, and closes the dead run's
 * runs row as failed: ledger and org agree, one account per domain.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { parseFaultConfig } from '../../emulator/faults/config';
import { openStore } from '../../src/store/store';
import { LEADFLOW_BIN, cliEnv, runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

jest.setTimeout(600_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('convert killed mid-batch, then run again', () => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-ck-'));
    configPath = writeLocalConfig(dir, org.url, { conversion: { batchSize: 10, maxRetries: 10, retryBaseMs: 2000 } });
  });
  afterAll(async () => {
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should leave the ledger matching the org after the next run, each lead converted once', async () => {
    // GIVEN 30 qualified leads over 3 domains; convertLead calls after the first fail with 503 (retried)
    const records = Array.from({ length: 30 }, (_, i) => ({
      Status: 'Open - Not Contacted', Qualification_Status__c: 'Qualified', Lead_Grade__c: 'Hot',
      LastName: `Killed${i}`, Company: `Killed Co ${i % 3}`, Website: `https://killed${i % 3}-leadflow.com`
    }));
    await conn.sobject('Lead').create(records, { allOrNone: true });
    org.emulator.faults.replace(
      parseFaultConfig({ rules: [{ kind: 'SERVER_UNAVAILABLE', calls: Array.from({ length: 200 }, (_, i) => i + 2), pathPrefix: '/services/Soap' }] })
    );

    // WHEN a convert is killed while its second batch is being retried
    const child = spawn(process.execPath, [LEADFLOW_BIN, '--config', configPath, '--json', 'convert'], { cwd: dir, env: cliEnv(), stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code)));
    const deadline = Date.now() + 180_000;
    while ((org.emulator.faults.state().rules[0]?.fired ?? 0) === 0 && Date.now() < deadline) await sleep(100);
    expect(org.emulator.faults.state().rules[0]!.fired).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const convertedAtKill = (await conn.query<{ Id: string }>("SELECT Id FROM Lead WHERE IsConverted = true AND LastName LIKE 'Killed%'")).records.length;
    expect(convertedAtKill).toBe(10);

    // AND the next convert runs with the org healthy again
    org.emulator.faults.replace(parseFaultConfig({}));
    const next = await runLeadflow(['--config', configPath, '--json', 'convert'], { cwd: dir, timeoutMs: 300_000 });

    // THEN it converted the 20 others (the 10 done before the kill are settled, not converted again)
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/Error/) });
    expect(JSON.parse(next.stdout).summary).toMatchObject({ converted: 20, failed: 0 });
    const leads = (await conn.query<{ Id: string; IsConverted: boolean; ConvertedAccountId: string; ConvertedContactId: string }>(
      "SELECT Id, IsConverted, ConvertedAccountId, ConvertedContactId FROM Lead WHERE LastName LIKE 'Killed%'"
    )).records;
    expect(leads.filter((l) => !l.IsConverted)).toEqual([]);
    const accounts = (await conn.query<{ Website_Domain__c: string }>("SELECT Website_Domain__c FROM Account WHERE Website_Domain__c LIKE 'killed%'")).records;
    expect(accounts.map((a) => a.Website_Domain__c).sort()).toEqual(['killed0-leadflow.com', 'killed1-leadflow.com', 'killed2-leadflow.com']);
    const contacts = (await conn.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName LIKE 'Killed%'")).records;
    expect(contacts).toHaveLength(30);

    // AND the ledger says exactly what the org says; the killed run's row is closed as failed
    const store = await openStore({ dataDir: path.join(dir, 'store') });
    try {
      const ledger = await store.query<{ lead_id: string; status: string; account_id: string; contact_id: string }>(
        'select lead_id, status, account_id, contact_id from conversion_ledger'
      );
      expect(ledger).toHaveLength(30);
      const byId = new Map(ledger.map((r) => [r.lead_id, r]));
      for (const l of leads) {
        expect(byId.get(l.Id)).toEqual({ lead_id: l.Id, status: 'converted', account_id: l.ConvertedAccountId, contact_id: l.ConvertedContactId });
      }
      const runs = await store.query<{ status: string; error: string | null }>(
        "select status, summary->>'error' as error from runs where command = 'convert' order by id"
      );
      expect(runs).toEqual([
        { status: 'failed', error: expect.stringMatching(/stopped \(killed or crashed\) before it finished/) },
        { status: 'ok', error: null }
      ]);
    } finally {
      await store.close();
    }
  });
});
