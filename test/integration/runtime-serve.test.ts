/**
 * `leadflow serve`: /healthz, route plugins, and the scheduler. On PostgreSQL two instances share one
 * database and a cron tick must run once (pg-boss); on PGlite the in-process scheduler guards runs with a lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startServe, type ServeHandle } from '../../src/serve';
import { createTestSchema, dropTestSchema } from '../helpers/postgres';

const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-serve-'));
}

describe('serve on PGlite (in-process scheduler)', () => {
  let handle: ServeHandle;
  let running = 0;
  let maxConcurrent = 0;
  let runs = 0;
  const cwd = tmp();

  beforeAll(async () => {
    handle = await startServe({
      cwd,
      env: {},
      config: { store: { dataDir: path.join(cwd, 'store') }, serve: { port: 0, schedules: {} }, logLevel: 'silent' },
      routes: [
        (app) => {
          app.get('/hello', async () => ({ hello: 'world' }));
        }
      ],
      jobs: {
        qualify: async () => {
          running++;
          maxConcurrent = Math.max(maxConcurrent, running);
          await sleep(300);
          running--;
          runs++;
          return { ok: true, summary: { evaluated: 0 } };
        }
      }
    });
  });
  afterAll(async () => {
    await handle?.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('should answer /healthz and mounted routes on loopback', async () => {
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await (await fetch(`${handle.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, store: 'pglite', scheduler: 'in-process' });
    expect(await (await fetch(`${handle.url}/hello`)).json()).toEqual({ hello: 'world' });
  });

  it('should never overlap runs of one job (store lock)', async () => {
    await Promise.all([handle.scheduler.runNow('qualify'), handle.scheduler.runNow('qualify')]);
    expect(maxConcurrent).toBe(1);
    expect(runs).toBe(1);
    await handle.scheduler.runNow('qualify');
    expect(runs).toBe(2);
    expect(handle.history().map((h) => [h.job, h.ok])).toEqual([
      ['qualify', true],
      ['qualify', true]
    ]);
  });
});

describe('serve on PGlite: cron schedules', () => {
  it('should run a job on its cron expression and never overlap it', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const handle = await startServe({
      cwd: tmp(),
      env: {},
      config: { store: { dataDir: 'memory://' }, serve: { port: 0, schedules: { history: '* * * * * *' } }, logLevel: 'silent' },
      routes: [],
      jobs: {
        // Slower than the 1 s schedule: ticks that arrive while it runs must be skipped, not stacked.
        history: async () => {
          if (running > 0) overlapped = true;
          running++;
          await sleep(1500);
          running--;
          runs++;
          return { ok: true, summary: {} };
        }
      }
    });
    try {
      const deadline = Date.now() + 15_000;
      while (runs < 2 && Date.now() < deadline) await sleep(100);
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(overlapped).toBe(false);
      expect(handle.scheduler.schedules()).toEqual({ history: '* * * * * *' });
    } finally {
      await handle.close();
    }
  });
});

(pgUrl ? describe : describe.skip)('serve on PostgreSQL: two instances, one scheduled run', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `lf_serve_${id}`;
  const bossSchema = `lf_boss_${id}`;
  const handles: ServeHandle[] = [];
  const executions: string[] = [];

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await dropTestSchema(pgUrl!, schema);
    await dropTestSchema(pgUrl!, bossSchema);
  });

  it('should run a cron tick once across both instances', async () => {
    // pg-boss fires a minute's tick when its previous occurrence is under 60 s old; stay clear of the
    // minute boundary so the test sees exactly one tick.
    const second = new Date().getUTCSeconds();
    if (second > 40) await sleep((61 - second) * 1000);
    const databaseUrl = await createTestSchema(pgUrl!, schema);
    for (const name of ['a', 'b']) {
      const cwd = tmp();
      handles.push(
        await startServe({
          cwd,
          env: {},
          config: { store: { databaseUrl }, serve: { port: 0, schedules: { qualify: '* * * * *' } }, logLevel: 'silent' },
          bossSchema,
          cronMonitorIntervalSeconds: 1,
          pollingIntervalSeconds: 0.5,
          routes: [],
          jobs: {
            qualify: async () => {
              executions.push(name);
              return { ok: true, summary: {} };
            }
          }
        })
      );
    }
    const deadline = Date.now() + 15_000;
    while (executions.length === 0 && Date.now() < deadline) await sleep(200);
    expect(executions.length).toBe(1);
    // Give the other instance every chance to run it a second time.
    await sleep(4000);
    expect(executions).toHaveLength(1);
    const health = await (await fetch(`${handles[1]!.url}/healthz`)).json();
    expect(health).toMatchObject({ store: 'postgres', scheduler: 'pg-boss', schedules: { qualify: '* * * * *' } });
  });
});
