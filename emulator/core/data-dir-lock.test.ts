import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './database';
import { DataDirInUseError, assertDataDirFree } from './data-dir-lock';

jest.setTimeout(120_000);

describe('the local org data dir is opened by one process', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should refuse a second opener while the first is open, naming it, and allow it after close', async () => {
    // GIVEN an open data dir
    const dataDir = path.join(dir, 'org');
    const db = await openDatabase(dataDir);
    try {
      // WHEN another opener (or --reset) comes THEN it is refused with the holder's pid
      await expect(openDatabase(dataDir)).rejects.toThrow(DataDirInUseError);
      await expect(openDatabase(dataDir)).rejects.toThrow(`The org data dir ${dataDir} is in use by process ${process.pid} on ${os.hostname()}`);
      expect(() => assertDataDirFree(dataDir)).toThrow(DataDirInUseError);
    } finally {
      await db.close();
    }
    // AND after close the lock is gone and the dir opens again with its data
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
    expect(() => assertDataDirFree(dataDir)).not.toThrow();
    const again = await openDatabase(dataDir);
    await again.close();
  });

  it('should take over the lock of a process that was killed', async () => {
    // GIVEN a lock left by a process that no longer runs
    const dataDir = path.join(dir, 'org');
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.on('close', r));
    fs.mkdirSync(`${dataDir}.lock`, { recursive: true });
    fs.writeFileSync(
      path.join(`${dataDir}.lock`, 'holder.json'),
      JSON.stringify({ pid: child.pid, host: os.hostname(), command: 'emulator', startedAt: '2026-12-06T21:00:00.000Z' })
    );
    // WHEN the emulator opens it THEN it opens
    expect(() => assertDataDirFree(dataDir)).not.toThrow();
    const db = await openDatabase(dataDir);
    expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await db.close();
  });
});
