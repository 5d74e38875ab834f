/**
 * Named job locks in the store (table job_locks, migration core-002). Used by the in-process scheduler so a
 * run never overlaps itself; a lock older than its timeout is considered abandoned (crashed process) and taken over.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { ErrorCode, LeadflowError } from '../shared/errors';
import { scrubString } from '../shared/redact';
import { describeThisProcess, processAlive } from './data-dir-lock';
import type { Queryable, Store } from './types';

export async function tryAcquireLock(db: Queryable, name: string, owner: string, timeoutMinutes: number): Promise<boolean> {
  const rows = await db.query(
    `insert into job_locks (name, owner, acquired_at) values ($1, $2, now())
     on conflict (name) do update set owner = excluded.owner, acquired_at = excluded.acquired_at
       where job_locks.acquired_at < now() - make_interval(mins => $3::int)
     returning owner`,
    [name, owner, timeoutMinutes]
  );
  return rows.length === 1;
}

export async function releaseLock(db: Queryable, name: string, owner: string): Promise<void> {
  await db.query('delete from job_locks where name = $1 and owner = $2', [name, owner]);
}

/* ---------------- Job locks: one run per job across processes and machines (issue 17) ---------------- */

/** Who runs a job, as recorded next to its lock (job_locks.owner holds this as JSON). */
export interface JobHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

const holderSchema = z.object({ pid: z.number().int(), host: z.string(), command: z.string(), since: z.string(), id: z.string() });

/** Another run of the job holds its lock (exit code 5). */
export class JobLockedError extends LeadflowError {
  constructor(
    public readonly job: string,
    public readonly holder: JobHolder | null
  ) {
    super(
      ErrorCode.Locked,
      `${jobLabel(job)} is already running (${holder ? `pid ${holder.pid} on host ${holder.host}, since ${holder.since}` : 'holder unknown'}); ` +
        'nothing was done. Run again when it has finished, or pass --wait to wait for it.'
    );
    this.name = 'JobLockedError';
  }
}

/** "convert", "ingest --source webform" (lock names are `convert`, `ingest:webform`). */
export function jobLabel(name: string): string {
  const [job, source] = name.split(/:(.*)/s);
  return source ? `${job} --source ${source}` : name;
}

/**
 * PostgreSQL advisory lock key space of job locks: (JOB_LOCK_CLASS, hashtext('<schema>:<name>')); migrations use
 * 7261001. Advisory locks are per database, so the store's schema is part of the key: two leadflow stores in
 * different schemas of one database never block each other's jobs.
 */
const JOB_LOCK_CLASS = 7261002;
/** The advisory key of job lock $2 (with $1 = JOB_LOCK_CLASS): one expression for taking and releasing it. */
const JOB_LOCK_KEY = "$1, hashtext(current_schema() || ':' || $2)";
const rowName = (name: string) => `run:${name}`;

export interface JobLockOptions {
  /** Wait for the holder to finish instead of failing with JobLockedError. */
  wait?: boolean;
  /** Poll interval while waiting (default 1 s). */
  pollMs?: number;
  /** Called once when a run starts waiting. */
  onWait?: (job: string, holder: JobHolder | null) => void;
  /** Describes this run in the holder record (default: this process's command line). */
  command?: string;
}

/**
 * Runs fn while holding the job locks `names` (all or none). On PostgreSQL the lock is a session advisory
 * lock on a connection kept for the run (released by the server when the process dies, on any machine);
 * on PGlite, whose one session every client shares, it is a job_locks row owned by this pid (a row whose
 * pid no longer runs is taken over: every PGlite client runs on the holder's machine).
 */
export async function withJobLock<T>(store: Store, names: string[], fn: () => Promise<T>, opts: JobLockOptions = {}): Promise<T> {
  const me = { pid: process.pid, host: os.hostname(), command: opts.command ?? describeThisProcess(), since: new Date().toISOString(), id: randomUUID() };
  const owner = JSON.stringify(me);
  // Only PostgreSQL needs a connection of its own for the run (its advisory lock lives in that session).
  const onSession = <R>(f: (conn: Queryable) => Promise<R>): Promise<R> => (store.kind === 'postgres' ? store.session(f) : f(store));
  return onSession(async (conn) => {
    const held: string[] = [];
    try {
      for (const name of names) {
        let announced = false;
        for (;;) {
          const holder = store.kind === 'postgres' ? await tryAdvisory(conn, name, owner) : await tryRow(store, name, owner);
          if (holder === 'acquired') break;
          if (!opts.wait) throw new JobLockedError(name, holder);
          if (!announced) opts.onWait?.(name, holder);
          announced = true;
          await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
        }
        held.push(name);
      }
      await closeAbandonedRuns(store, held);
      await clearSupersededLocks(store, held);
      // The runs row this run writes records what it holds (currentJobLocks), so a later holder can close it.
      return await heldLocks.run([...(heldLocks.getStore() ?? []), ...held], fn);
    } finally {
      for (const name of held.reverse()) {
        await conn.query('delete from job_locks where name = $1 and owner = $2', [rowName(name), owner]).catch(() => undefined);
        if (store.kind === 'postgres') {
          await conn.query(`select pg_advisory_unlock(${JOB_LOCK_KEY})`, [JOB_LOCK_CLASS, name]).catch(() => undefined);
        }
      }
    }
  });
}

