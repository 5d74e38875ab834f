/**
 * The job scheduler of `leadflow serve`.
 * - PostgreSQL (DATABASE_URL): pg-boss cron schedules + one queue per job with the `stately` policy. pg-boss
 *   sends each cron tick once for all instances (singleton per tick) and a queued job is fetched by exactly
 *   one worker (SKIP LOCKED), so several instances never run the same tick twice.
 * - PGlite (single instance): croner in-process, guarded by a store lock so a run never overlaps itself.
 *   A lock left by a serve process that no longer exists (killed mid-run) is released at start, so queued
 *   work (e.g. webhook submissions) is picked up by the next tick instead of after `lockTimeoutMinutes`.
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Store } from '../store/types';
import { JobLockedError, expandIngestLock, ingestSourceNames, releaseLock, tryAcquireLock, withJobLock } from '../store/locks';
import type { ServeConfig, SchedulableJob } from './config';

export type JobHandler = (job: SchedulableJob) => Promise<void>;

export interface Scheduler {
  readonly kind: 'pg-boss' | 'in-process';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queue a run now (deduplicated with any run already queued for the job). */
  runNow(job: SchedulableJob): Promise<void>;
  /** Scheduled jobs and their cron expressions. */
  schedules(): Partial<Record<SchedulableJob, string>>;
}

export interface SchedulerOptions {
  serve: ServeConfig;
  store: Store;
  databaseUrl?: string;
  handler: JobHandler;
  logger: Logger;
  /** pg-boss schema (default leadflow_boss); tests use a unique one. */
  bossSchema?: string;
  /** pg-boss cron monitor interval (default 30 s; tests use 1). */
  cronMonitorIntervalSeconds?: number;
  /** pg-boss worker polling interval (default 2 s). */
  pollingIntervalSeconds?: number;
  /** Configured ingest source names: an ingest tick locks each, as `leadflow ingest --source <name>` does. */
  ingestSources?: string[];
}

const queueName = (job: SchedulableJob) => `leadflow-${job}`;

/**
 * On PostgreSQL a job whose instance died (kill -9, lost machine) keeps its queue ('stately': one active job)
 * blocked until pg-boss expires it: `expireSeconds` after it started, noticed by the next maintenance pass
 * (every `maintenanceSeconds`), so at most serve.takeoverSeconds; the next cron tick then runs on a surviving
 * instance. A run still alive past its expiry is not doubled: every tick takes the job's advisory lock first
 * (PostgreSQL releases it as soon as a dead instance's connection drops), and a tick that finds it held is
 * logged and skipped.
 */
export function takeoverTimings(takeoverSeconds: number): { expireSeconds: number; maintenanceSeconds: number } {
  // A quarter of the budget for the maintenance interval (at most 30 s, pg-boss's pass is a few queries).
  const maintenanceSeconds = Math.max(2, Math.min(30, Math.round(takeoverSeconds / 4)));
  return { expireSeconds: takeoverSeconds - maintenanceSeconds, maintenanceSeconds };
}

/** Advisory lock key shared with the store migrations: instances set up pg-boss queues one at a time. */
const SETUP_LOCK_KEY = 7261001;

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const guarded: SchedulerOptions = { ...opts, handler: lockedHandler(opts) };
  return opts.databaseUrl ? createBossScheduler(guarded, opts.databaseUrl) : createInProcessScheduler(guarded);
}

/** Job lock names of a scheduled run: the job, or every configured ingest source (like `ingest --source`). */
export function jobLockNames(job: SchedulableJob, ingestSources: string[] = []): string[] {
  return expandIngestLock([job], ingestSources);
}

export { ingestSourceNames };

/** Runs each tick under the job lock shared with CLI runs; a tick that finds it held is logged, not dropped silently. */
function lockedHandler(opts: SchedulerOptions): JobHandler {
  return async (job) => {
    try {
      await withJobLock(opts.store, jobLockNames(job, opts.ingestSources), () => opts.handler(job), { command: `leadflow serve (${job} tick)` });
    } catch (err) {
      if (!(err instanceof JobLockedError)) throw err;
      opts.logger.warn({ job, holder: err.holder }, `tick skipped: ${err.message.replace(/; nothing was done.*$/s, '')}`);
    }
  };
}

