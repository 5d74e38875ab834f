/** What capability commands use from the CLI (import from 'src/cli', never from main.ts). */
export { runCommand, globalOptions, exitCodeFor, type GlobalOptions, type Output } from './run';
export type { LeadflowRuntime } from '../runtime/runtime';
export type { CommandResult } from '../runtime/types';