async function tryAdvisory(conn: Queryable, name: string, owner: string): Promise<'acquired' | JobHolder | null> {
  const [row] = await conn.query<{ ok: boolean }>(`select pg_try_advisory_lock(${JOB_LOCK_KEY}) as ok`, [JOB_LOCK_CLASS, name]);
  if (!row?.ok) return awaitHolderRecord(conn, name);
  // The row only tells others who runs it (a row left by a dead process is simply overwritten).
  await conn.query(
    `insert into job_locks (name, owner, acquired_at) values ($1, $2, now())
     on conflict (name) do update set owner = excluded.owner, acquired_at = excluded.acquired_at`,
    [rowName(name), owner]
  );
  return 'acquired';
}

async function tryRow(store: Store, name: string, owner: string): Promise<'acquired' | JobHolder | null> {
  // One transaction: the store's wire server runs it without another client's statements in between.
  return store.transaction(async (tx) => {
    const [row] = await tx.query<{ owner: string }>('select owner from job_locks where name = $1', [rowName(name)]);
    if (row) {
      const holder = parseHolder(row.owner);
      if (!holder || holder.host !== os.hostname() || processAlive(holder.pid)) return holder;
      await tx.query('delete from job_locks where name = $1 and owner = $2', [rowName(name), row.owner]);
    }
    await tx.query('insert into job_locks (name, owner, acquired_at) values ($1, $2, now())', [rowName(name), owner]);
    return 'acquired' as const;
  });
}

/**
 * The holder of a held advisory lock. It records itself just after taking the lock, so a run that lost the race
 * by milliseconds can find no record yet: it looks again for up to a second before calling the holder unknown.
 */
async function awaitHolderRecord(conn: Queryable, name: string): Promise<JobHolder | null> {
  for (let attempt = 0; ; attempt++) {
    const holder = await readHolder(conn, name);
    if (holder || attempt >= HOLDER_RECORD_ATTEMPTS) return holder;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const HOLDER_RECORD_ATTEMPTS = 20;

async function readHolder(conn: Queryable, name: string): Promise<JobHolder | null> {
  const [row] = await conn.query<{ owner: string }>('select owner from job_locks where name = $1', [rowName(name)]);
  return row ? parseHolder(row.owner) : null;
}

function parseHolder(owner: string): JobHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(owner));
    return parsed.success ? { pid: parsed.data.pid, host: parsed.data.host, command: parsed.data.command, since: parsed.data.since } : null;
  } catch {
    return null;
  }
}

/** Job locks held by the current async context (nested withJobLock calls add theirs). */
const heldLocks = new AsyncLocalStorage<string[]>();

/** Names of the job locks the calling code runs under. */
export function currentJobLocks(): string[] {
  return heldLocks.getStore() ?? [];
}

/**
 * The lock names as a runs row records them (runs.job_locks). A file ingest's lock names its path, and a path
 * can hold a pasted token: names are scrubbed like every other text the store keeps, here and when matched.
 */
export function recordedJobLocks(names: string[] = currentJobLocks()): string[] {
  return names.map(scrubString);
}

/**
 * runs rows still 'running' that were recorded under a lock this process now holds belong to a run that
 * died (killed, crashed, its machine lost): no live run of the job can exist while we hold its lock. They
 * are closed as failed so the runs table and `leadflow doctor` tell the truth. Rows are matched by the lock
 * names they recorded (an ingest row names its sources: ingest:webform); rows written before runs.job_locks
 * existed are matched by command, as before (ingest rows of that era name no source and are left alone).
 */
async function closeAbandonedRuns(store: Store, names: string[]): Promise<void> {
  const commands = names.filter((n) => !n.startsWith('ingest')).flatMap((n) => [n, `serve:${n}`]);
  await store.query(
    `update runs set status = 'failed', finished_at = now(), summary = $3::jsonb
      where status = 'running' and (job_locks && $1::text[] or (job_locks is null and command = any($2::text[])))`,
    [recordedJobLocks(names), commands, JSON.stringify({ error: 'The process running it stopped (killed or crashed) before it finished; closed by the next run of the job.' })]
  );
}

const sourceNamesSchema = z.object({ sources: z.array(z.object({ name: z.string() }).passthrough()).default([]) }).passthrough();

/** Names of the configured ingest sources (config "ingest.sources[].name"); none when ingest is not configured. */
export function ingestSourceNames(ingestConfig: unknown): string[] {
  const parsed = sourceNamesSchema.safeParse(ingestConfig ?? {});
  return parsed.success ? parsed.data.sources.map((s) => s.name) : [];
}

/** `ingest` (every source: a serve tick, or `leadflow ingest` with no source or file) locks each configured source. */
export function expandIngestLock(names: string[], ingestSources: string[]): string[] {
  return names.flatMap((n) => (n === 'ingest' && ingestSources.length > 0 ? ingestSources.map((s) => `ingest:${s}`) : [n]));
}

/**
 * Row locks a job's own code takes inside its run (they predate job locks, and protect library callers
 * that take no job lock). Whoever holds the job lock is the only run of the job, so such a row can only be
 * left by a dead run; without this it would block the job until its timeout (qualify.sweep: 60 minutes).
 */
const SUPERSEDED_LOCKS: Record<string, string[]> = { qualify: ['qualify.sweep'] };

async function clearSupersededLocks(store: Store, names: string[]): Promise<void> {
  const rows = names.flatMap((n) => SUPERSEDED_LOCKS[n] ?? []);
  if (rows.length > 0) await store.query('delete from job_locks where name = any($1::text[])', [rows]);
}
