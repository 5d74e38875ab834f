/**
 * One PGlite store, several processes (issue 17): the first process that opens the data dir holds it
 * (lock dir with holder.json) and serves it; the others connect to it and never open the directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, StoreBusyError } from '../../src/store/store';
import { lockPathFor, readHolder } from '../../src/store/data-dir-lock';
import { ROOT } from '../helpers/cli';

const WRITER = path.join(ROOT, 'test/helpers/store-writer.js');

function runWriter(dataDir: string, rows: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dataDir, String(rows)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A live process that is not a leadflow store holder (stands in for one that does not serve). */
function sleeper(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

describe('PGlite store shared by several processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-sp-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should keep every row of three processes writing at once, and open cleanly afterwards', async () => {
    // GIVEN a new data dir and three processes started together
    const dataDir = path.join(dir, 'store');
    // WHEN each writes 60 rows in transactions
    const runs = await Promise.all([runWriter(dataDir, 60), runWriter(dataDir, 60), runWriter(dataDir, 60)]);
    // THEN all succeed, every row is there once, and the lock is gone
    for (const r of runs) expect({ code: r.code, stderr: r.stderr.replace(/leadflow: waiting.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);
    const store = await openStore({ dataDir });
    try {
      const rows = await store.query<{ pid: number; c: number; distinct_n: number }>(
        'select pid, count(*)::int as c, count(distinct n)::int as distinct_n from writer_rows group by pid'
      );
      expect(rows).toHaveLength(3);
      for (const r of rows) expect({ c: r.c, distinct_n: r.distinct_n }).toEqual({ c: 60, distinct_n: 60 });
    } finally {
      await store.close();
    }
  }, 240_000);

  it('should let a second opener in the same process share the store and release it when the last closes', async () => {
    const dataDir = path.join(dir, 'store');
    const first = await openStore({ dataDir });
    const second = await openStore({ dataDir });
    await first.exec('create table t (v int)');
    await second.query('insert into t values (1)');
    // Closing the first does not wait for the second (same process) and keeps the dir held for it.
    await first.close();
    expect(readHolder(lockPathFor(dataDir))?.pid).toBe(process.pid);
    expect(await second.query('select v from t')).toEqual([{ v: 1 }]);
    await second.close();
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);
  }, 120_000);

  it('should refuse to open a data dir held by a live process that does not serve it, naming the holder', async () => {
    // GIVEN a lock held by a live process with no socket published
    const dataDir = path.join(dir, 'store');
    const other = sleeper();
    try {
      const lockPath = lockPathFor(dataDir);
      fs.mkdirSync(lockPath, { recursive: true });
      fs.writeFileSync(
        path.join(lockPath, 'holder.json'),
        JSON.stringify({ pid: other.pid, host: os.hostname(), command: 'leadflow ingest --source webform', startedAt: '2026-12-06T21:00:00.000Z' })
      );
      // WHEN another process opens the store
      const attempt = openStore({ dataDir, holderWaitMs: 300 });
      // THEN it fails with the holder's pid, command and start, and what to do; the data dir was never created
      await expect(attempt).rejects.toThrow(StoreBusyError);
      await expect(attempt).rejects.toThrow(
        `The store ${dataDir} is in use by process ${other.pid} on ${os.hostname()} (leadflow ingest --source webform, since 2026-12-06T21:00:00.000Z)`
      );
      await expect(attempt).rejects.toMatchObject({ code: 'LOCKED' });
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      other.stop();
    }
  });

  it('should take over a lock left by a process that no longer runs', async () => {
    // GIVEN a lock whose holder was killed
    const dataDir = path.join(dir, 'store');
    const gone = sleeper();
    gone.stop();
    await new Promise((r) => setTimeout(r, 200));
    const lockPath = lockPathFor(dataDir);
    fs.mkdirSync(lockPath, { recursive: true });
    fs.writeFileSync(
      path.join(lockPath, 'holder.json'),
      JSON.stringify({ pid: gone.pid, host: os.hostname(), command: 'leadflow serve', startedAt: '2026-12-06T21:00:00.000Z' })
    );
    // WHEN the store is opened THEN it opens, held by this process
    const store = await openStore({ dataDir, holderWaitMs: 300 });
    try {
      expect(readHolder(lockPath)).toMatchObject({ pid: process.pid });
      expect(await store.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
