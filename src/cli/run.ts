/**
 * The one place commands turn into process output: runs a command body inside withRuntime, prints the
 * result (JSON on stdout with --json, human lines otherwise), prints the API call count, and maps
 * results and errors to exit codes (docs/cli.md).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { withRuntime, type LeadflowRuntime, type RuntimeOptions } from '../runtime/runtime';
import type { CommandResult } from '../runtime/types';
import { ConfigError, ErrorCode, ExitCode, LeadflowError, OrgConnectionError, UsageError, type ExitCodeValue } from '../shared/errors';
import { scrubString } from '../shared/redact';
import { SalesforceError } from '../salesforce/types';
import { formatUsage } from '../salesforce/usage';

export interface GlobalOptions {
  config?: string;
  targetOrg?: string;
  json?: boolean;
  verbose?: boolean;
  /** --wait: wait for another run of the same job instead of exiting with code 5. */
  wait?: boolean;
}

/** Commands that take a job lock (docs/configuration.md#running-several-processes); dry runs write nothing and take none. */
const LOCKED_JOBS = new Set(['ingest', 'qualify', 'convert', 'history']);

/** The job lock of a command run: `convert`, or `ingest:<source>` / `ingest:file:<path>` per ingest source. */
export function jobLockFor(name: string, command: Command): string[] {
  const opts = command.opts() as { dryRun?: boolean; source?: string };
  if (!LOCKED_JOBS.has(name) || opts.dryRun) return [];
  if (name !== 'ingest') return [name];
  const file = command.args[0];
  return [opts.source ? `ingest:${opts.source}` : file ? `ingest:file:${path.resolve(file)}` : 'ingest'];
}

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: Output = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`)
};

/** Global flags of the command, whatever level it is registered at. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/**
 * Runs a command body with a Runtime and reports. Use it in every capability command:
 * `.action(async (opts, cmd) => runCommand(cmd, 'qualify', (rt) => qualify(rt, opts)))`.
 * Returns the exit code (also set on process.exitCode).
 */
export async function runCommand(
  command: Command,
  name: string,
  body: (rt: LeadflowRuntime) => Promise<CommandResult>,
  extra: Partial<RuntimeOptions> & { output?: Output } = {}
): Promise<ExitCodeValue> {
  const g = globalOptions(command);
  const out = extra.output ?? processOutput;
  let usage: ReturnType<LeadflowRuntime['apiUsage']> = null;
  let code: ExitCodeValue;
  try {
    const result = await withRuntime(
      {
        configPath: g.config,
        targetOrg: g.targetOrg,
        json: g.json,
        verbose: g.verbose,
        command: name,
        jobLock: { names: jobLockFor(name, command), wait: g.wait },
        ...extra
      },
      async (rt) => {
        try {
          return await body(rt);
        } finally {
          usage = rt.apiUsage();
        }
      }
    );
    code = result.ok ? ExitCode.ok : result.partial ? ExitCode.partial : ExitCode.failure;
    if (g.json) {
      out.stdout(JSON.stringify({ ok: result.ok, ...(result.partial ? { partial: true } : {}), summary: result.summary, apiCalls: usage }, null, 2));
    } else {
      for (const line of result.lines ?? []) out.stdout(line);
      out.stdout(`API calls: ${usage ? formatUsage(usageView(usage)) : '0 (no org connection)'}`);
    }
  } catch (err) {
    code = exitCodeFor(err);
    const message = scrubString(errorMessage(err));
    if (g.json) {
      out.stdout(JSON.stringify({ ok: false, error: { code: errorCodeOf(err), message }, apiCalls: usage }, null, 2));
    } else {
      out.stderr(`Error: ${message}`);
      if (g.verbose && err instanceof Error && err.stack) out.stderr(scrubString(err.stack));
      out.stderr(`API calls: ${usage ? formatUsage(usageView(usage)) : '0 (no org connection)'}`);
    }
  }
  process.exitCode = code;
  return code;
}

function usageView(u: { total: number; bySurface: Record<string, number> }) {
  return { total: () => u.total, bySurface: () => u.bySurface };
}

export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof ConfigError || err instanceof UsageError) return ExitCode.usage;
  if (err instanceof OrgConnectionError) return ExitCode.org;
  if (err instanceof LeadflowError && err.code === ErrorCode.Locked) return ExitCode.locked;
  if (err instanceof SalesforceError && (err.errorCode === 'INVALID_SESSION_ID' || err.httpStatus === 401)) return ExitCode.org;
  return ExitCode.failure;
}

function errorCodeOf(err: unknown): string {
  if (err instanceof LeadflowError) return err.code;
  if (err instanceof SalesforceError) return err.errorCode;
  return 'INTERNAL';
}

function errorMessage(err: unknown): string {
  if (err instanceof SalesforceError) return `${err.errorCode}: ${err.message}`;
  if (err instanceof Error) return err.message;
  // Some libraries reject with plain objects: show their message, not "[object Object]".
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    return typeof message === 'string' ? message : JSON.stringify(err);
  }
  return String(err);
}
