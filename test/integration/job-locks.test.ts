/**
 * Job locks (src/store/locks.ts withJobLock) on PGlite and, when LEADFLOW_TEST_DATABASE_URL is set, on
 * PostgreSQL (advisory locks): one run per job, the holder named, --wait, dead holders taken over, and
 * runs rows of a dead run closed as failed.
 */
import os from 'node:os';
import { spawn } from 'node:child_process';
import { JobLockedError, currentJobLocks, withJobLock } from '../../src/store/locks';
import type { Store } from '../../src/store/types';
import { openStorePair, storeBackends } from '../helpers/store-backends';

const backends = storeBackends('lf_jl');

describe.each(backends)('job locks on $name', (backend) => {
  let store: Store;
  let other: Store;
  // PostgreSQL: a second pool stands in for another process (advisory locks are per session).
  openStorePair(backend, (s, o) => {
    store = s;
    other = o;
  });

  it('should refuse a second run of the job, naming the first, and let a different job run', async () => {
    let inner: unknown;
    let otherJobRan = false;
    await withJobLock(
      store,
      ['convert'],
      async () => {
        inner = await withJobLock(other, ['convert'], async () => 'ran').catch((e: unknown) => e);
        await withJobLock(other, ['ingest:webform'], async () => {
          otherJobRan = true;
        });
      },
      { command: 'leadflow convert' }
    );
    expect(inner).toBeInstanceOf(JobLockedError);
    expect((inner as Error).message).toMatch(
      new RegExp(`^convert is already running \\(pid ${process.pid} on host ${os.hostname()}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); nothing was done\\.`)
    );
    expect((inner as JobLockedError).holder).toMatchObject({ pid: process.pid, command: 'leadflow convert' });
    expect(otherJobRan).toBe(true);
    // Released: the next run gets it.
    expect(await withJobLock(other, ['convert'], async () => 'next')).toBe('next');
  });

  it('should name an ingest source in the message', async () => {
    const err = await withJobLock(store, ['ingest:webform'], () => withJobLock(other, ['ingest:webform'], async () => 1)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^ingest --source webform is already running \(pid \d+/);
  });

  it('should wait for the holder with wait, then run', async () => {
    const order: string[] = [];
    let waited = false;
    const first = withJobLock(store, ['history'], async () => {
      order.push('first');
      await new Promise((r) => setTimeout(r, 1200));
      order.push('first done');
    });
    await new Promise((r) => setTimeout(r, 200));
    await withJobLock(other, ['history'], async () => void order.push('second'), { wait: true, pollMs: 100, onWait: () => (waited = true) });
    await first;
    expect(waited).toBe(true);
    expect(order).toEqual(['first', 'first done', 'second']);
  });

  it('should close runs rows left running by a dead run of the job when the next run takes its lock', async () => {
    // GIVEN a convert run row left 'running' (its process was killed) and a running ingest row
    const [dead] = await store.query<{ id: string }>("insert into runs (command) values ('serve:convert') returning id");
    const [ingest] = await store.query<{ id: string }>("insert into runs (command) values ('ingest') returning id");
    // WHEN the next convert takes the lock
    await withJobLock(other, ['convert'], async () => undefined);
    // THEN the dead row is failed with the reason, the other job's row untouched
    const rows = await store.query<{ id: string; status: string; summary: { error?: string } | null; finished: boolean }>(
      'select id::text as id, status, summary, finished_at is not null as finished from runs where id = any($1::bigint[]) order by id',
      [[dead!.id, ingest!.id]]
    );
    expect(rows.map((r) => ({ status: r.status, finished: r.finished }))).toEqual([
      { status: 'failed', finished: true },
      { status: 'running', finished: false }
    ]);
    expect(rows[0]!.summary?.error).toMatch(/stopped \(killed or crashed\) before it finished/);
  });

  it('should close a dead ingest run of the same source only, matched by the locks its row recorded', async () => {
    // GIVEN ingest rows left 'running' by killed runs of two sources (rows record the locks they ran under)
    const insert = (locks: string[]) =>
      store.query<{ id: string }>("insert into runs (command, job_locks) values ('ingest', $1::text[]) returning id", [locks]);
    const [webform] = await insert(['ingest:webform']);
    const [csv] = await insert(['ingest:csv']);
    // WHEN the next webform ingest takes its source's lock, and records the locks it holds
    const recorded = await withJobLock(other, ['ingest:webform'], async () => currentJobLocks());
    // THEN only the webform row is closed; the csv source's row may belong to a live run
    const rows = await store.query<{ status: string }>('select status from runs where id = any($1::bigint[]) order by id', [[webform!.id, csv!.id]]);
    expect(rows.map((r) => r.status)).toEqual(['failed', 'running']);
    expect(recorded).toEqual(['ingest:webform']);
    expect(currentJobLocks()).toEqual([]);
  });

  it("should clear a dead qualify sweep's own lock row when the next qualify takes the job lock", async () => {
    // GIVEN the row lock runQualify takes, left by a sweep that was killed a minute ago
    await store.query("insert into job_locks (name, owner, acquired_at) values ('qualify.sweep', 'qualify-1-dead', now() - interval '1 minute')");
    // WHEN the next qualify run holds the job lock THEN the row is gone (it would block for 60 minutes)
    const rows = await withJobLock(other, ['qualify'], () => other.query("select name from job_locks where name = 'qualify.sweep'"));
    expect(rows).toEqual([]);
  });

  // PostgreSQL releases a dead session's advisory lock itself; the row is only a label there.
  (backend.name === 'pglite' ? it : it.skip)('should take over a job lock row whose holder process no longer runs', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.on('close', r));
    await store.query('insert into job_locks (name, owner, acquired_at) values ($1, $2, now())', [
      'run:qualify',
      JSON.stringify({ pid: child.pid, host: os.hostname(), command: 'leadflow qualify', since: '2026-12-06T21:00:00.000Z', id: 'x' })
    ]);
    expect(await withJobLock(store, ['qualify'], async () => 'took over')).toBe('took over');
  });
});
