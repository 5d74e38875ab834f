export type { Runtime, CommandResult, ProgressReporter } from './types';
export { withRuntime, openStoreFor, type RuntimeOptions, type LeadflowRuntime } from './runtime';
export { createProgressFactory } from './progress';
