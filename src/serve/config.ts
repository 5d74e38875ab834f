/** The `serve` section of leadflow.config.json (documented in docs/configuration.md). */
import { Cron } from 'croner';
import { z } from 'zod';

/** Jobs the scheduler can run; each maps to a capability's library API (src/serve/jobs.ts). */
export const SCHEDULABLE_JOBS = ['ingest', 'qualify', 'convert', 'history'] as const;
export type SchedulableJob = (typeof SCHEDULABLE_JOBS)[number];

/** A 5- or 6-field cron expression croner accepts (validated by parsing it). */
export const cronExpression = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid cron expression, e.g. "*/15 * * * *"' }
);

export const serveConfigSchema = z
  .object({
    /** Interface to bind; the service is meant to sit behind a proxy, so loopback by default. */
    host: z.string().min(1).default('127.0.0.1'),
    /** HTTP port (0 = any free port). */
    port: z.number().int().min(0).max(65535).default(4020),
    /** Cron expression per job; a job without an entry is not scheduled. Times are UTC unless `timezone` is set. */
    schedules: z.partialRecord(z.enum(SCHEDULABLE_JOBS), cronExpression).default({}),
    /** IANA time zone for the cron expressions. */
    timezone: z.string().default('UTC'),
    /** A scheduled run still holding its lock after this many minutes is considered dead and its lock released. */
    lockTimeoutMinutes: z.number().int().positive().default(60)
  })
  .strict()
  .prefault({});

export type ServeConfig = z.infer<typeof serveConfigSchema>;
