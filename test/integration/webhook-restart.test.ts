/**
 * `leadflow serve` killed with SIGKILL while its scheduled ingest job is writing webhook submissions to the
 * org, then started again on the same on-disk store. Every submission that got a 202 ends up in the org
 * exactly once (by Source_External_Id__c), and a resubmission of the same lead creates no duplicate.
 * The emulator fails the third and later collection writes until the kill, so the kill always lands
 * inside an ingest run that holds the job lock.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { parseFaultConfig } from '../../emulator/faults/config';
import { signBody } from '../../src/ingest';
import { openStore } from '../../src/store/store';
import { writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';
import { startServeProcess } from '../helpers/serve';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const SECRET = 'restart-test-secret-0123456789';
const SUBMISSIONS = 200;
const SOURCE = 'restart';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serve killed with SIGKILL with webhook submissions queued, then restarted', () => {
  let org: TestOrg;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  const children: ChildProcess[] = [];
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_'))),
    LEADFLOW_TEST_RESTART_SECRET: SECRET
  };

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-restart-'));
    configPath = writeLocalConfig(dir, org.url, {
      serve: { port: 0, schedules: { ingest: '* * * * * *' } },
      ingest: {
        sources: [
          {
            name: SOURCE,
            kind: 'webhook',
            secretEnv: 'LEADFLOW_TEST_RESTART_SECRET',
            rateLimitPerMinute: 100_000
          }
        ],
        write: { batchSize: 50, bulkThreshold: 100_000, maxRetries: 10, retryBaseMs: 500 }
      }
    });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `leadflow serve` as a child process and resolves with its URL once it listens. */
  const startServe = () => startServeProcess({ configPath, cwd: dir, env, children });

  const lead = (i: number) => ({
    recordId: `r-${i}`,
    email: `person${i}@restart-${i}.example.com`,
    firstName: 'Pat',
    lastName: `Restart${i}`,
    company: `Restart Co ${i}`
  });

  async function submit(url: string, body: object): Promise<{ status: number; id?: string }> {
    const text = JSON.stringify(body);
    const res = await fetch(`${url}/sources/${SOURCE}/leads`, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', 'x-leadflow-signature': signBody(SECRET, text) }
    });
    const json = (await res.json()) as { id?: string };
    return { status: res.status, id: json.id };
  }

  async function leadsByExternalId(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let res = await conn.query<{ Source_External_Id__c: string }>(
      `SELECT Source_External_Id__c FROM Lead WHERE Source_System__c = '${SOURCE}'`
    );
    for (;;) {
      for (const r of res.records)
        out.set(r.Source_External_Id__c, (out.get(r.Source_External_Id__c) ?? 0) + 1);
      if (res.done || !res.nextRecordsUrl) break;
      res = await conn.queryMore<{ Source_External_Id__c: string }>(res.nextRecordsUrl);
    }
    return out;
  }

  async function waitForLeads(n: number, timeoutMs: number): Promise<Map<string, number>> {
    const deadline = Date.now() + timeoutMs;
    let leads = await leadsByExternalId();
    while ([...leads.values()].reduce((a, b) => a + b, 0) < n && Date.now() < deadline) {
      await sleep(250);
      leads = await leadsByExternalId();
    }
    return leads;
  }

  it('should write every accepted submission to the org exactly once', async () => {
    // Collection writes 3.. fail with 503 (retried with backoff) until the kill: the ingest run is stuck mid-way.
    const stuck = Array.from({ length: 500 }, (_, i) => i + 3);
    org.emulator.faults.replace(
      parseFaultConfig({
        rules: [{ kind: 'SERVER_UNAVAILABLE', calls: stuck, pathPrefix: '/composite/sobjects' }]
      })
    );

    const first = await startServe();
    const accepted = new Map<string, string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < SUBMISSIONS) {
          const i = next++;
          const res = await submit(first.url, lead(i));
          expect(res.status).toBe(202);
          accepted.set(`r-${i}`, res.id!);
        }
      })
    );
    expect(accepted.size).toBe(SUBMISSIONS);
    // The scheduled ingest has reached the failing write (it holds the job lock and is retrying).
    const deadline = Date.now() + 20_000;
    while ((org.emulator.faults.state().rules[0]?.fired ?? 0) === 0 && Date.now() < deadline) await sleep(50);
    expect(org.emulator.faults.state().rules[0]!.fired).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atKill = await leadsByExternalId();
    expect(atKill.size).toBeLessThan(SUBMISSIONS);

    org.emulator.faults.replace(parseFaultConfig({}));
    const second = await startServe();
    try {
      const leads = await waitForLeads(SUBMISSIONS, 45_000);
      expect([...leads.keys()].sort()).toEqual([...accepted.keys()].map((k) => `${SOURCE}:${k}`).sort());
      expect([...leads.values()].every((n) => n === 1)).toBe(true);

      // A replay of an accepted submission is answered as a duplicate and not stored again; the same lead
      // with a changed field is a new submission; then a new lead: once the new one is in the org, the changed
      // one was processed too (it updates r-7, no second Lead).
      expect(await submit(second.url, lead(7))).toEqual({ status: 200, id: accepted.get('r-7') });
      expect((await submit(second.url, { ...lead(7), title: 'Changed after restart' })).status).toBe(202);
      expect((await submit(second.url, lead(SUBMISSIONS))).status).toBe(202);
      const after = await waitForLeads(SUBMISSIONS + 1, 20_000);
      expect(after.size).toBe(SUBMISSIONS + 1);
      expect(after.get(`${SOURCE}:r-7`)).toBe(1);
      expect([...after.values()].every((n) => n === 1)).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    expect(second.stderr()).not.toMatch(/Error/);

    // Every accepted submission is in the inbox, processed.
    const store = await openStore({ dataDir: path.join(dir, 'store') });
    try {
      const rows = await store.query<{ id: string; status: string }>(
        'select id, status from ingest_inbox where source = $1',
        [SOURCE]
      );
      expect(rows).toHaveLength(SUBMISSIONS + 2);
      expect(new Set(rows.map((r) => r.id))).toEqual(expect.objectContaining({ size: SUBMISSIONS + 2 }));
      for (const id of accepted.values()) expect(rows.find((r) => r.id === id)?.status).toBe('processed');
      expect(rows.every((r) => r.status === 'processed')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
