/**
 * What every command receives. Built by src/runtime/runtime.ts (withRuntime) from CLI flags, env and the
 * config file. The org connection is opened lazily so commands that don't need Salesforce stay offline.
 */
import type { Logger } from 'pino';
import type { OrgClient } from '../salesforce/types';
import type { Store } from '../store/types';
import type { LeadflowConfig } from '../config/schema';

export interface ProgressReporter {
  /** Advance by n (default 1). */
  tick(n?: number): void;
  setTotal(total: number): void;
  /** Stop the bar and print nothing else. */
  done(): void;
}

export interface Runtime {
  readonly config: LeadflowConfig;
  /** Connects on first call (sf alias, env credentials, or the local emulator) and reuses it. */
  org(): Promise<OrgClient>;
  readonly store: Store;
  readonly logger: Logger;
  /** A progress bar on a TTY in human mode; silent with --json or when not a TTY. */
  progress(label: string, total?: number): ProgressReporter;
  now(): Date;
  /** --json was passed: print only the JSON result on stdout. */
  readonly json: boolean;
  /** Directory for run artefacts (reject files, reports): config.outputDir, default .leadflow/out. */
  readonly outputDir: string;
}

/** Result a command returns; the CLI prints it (JSON or human) and maps `ok` to the exit code. */
export interface CommandResult<T = unknown> {
  ok: boolean;
  summary: T;
  /** Human lines printed in non-JSON mode. */
  lines?: string[];
  /** Some items failed while others succeeded: with ok=false the CLI exits 4 instead of 1. */
  partial?: boolean;
}
