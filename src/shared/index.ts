export * from './errors';
export { createLogger, REDACT_PATHS, type LogLevel, type CreateLoggerOptions } from './logger';
export { scrubString, scrubValue, isSecretKey, REDACTED } from './redact';
