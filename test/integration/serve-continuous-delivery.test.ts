/**
 * `leadflow serve` with `serve.continuousDelivery` on and no ingest schedule: signed web-form submissions
 * answered 202 become Leads in the org without any `leadflow ingest` run, each exactly once (a replayed
 * submission included), and every inbox row ends processed by a `serve:deliver` run.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { signBody } from '../../src/ingest';
import { openStore } from '../../src/store/store';
import { writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';
import { startServeProcess } from '../helpers/serve';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const SECRET = 'delivery-test-secret-0123456789';
const SOURCE = 'webform-live';
const SUBMISSIONS = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serve delivers accepted webhook submissions continuously', () => {
  let org: TestOrg;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  const children: ChildProcess[] = [];
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_'))),
    LEADFLOW_TEST_DELIVERY_SECRET: SECRET
  };

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-delivery-'));
    configPath = writeLocalConfig(dir, org.url, {
      // No ingest schedule: only continuous delivery can bring the submissions to the org.
      serve: { port: 0, schedules: {}, continuousDelivery: { enabled: true, windowMs: 100, batchSize: 50 } },
      ingest: {
        sources: [
          {
            name: SOURCE,
            kind: 'webhook',
            secretEnv: 'LEADFLOW_TEST_DELIVERY_SECRET',
            rateLimitPerMinute: 100_000
          }
        ],
        write: { batchSize: 50, bulkThreshold: 100_000 }
      }
    });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await org?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startServe = () => startServeProcess({ configPath, cwd: dir, env, children });

  const lead = (i: number) => ({
    recordId: `live-${i}`,
    email: `person${i}@live-${i}.example.com`,
    firstName: 'Sam',
    lastName: `Live${i}`,
    company: `Live Co ${i}`
  });

  async function submit(url: string, body: object): Promise<number> {
    const text = JSON.stringify(body);
    const res = await fetch(`${url}/sources/${SOURCE}/leads`, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', 'x-leadflow-signature': signBody(SECRET, text) }
    });
    await res.arrayBuffer();
    return res.status;
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

  it('should create every accepted submission as a Lead exactly once without a manual ingest run', async () => {
    const serve = await startServe();
    // GIVEN submissions arriving ten at a time, and a replay of the first ten (200 duplicate, not stored again)
    const statuses: number[] = [];
    for (let i = 0; i < SUBMISSIONS; i += 10) {
      statuses.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, k) => submit(serve.url, lead(i + k)))))
      );
    }
    const replays = await Promise.all(Array.from({ length: 10 }, (_, k) => submit(serve.url, lead(k))));

    // WHEN nothing but serve runs: THEN every submission becomes a Lead (polled; the bound is generous)
    const expected = Array.from({ length: SUBMISSIONS }, (_, i) => `${SOURCE}:live-${i}`).sort();
    const deadline = Date.now() + 60_000;
    let leads = await leadsByExternalId();
    while (leads.size < SUBMISSIONS && Date.now() < deadline) {
      await sleep(500);
      leads = await leadsByExternalId();
    }
    expect(statuses.every((s) => s === 202)).toBe(true);
    expect(replays.every((s) => s === 200)).toBe(true);
    expect({
      leads: leads.size,
      serveLog: leads.size < SUBMISSIONS ? serve.stderr().slice(-3000) : ''
    }).toEqual({ leads: SUBMISSIONS, serveLog: '' });
    expect([...leads.keys()].sort()).toEqual(expected);
    // AND each exactly once, also after a further quiet moment (no drain delivers a submission twice)
    await sleep(1_000);
    const later = await leadsByExternalId();
    expect([...later.values()].every((n) => n === 1)).toBe(true);
    expect(later.size).toBe(SUBMISSIONS);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    // AND the inbox holds every submission once, processed by continuous-delivery runs
    const store = await openStore({ dataDir: path.join(dir, 'store') });
    try {
      const inbox = await store.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from ingest_inbox where source = $1 group by status',
        [SOURCE]
      );
      expect(inbox).toEqual([{ status: 'processed', n: SUBMISSIONS }]);
      const runs = await store.query<{ command: string; status: string }>(
        "select distinct command, status from runs where command like 'serve:%'"
      );
      expect(runs).toEqual([{ command: 'serve:deliver', status: 'ok' }]);
    } finally {
      await store.close();
    }
  }, 180_000);
});
