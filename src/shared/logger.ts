/**
 * The service logger: pino on stderr (stdout is reserved for command results, e.g. `--json`).
 * Secrets never reach the output: pino `redact` removes well-known paths and a `logMethod` hook deep-scrubs
 * every argument (secret-named keys and token-looking strings, see ./redact).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, scrubValue } from './redact';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Where to write (default: stderr, synchronous so nothing is lost on exit). */
  destination?: DestinationStream;
  name?: string;
}

/** Paths pino removes before serialising (cheap first line; the logMethod hook catches the rest). */
export const REDACT_PATHS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.password',
  '*.clientSecret',
  '*.client_secret',
  '*.authorization',
  '*.headers.authorization'
];

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'leadflow',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => scrubValue(a)) as Parameters<typeof method>;
          return method.apply(this, scrubbed);
        }
      }
    },
    options.destination ?? pino.destination({ fd: 2, sync: true })
  );
}
