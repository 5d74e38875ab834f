/**
 * Several `serve` instances on one PostgreSQL database (issue 17 point 6): instances started in the same
 * second on a new database all start (pg-boss queue creation is serialised under the setup advisory lock),
 * and a tick that finds its job lock held by another run is logged and skipped, not run twice.
 * Runs when LEADFLOW_TEST_DATABASE_URL is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startServe, type ServeHandle } from '../../src/serve';
import { openStore } from '../../src/store/store';
import { withJobLock } from '../../src/store/locks';
import { createTestSchema, dropTestSchema } from '../helpers/postgres';

jest.setTimeout(180_000);
const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;

(pgUrl ? describe : describe.skip)('serve instances on PostgreSQL', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `lf_inst_${id}`;
  const bossSchema = `lf_iboss_${id}`;
  const handles: ServeHandle[] = [];
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createTestSchema(pgUrl!, schema);
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await dropTestSchema(pgUrl!, schema);
    await dropTestSchema(pgUrl!, bossSchema);
  });

  it('should start three instances at once on a new database, and skip a tick whose job another run holds, with a log line', async () => {
    // GIVEN a new database and boss schema, and a log of each instance
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const runs: string[] = [];
    // WHEN three instances start in the same second
    const started = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) =>
        startServe({
          cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'lf-inst-')),
          env: {},
          logger,
          config: { store: { databaseUrl }, serve: { port: 0, schedules: {} }, logLevel: 'info' },
          bossSchema,
          pollingIntervalSeconds: 0.5,
          routes: [],
          jobs: {
            convert: async () => {
              runs.push(name);
              return { ok: true, summary: {} };
            }
          }
        })
      )
    );
    for (const s of started) if (s.status === 'fulfilled') handles.push(s.value);
    // THEN all three run
    expect(started.map((s) => (s.status === 'rejected' ? String((s.reason as Error).message) : 'started'))).toEqual(['started', 'started', 'started']);

    // AND WHEN a CLI convert holds the convert job lock while a tick is queued
    const store = await openStore({ databaseUrl });
    try {
      await withJobLock(
        store,
        ['convert'],
        async () => {
          await handles[0]!.scheduler.runNow('convert');
          const deadline = Date.now() + 20_000;
          while (!lines.some((l) => String(l.msg).startsWith('tick skipped')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        },
        { command: 'leadflow convert' }
      );
    } finally {
      await store.close();
    }
    // THEN the tick did not run and said why
    expect(runs).toEqual([]);
    const skipped = lines.find((l) => String(l.msg).startsWith('tick skipped'));
    expect(skipped).toMatchObject({ job: 'convert', msg: expect.stringMatching(/^tick skipped: convert is already running \(pid \d+ on host .+, since .+\)$/) });
    expect(skipped?.holder).toMatchObject({ pid: process.pid, command: 'leadflow convert' });

    // AND the next tick, with the lock free, runs once
    await handles[1]!.scheduler.runNow('convert');
    const deadline = Date.now() + 20_000;
    while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500));
    expect(runs).toHaveLength(1);
  });
});
