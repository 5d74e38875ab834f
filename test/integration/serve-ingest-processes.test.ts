/**
 * Issue 17, the sequence an operator reported: `leadflow serve` (default PGlite store) accepts web-form
 * submissions with 202 while separate `leadflow ingest --source webform` processes run now and then; then serve
 * is restarted. Before, each process kept its own copy of the data dir: the ingests read 3, 0, 0, 0, 0 rows.
 * Now the CLI processes use serve's store: every 202 lands in the org exactly once, the store opens cleanly
 * afterwards and `leadflow doctor` reports the store ok.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { signBody } from '../../src/ingest';
import { openStore } from '../../src/store/store';
import { lockPathFor } from '../../src/store/data-dir-lock';
import { runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';
import { startServeProcess } from '../helpers/serve';

jest.setTimeout(600_000);
const SECRET = 'serve-ingest-secret-0123456789';
const SOURCE = 'webform';

describe('serve accepting submissions while separate ingest processes run', () => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  const children: ChildProcess[] = [];
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_'))), LEADFLOW_TEST_WEBFORM_SECRET: SECRET };

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    // doctor checks the running user's permission set, as an admin sets it up (docs/admin-guide.md).
    const [permset] = (await conn.query<{ Id: string }>("SELECT Id FROM PermissionSet WHERE Name = 'Leadflow_Integration'")).records;
    const [user] = (await conn.query<{ Id: string }>("SELECT Id FROM User WHERE Username = 'admin@leadflow.local'")).records;
    await conn.sobject('PermissionSetAssignment').create({ PermissionSetId: permset!.Id, AssigneeId: user!.Id });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-si-'));
    configPath = writeLocalConfig(dir, org.url, {
      serve: { port: 0, schedules: {} },
      ingest: { sources: [{ name: SOURCE, kind: 'webhook', secretEnv: 'LEADFLOW_TEST_WEBFORM_SECRET', rateLimitPerMinute: 100_000 }] }
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startServe = () => startServeProcess({ configPath, cwd: dir, env, children });

  let counter = 0;
  async function submit(url: string): Promise<string> {
    const i = counter++;
    const text = JSON.stringify({ recordId: `r-${i}`, email: `p${i}@si-${i}.example.com`, firstName: 'Sam', lastName: `Shared${i}`, company: `Shared Co ${i}` });
    const res = await fetch(`${url}/sources/${SOURCE}/leads`, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', 'x-leadflow-signature': signBody(SECRET, text) }
    });
    expect(res.status).toBe(202);
    return `${SOURCE}:r-${i}`;
  }

  const ingest = () => runLeadflow(['--config', configPath, '--json', 'ingest', '--source', SOURCE], { cwd: dir, env, timeoutMs: 240_000 });
  const readOf = (stdout: string) => (JSON.parse(stdout) as { summary: { read: number } }).summary.read;

  async function leadsInOrg(): Promise<Map<string, number>> {
    const rows = (await conn.query<{ Source_External_Id__c: string }>(`SELECT Source_External_Id__c FROM Lead WHERE Source_System__c = '${SOURCE}'`)).records;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.Source_External_Id__c, (counts.get(r.Source_External_Id__c) ?? 0) + 1);
    return counts;
  }

  it('should land every 202 in the org exactly once, across rounds, concurrent ingests and a serve restart', async () => {
    const accepted: string[] = [];
    const first = await startServe();
    // GIVEN five rounds of three submissions, each followed by a separate ingest process
    const reads: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 3; k++) accepted.push(await submit(first.url));
      const run = await ingest();
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      reads.push(readOf(run.stdout));
    }
    // THEN each ingest read exactly the three new submissions (was 3, 0, 0, 0, 0)
    expect(reads).toEqual([3, 3, 3, 3, 3]);

    // AND WHEN two ingests start together while submissions keep arriving
    const both = Promise.all([ingest(), ingest()]);
    for (let k = 0; k < 6; k++) accepted.push(await submit(first.url));
    const runs = await both;
    // THEN one ran and the other ran too or was refused with exit code 5 naming it (nothing lost either way)
    for (const r of runs) {
      if (r.code === 5) expect(JSON.parse(r.stdout).error.message).toMatch(/^ingest --source webform is already running \(pid \d+/);
      else expect(r.code).toBe(0);
    }

    // WHEN serve is restarted and one more ingest runs
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).not.toMatch(/Error|Aborted/);
    const second = await startServe();
    try {
      const last = await ingest();
      expect(last.code).toBe(0);
      // THEN every accepted submission is a Lead, once
      const leads = await leadsInOrg();
      expect([...leads.keys()].sort()).toEqual([...accepted].sort());
      expect([...leads.values()].every((n) => n === 1)).toBe(true);
      // AND a further ingest reads nothing again
      const again = await ingest();
      expect(readOf(again.stdout)).toBe(0);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    // AND the store opens cleanly, every inbox row processed once, and doctor finds the store healthy
    expect(fs.existsSync(lockPathFor(path.join(dir, 'store')))).toBe(false);
    const store = await openStore({ dataDir: path.join(dir, 'store') });
    try {
      const rows = await store.query<{ status: string }>('select status from ingest_inbox where source = $1', [SOURCE]);
      expect(rows).toHaveLength(accepted.length);
      expect(rows.every((r) => r.status === 'processed')).toBe(true);
    } finally {
      await store.close();
    }
    const doctor = await runLeadflow(['--config', configPath, '--json', 'doctor'], { cwd: dir, env, timeoutMs: 120_000 });
    const report = JSON.parse(doctor.stdout) as { summary: { checks: Array<{ name: string; status: string; detail?: string }> } };
    expect(report.summary.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.summary.checks.find((c) => c.name === 'store')).toEqual({ name: 'store', status: 'pass', detail: 'pglite store open, migrations applied' });
    expect(doctor.code).toBe(0);
  });
});
