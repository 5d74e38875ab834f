/** `leadflow serve` and its public API. */
import type { Command } from 'commander';
import { globalOptions } from '../cli/run';
import { ExitCode } from '../shared/errors';
import { exitCodeFor } from '../cli/run';
import { scrubString } from '../shared/redact';
import { startServe } from './server';

export { startServe, type StartServeOptions, type ServeHandle, type JobRunner } from './server';
export { serveConfigSchema, SCHEDULABLE_JOBS, type ServeConfig, type SchedulableJob } from './config';
export type { ServeRoutePlugin } from './routes';
export { createScheduler, type Scheduler } from './scheduler';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the long-lived service: /healthz, webhook routes and the cron job scheduler (config "serve")')
    .option('--port <port>', 'override serve.port', (v) => Number(v))
    .action(async (opts: { port?: number }, cmd: Command) => {
      const g = globalOptions(cmd);
      try {
        const handle = await startServe({
          configPath: g.config,
          targetOrg: g.targetOrg,
          json: g.json,
          verbose: g.verbose,
          config: opts.port !== undefined ? { serve: { port: opts.port } } : undefined
        });
        const line = { ok: true, url: handle.url, scheduler: handle.scheduler.kind, schedules: handle.scheduler.schedules() };
        process.stdout.write(g.json ? `${JSON.stringify(line)}\n` : `leadflow serve listening on ${handle.url} (scheduler: ${line.scheduler})\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await handle.close();
        process.exitCode = ExitCode.ok;
      } catch (err) {
        process.stderr.write(`Error: ${scrubString((err as Error).message)}\n`);
        process.exitCode = exitCodeFor(err);
      }
    });
}
