/**
 * Exclusive ownership of a PGlite data directory. PGlite is an embedded, single-process engine: two
 * processes that open the same directory each keep their own copy of the shared buffers and WAL, so writes
 * of one are invisible to the other and the files end up damaged (issue 17). So exactly one process opens the
 * directory: it takes `<dataDir>.lock` (an atomic mkdir through proper-lockfile, refreshed every few seconds)
 * and writes holder.json into it (pid, host, command, start time and the address it serves the store on).
 *
 * A lock is stale when its holder is gone: on the same host by pid liveness (immediately after a crash or
 * `kill -9`), from another host only when proper-lockfile's mtime refresh stopped for STALE_MS (6 hours).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';

/**
 * proper-lockfile refreshes the lock directory's mtime every UPDATE_MS; older than STALE_MS means abandoned.
 * PGlite runs its WebAssembly on the event loop and can block it for long stretches (initdb on a loaded
 * machine took 30 s), so mtime staleness is only the last resort for a holder on another host; on this host
 * a dead holder is detected at once by its pid.
 */
const STALE_MS = 6 * 60 * 60_000;
const UPDATE_MS = 60_000;

const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  command: z.string(),
  startedAt: z.string(),
  /** Where the holder serves the store over the PostgreSQL wire protocol (absent while it starts). */
  socket: z.object({ path: z.string() }).or(z.object({ host: z.string(), port: z.number().int() })).optional()
});
export type DataDirHolder = z.infer<typeof holderSchema>;

export interface DataDirLock {
  readonly lockPath: string;
  /** Records the holder's serving address so later processes can connect. */
  publish(socket: NonNullable<DataDirHolder['socket']>): void;
  release(): Promise<void>;
}

export type AcquireResult = { acquired: true; lock: DataDirLock } | { acquired: false; holder: DataDirHolder | null; lockPath: string };

export function lockPathFor(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

/** A short description of this process for holder.json: "leadflow ingest --source webform". */
export function describeThisProcess(): string {
  const args = process.argv.slice(2).map((a) => (/(secret|token|password|key)=/i.test(a) ? a.replace(/=.*/, '=***') : a));
  return ['leadflow', ...args].join(' ').slice(0, 200);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readHolder(lockPath: string): DataDirHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(fs.readFileSync(path.join(lockPath, 'holder.json'), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function writeHolder(lockPath: string, holder: DataDirHolder): void {
  // Written to a temp file and renamed, so a reader never sees half a file.
  const tmp = path.join(lockPath, `holder.json.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(holder), { mode: 0o600 });
  fs.renameSync(tmp, path.join(lockPath, 'holder.json'));
}

/**
 * Tries once (plus one retry after removing a stale lock) to become the data dir's only opener.
 * Never waits for a live holder: the caller decides (connect to it, or report it).
 */
export async function acquireDataDirLock(
  dataDir: string,
  opts: { onCompromised?: (err: Error) => void } = {}
): Promise<AcquireResult> {
  const lockPath = lockPathFor(dataDir);
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let unlock: (() => Promise<void>) | undefined;
    try {
      unlock = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        retries: 0,
        onCompromised: (err) => (opts.onCompromised ?? defaultCompromised)(err)
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      const holder = readHolder(lockPath);
      if (holder && holder.host === os.hostname() && !processAlive(holder.pid)) {
        // The holder crashed or was killed: its lock protects nothing any more.
        fs.rmSync(lockPath, { recursive: true, force: true });
        continue;
      }
      if (!holder && attempt < 2) {
        // The holder has just created the directory and not yet written holder.json.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      return { acquired: false, holder, lockPath };
    }
    // The lock directory holds the socket: keep it private to this user.
    fs.chmodSync(lockPath, 0o700);
    const holder: DataDirHolder = { pid: process.pid, host: os.hostname(), command: describeThisProcess(), startedAt: new Date().toISOString() };
    writeHolder(lockPath, holder);
    const release = unlock;
    return {
      acquired: true,
      lock: {
        lockPath,
        publish: (socket) => writeHolder(lockPath, { ...holder, socket }),
        async release() {
          fs.rmSync(path.join(lockPath, 'holder.json'), { force: true });
          await release().catch(() => undefined);
          fs.rmSync(lockPath, { recursive: true, force: true });
        }
      }
    };
  }
  return { acquired: false, holder: readHolder(lockPath), lockPath };
}

function defaultCompromised(err: Error): void {
  // proper-lockfile's default throws from a timer (crashing the process mid-write); report it instead.
  process.stderr.write(`leadflow: the store lock could not be refreshed (${err.message}); another process may take it over\n`);
}