function createBossScheduler(opts: SchedulerOptions, databaseUrl: string): Scheduler {
  const { serve, logger, handler } = opts;
  // pg-boss's type declarations export the class as the module itself.
  type Boss = import('pg-boss');
  let boss: Boss | undefined;
  const jobs = Object.entries(serve.schedules) as [SchedulableJob, string][];
  return {
    kind: 'pg-boss',
    schedules: () => ({ ...serve.schedules }),
    async start() {
      const mod = (await import('pg-boss')) as unknown as { default?: new (o: object) => Boss } & (new (o: object) => Boss);
      const PgBoss = (mod.default ?? mod) as new (o: object) => Boss;
      const { expireSeconds, maintenanceSeconds } = takeoverTimings(serve.takeoverSeconds);
      boss = new PgBoss({
        connectionString: databaseUrl,
        schema: opts.bossSchema ?? 'leadflow_boss',
        cronMonitorIntervalSeconds: opts.cronMonitorIntervalSeconds ?? 30,
        maintenanceIntervalSeconds: maintenanceSeconds,
        max: 4
      });
      boss.on('error', (err: Error) => logger.error({ err }, 'pg-boss error'));
      const allJobs = ['ingest', 'qualify', 'convert', 'history'] as SchedulableJob[];
      // pg-boss createQueue is not safe to run from two instances at once (deadlock detected): instances
      // starting together on a new database take turns, under the same advisory lock as the store migrations.
      await underSetupLock(databaseUrl, async () => {
        await boss!.start();
        for (const job of allJobs) {
          const queue = { name: queueName(job), policy: 'stately', expireInSeconds: expireSeconds, retryLimit: 0 };
          if (await boss!.getQueue(queueName(job))) await boss!.updateQueue(queueName(job), queue as never);
          else await boss!.createQueue(queueName(job), queue as never);
          const cron = serve.schedules[job];
          if (cron) await boss!.schedule(queueName(job), cron, {}, { tz: serve.timezone });
          else await boss!.unschedule(queueName(job));
        }
      });
      for (const job of allJobs) {
        await boss.work(
          queueName(job),
          { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2, batchSize: 1 },
          async () => {
            await handler(job);
          }
        );
      }
      logger.info({ schedules: Object.fromEntries(jobs) }, 'scheduler started (pg-boss)');
    },
    async stop() {
      if (boss) await boss.stop({ graceful: true, timeout: 10_000, wait: true } as never);
      boss = undefined;
    },
    async runNow(job) {
      if (!boss) throw new Error('scheduler not started');
      await boss.send(queueName(job), {});
    }
  };
}

function createInProcessScheduler(opts: SchedulerOptions): Scheduler {
  const { serve, store, logger, handler } = opts;
  const owner = `serve-${process.pid}-${randomUUID()}`;
  const crons: Cron[] = [];
  const running = new Set<Promise<void>>();

  const runGuarded = async (job: SchedulableJob) => {
    const lockName = `job:${job}`;
    if (!(await tryAcquireLock(store, lockName, owner, serve.lockTimeoutMinutes))) {
      logger.info({ job }, 'skipped: previous run still holds the lock');
      return;
    }
    try {
      await handler(job);
    } finally {
      await releaseLock(store, lockName, owner).catch((err) => logger.warn({ err, job }, 'could not release job lock'));
    }
  };
  const track = (job: SchedulableJob) => {
    const p = runGuarded(job).catch((err) => logger.error({ err, job }, 'scheduled job failed'));
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };

  return {
    kind: 'in-process',
    schedules: () => ({ ...serve.schedules }),
    async start() {
      await releaseDeadOwnersLocks(store, logger);
      for (const [job, expr] of Object.entries(serve.schedules) as [SchedulableJob, string][]) {
        crons.push(new Cron(expr, { timezone: serve.timezone, protect: true, name: `leadflow-${job}` }, () => track(job)));
      }
      logger.info({ schedules: serve.schedules }, 'scheduler started (in-process)');
    },
    async stop() {
      for (const c of crons.splice(0)) c.stop();
      await Promise.allSettled([...running]);
    },
    async runNow(job) {
      await track(job);
    }
  };
}

/** Owner ids of the in-process scheduler: `serve-<pid>-<uuid>`. */
const OWNER_PID = /^serve-(\d+)-/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Releases `job:*` locks whose owner was a serve process on this machine that is gone (a PGlite store is
 * opened by one process at a time, so such a lock can only be left over from a crash or `kill -9`).
 */
async function releaseDeadOwnersLocks(store: Store, logger: Logger): Promise<void> {
  const rows = await store.query<{ name: string; owner: string }>(
    "select name, owner from job_locks where name like 'job:%'"
  );
  for (const { name, owner } of rows) {
    const pid = Number(OWNER_PID.exec(owner)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await releaseLock(store, name, owner);
    logger.warn({ lock: name }, 'released a job lock left by a serve process that no longer runs');
  }
}

/** Runs fn while holding the setup advisory lock on a connection of its own. */
async function underSetupLock(databaseUrl: string, fn: () => Promise<void>): Promise<void> {
  const pg = await import('pg');
  const Client = pg.default?.Client ?? (pg as unknown as typeof import('pg')).Client;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [SETUP_LOCK_KEY]);
    await fn();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [SETUP_LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
