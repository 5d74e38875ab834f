/**
 * withRuntime: builds the Runtime every command receives (config, lazy org client, store, logger,
 * progress, clock), runs the command, records the run in the store's `runs` table, and always closes
 * what it opened.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load';
import type { LeadflowConfig } from '../config/schema';
import { createOrgClient } from '../salesforce/client';
import type { OrgClient } from '../salesforce/types';
import { openStore } from '../store/store';
import { expandIngestLock, recordedJobLocks, ingestSourceNames, jobLabel, withJobLock } from '../store/locks';
import type { Store } from '../store/types';
import { createLogger, type LogLevel } from '../shared/logger';
import { scrubString } from '../shared/redact';
import { createProgressFactory } from './progress';
import type { CommandResult, Runtime } from './types';

type Env = Record<string, string | undefined>;

export interface RuntimeOptions {
  /** --config path. */
  configPath?: string;
  /** --target-org (overrides config org.targetOrg). */
  targetOrg?: string;
  /** --json: results only on stdout, no progress bars. */
  json?: boolean;
  /** --verbose: debug logging. */
  verbose?: boolean;
  /** Working directory for config discovery and relative paths (default process.cwd()). */
  cwd?: string;
  env?: Env;
  /** Partial config applied over the file and env (tests, scripts). */
  config?: Record<string, unknown>;
  /** Use this store instead of opening one (it is not closed by withRuntime). */
  store?: Store;
  /** Use this org client (or factory) instead of createOrgClient (a given client is not closed). */
  org?: OrgClient | (() => Promise<OrgClient>);
  logger?: Logger;
  /** Name recorded in the runs table; no run row is written when unset. */
  command?: string;
  /**
   * Job locks held for the whole run (all or none): `convert`, `qualify`, `history`, `ingest:<source>`.
   * A second run exits with JobLockedError (exit code 5) unless wait is set.
   */
  jobLock?: { names: string[]; wait?: boolean };
  now?: () => Date;
}

/** Runtime plus what the CLI needs after the command: the API usage of the org client, if one was opened. */
export interface LeadflowRuntime extends Runtime {
  /** API calls made so far, or null when the command never connected to an org. */
  apiUsage(): { total: number; bySurface: Record<string, number> } | null;
  readonly cwd: string;
}

export async function withRuntime<T>(options: RuntimeOptions, fn: (rt: LeadflowRuntime) => Promise<T>): Promise<T> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const overrides: Record<string, unknown> = { ...(options.config ?? {}) };
  if (options.targetOrg) overrides.org = { ...((overrides.org as object) ?? {}), targetOrg: options.targetOrg };
  const { config } = await loadConfig({ configPath: options.configPath, cwd, env, overrides });

  const level: LogLevel = options.verbose ? 'debug' : (config.logLevel as LogLevel);
  const logger = options.logger ?? createLogger({ level: options.json && !options.verbose ? minLevel(level, 'warn') : level });
  const store = options.store ?? (await openStoreFor(config, cwd));
  const ownsStore = !options.store;

  let orgPromise: Promise<OrgClient> | undefined;
  let orgClient: OrgClient | undefined;
  const ownsOrg = options.org === undefined || typeof options.org === 'function';
  const org = (): Promise<OrgClient> => {
    orgPromise ??= (async () => {
      const client =
        typeof options.org === 'function'
          ? await options.org()
          : options.org ??
            (await createOrgClient({
              targetOrg: config.org.targetOrg,
              env,
              emulatorUrl: config.org.emulatorUrl,
              apiVersion: config.org.apiVersion,
              bulkPollIntervalMs: config.org.bulkPollIntervalMs
            }));
      orgClient = client;
      logger.debug({ org: client.target.label, apiVersion: client.apiVersion }, 'connected to org');
      return client;
    })();
    // A failed connection may be retried by a later call.
    orgPromise.catch(() => {
      orgPromise = undefined;
    });
    return orgPromise;
  };

  const runtime: LeadflowRuntime = {
    config,
    org,
    store,
    logger,
    progress: createProgressFactory({ enabled: !options.json }),
    now: options.now ?? (() => new Date()),
    json: Boolean(options.json),
    outputDir: path.resolve(cwd, config.outputDir),
    cwd,
    apiUsage: () => (orgClient ? { total: orgClient.usage.total(), bySurface: orgClient.usage.bySurface() } : null)
  };

  const recorded = async (): Promise<T> => {
    const runId = options.command ? await startRun(store, options.command, logger) : undefined;
    try {
      const result = await fn(runtime);
      if (runId !== undefined) await finishRun(store, runId, runtime, statusOf(result), summaryOf(result), logger);
      return result;
    } catch (err) {
      if (runId !== undefined) await finishRun(store, runId, runtime, 'error', { error: (err as Error).message }, logger);
      throw err;
    }
  };
  try {
    // The lock is taken before the run is recorded: a refused run leaves no runs row.
    const lock = options.jobLock;
    if (!lock || lock.names.length === 0) return await recorded();
    return await withJobLock(store, expandIngestLock(lock.names, ingestSourceNames(config.ingest)), recorded, {
      wait: lock.wait,
      onWait: (job, holder) =>
        logger.warn({ job, holder }, `waiting: ${jobLabel(job)} is already running${holder ? ` (pid ${holder.pid} on host ${holder.host}, since ${holder.since})` : ''}`)
    });
  } finally {
    if (orgClient && ownsOrg) await orgClient.close().catch(() => undefined);
    if (ownsStore) await store.close().catch(() => undefined);
  }
}

export async function openStoreFor(config: LeadflowConfig, cwd: string): Promise<Store> {
  const dataDir = config.store.dataDir.startsWith('memory://') ? config.store.dataDir : path.resolve(cwd, config.store.dataDir);
  return openStore({ databaseUrl: config.store.databaseUrl, dataDir });
}

const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
function minLevel(a: LogLevel, b: LogLevel): LogLevel {
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

function isCommandResult(v: unknown): v is CommandResult {
  return typeof v === 'object' && v !== null && 'ok' in v && 'summary' in v;
}
function statusOf(result: unknown): string {
  if (!isCommandResult(result)) return 'ok';
  return result.ok ? 'ok' : result.partial ? 'partial' : 'failed';
}
function summaryOf(result: unknown): unknown {
  return isCommandResult(result) ? result.summary : null;
}

async function startRun(store: Store, command: string, logger: Logger): Promise<number | undefined> {
  try {
    const rows = await store.query<{ id: string | number }>('insert into runs (command, job_locks) values ($1, $2::text[]) returning id', [
      command,
      recordedJobLocks()
    ]);
    return rows[0] ? Number(rows[0].id) : undefined;
  } catch (err) {
    logger.warn({ err }, 'could not record the run start');
    return undefined;
  }
}

async function finishRun(store: Store, id: number, rt: LeadflowRuntime, status: string, summary: unknown, logger: Logger) {
  try {
    await store.query('update runs set finished_at = now(), status = $2, api_calls = $3, summary = $4 where id = $1', [
      id,
      status,
      rt.apiUsage()?.total ?? 0,
      // Error text and summaries can quote a token (an error echoing its input): scrub like the log output.
      scrubString(JSON.stringify(summary ?? null))
    ]);
  } catch (err) {
    logger.warn({ err }, 'could not record the run result');
  }
}
