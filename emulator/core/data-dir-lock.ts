/**
 * Exclusive ownership of the local org's PGlite data directory. PGlite is embedded and single-process: two
 * emulators on one directory each keep their own buffers and WAL and damage the files. The first takes
 * `<dataDir>.lock` (atomic mkdir through proper-lockfile) with holder.json (pid, host, command, start time);
 * a second one fails with a message naming the holder. A lock whose holder pid no longer runs (crash,
 * `kill -9`) is taken over. (The leadflow service has its own copy in src/store: the emulator imports
 * nothing from src/.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** mtime staleness only for holders on another host: PGlite can block the event loop (and the refresh) for long. */
const STALE_MS = 6 * 60 * 60_000;

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export class DataDirInUseError extends Error {
  constructor(
    message: string,
    public readonly holder: Holder | null
  ) {
    super(message);
    this.name = 'DataDirInUseError';
  }
}

function lockPathFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockPath: string): Holder | null {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(lockPath, 'holder.json'), 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host, command: String(value.command ?? '?'), startedAt: String(value.startedAt ?? '?') }
      : null;
  } catch {
    return null;
  }
}

function inUse(dataDir: string, lockPath: string, holder: Holder | null): DataDirInUseError {
  const who = holder ? `process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.startedAt})` : 'another process';
  return new DataDirInUseError(
    `The org data dir ${dataDir} is in use by ${who}. Stop that emulator or start this one with another --data-dir` +
      ` (or --in-memory); if no such process runs, remove ${lockPath}.`,
    holder
  );
}

/** The lock is held by a live process: throws DataDirInUseError (used before `--reset` deletes the dir). */
export function assertDataDirFree(dataDir: string): void {
  const lockPath = lockPathFor(dataDir);
  if (!fs.existsSync(lockPath)) return;
  const holder = readHolder(lockPath);
  if (holder && holder.host === os.hostname() && !alive(holder.pid)) return;
  throw inUse(dataDir, lockPath, holder);
}

/** Takes the data dir's lock or throws DataDirInUseError; returns the release function. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = lockPathFor(dataDir);
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let unlock: () => Promise<void>;
    try {
      unlock = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        onCompromised: (err) => process.stderr.write(`emulator: the data dir lock could not be refreshed (${err.message})\n`)
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      const holder = readHolder(lockPath);
      if (holder && holder.host === os.hostname() && !alive(holder.pid)) {
        fs.rmSync(lockPath, { recursive: true, force: true });
        continue;
      }
      if (!holder && attempt < 2) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      throw inUse(dataDir, lockPath, holder);
    }
    const holder: Holder = {
      pid: process.pid,
      host: os.hostname(),
      command: ['emulator', ...process.argv.slice(2)].join(' ').slice(0, 200),
      startedAt: new Date().toISOString()
    };
    fs.writeFileSync(path.join(lockPath, 'holder.json'), JSON.stringify(holder), { mode: 0o600 });
    return async () => {
      fs.rmSync(path.join(lockPath, 'holder.json'), { force: true });
      await unlock().catch(() => undefined);
      fs.rmSync(lockPath, { recursive: true, force: true });
    };
  }
  throw inUse(dataDir, lockPath, readHolder(lockPath));
}
