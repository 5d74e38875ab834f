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
    lockTimeoutMinutes: z.number().int().positive().default(60),
    /**
     * PostgreSQL (several instances): a job whose instance died is released within this many seconds, and the
     * next tick of its schedule runs on a surviving instance (src/serve/scheduler.ts takeoverTimings). A run
     * still alive after it is not doubled (its job lock is held); keep it above your longest normal run anyway
     * so that pg-boss does not log live runs as expired.
     */
    takeoverSeconds: z.number().int().min(10).max(3600).default(120),
    // ---- connection hardening (docs/configuration.md "serve"): every limit is on by default ----
    /** Whole request, headers and body, must arrive within this time or the client gets 408 and is disconnected. */
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Request headers must arrive within this time (slowloris); at most requestTimeoutMs. */
    headersTimeoutMs: z.number().int().min(100).max(600_000).default(5_000),
    /** A socket with no traffic at all for this long is closed. */
    connectionTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** An idle keep-alive connection is closed after this long (raise above a load balancer's idle timeout). */
    keepAliveTimeoutMs: z.number().int().min(100).max(600_000).default(5_000),
    /** Requests served on one keep-alive connection before it is closed (0 = unlimited). */
    maxRequestsPerSocket: z.number().int().min(0).default(1_000),
    /** Open connections at once; further connections are dropped by the server until one closes. */
    maxConnections: z.number().int().min(1).default(256),
    /** Body limit of routes without their own (each webhook source has bodyLimitBytes). */
    bodyLimitBytes: z.number().int().min(1).max(1_048_576).default(16_384),
    /** Client keys (source + IP) the webhook rate limiter remembers; the least recently seen is dropped first. */
    rateLimiterMaxKeys: z.number().int().min(1).max(1_000_000).default(10_000),
    /**
     * Webhook submissions ingested as they arrive (src/serve/delivery.ts) instead of waiting for the next
     * ingest tick or manual run. Off by default: existing setups that ingest the inbox on their own schedule
     * keep doing so until they opt in.
     */
    continuousDelivery: z
      .object({
        enabled: z.boolean().default(false),
        /** Wait this long after a submission so the ones arriving together go out as one micro-batch. */
        windowMs: z.number().int().min(0).max(60_000).default(250),
        /** ...or start at once when this many are waiting. */
        batchSize: z.number().int().min(1).max(10_000).default(200),
        /** When another run holds the source's ingest lock, look again after this long while submissions are pending. */
        retryMs: z.number().int().min(50).max(600_000).default(1_000)
      })
      .strict()
      .prefault({})
  })
  .strict()
  .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, {
    message: 'headersTimeoutMs must not exceed requestTimeoutMs',
    path: ['headersTimeoutMs']
  })
  .prefault({});

export type ServeConfig = z.infer<typeof serveConfigSchema>;
