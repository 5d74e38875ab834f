/**
 * Error classes shared by the service. Every error the CLI can report carries a code from `ErrorCode`;
 * the CLI maps codes to exit codes and user messages once, at the edge (src/cli/run.ts).
 */

/** Process exit codes of the `leadflow` CLI (documented in docs/cli.md). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  org: 3,
  partial: 4,
  /** Another process holds what this run needs: the job lock (another run of the same job) or the store. */
  locked: 5
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const ErrorCode = {
  /** The config file or an env override is invalid. */
  ConfigInvalid: 'CONFIG_INVALID',
  /** A --config path that does not exist or cannot be read/parsed. */
  ConfigUnreadable: 'CONFIG_UNREADABLE',
  /** Org credentials are missing or incomplete (e.g. SF_CLIENT_ID without SF_CLIENT_SECRET). */
  OrgCredentials: 'ORG_CREDENTIALS',
  /** Authentication with the org failed (token endpoint refused, sf alias unknown, session invalid after refresh). */
  OrgAuth: 'ORG_AUTH',
  /** The org could not be reached (connection refused, DNS, timeout). */
  OrgUnreachable: 'ORG_UNREACHABLE',
  /** The store could not be opened or migrated. */
  Store: 'STORE',
  /** Bad CLI usage (unknown flag values etc.). */
  Usage: 'USAGE',
  /** An input file that cannot be used: missing, a directory or FIFO, unreadable, no known header (exit 1). */
  Input: 'INPUT',
  /** A job lock is held by another instance. */
  Locked: 'LOCKED',
  /** Anything else. */
  Internal: 'INTERNAL'
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: a code plus an optional cause. */
export class LeadflowError extends Error {
  constructor(
    public readonly code: ErrorCodeValue,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = 'LeadflowError';
  }
}

export interface ConfigIssue {
  /** Dotted key path, e.g. `org.apiVersion` (empty for the root). */
  path: string;
  message: string;
}

/** Invalid configuration: lists every issue with its key path. */
export class ConfigError extends LeadflowError {
  constructor(
    public readonly issues: ConfigIssue[],
    public readonly source: string,
    code: ErrorCodeValue = ErrorCode.ConfigInvalid
  ) {
    super(
      code,
      `Invalid configuration (${source}):\n` +
        issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')
    );
    this.name = 'ConfigError';
  }
}

/** Org connection/auth problems (exit code 3). */
export class OrgConnectionError extends LeadflowError {
  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OrgConnectionError';
  }
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends LeadflowError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
    this.name = 'UsageError';
  }
}
