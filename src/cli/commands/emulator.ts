/**
 * `leadflow emulator`: runs the local org in the foreground. The emulator is loaded with a dynamic import:
 * this is the only place src/ touches emulator/ (the service must not depend on it otherwise).
 */
import type { Command } from 'commander';
import { globalOptions } from '../run';

interface EmulatorHandle {
  url?: string;
  baseUrl?: string;
  port?: number;
  close(): Promise<void>;
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run the local Salesforce org emulator (OAuth, REST, Bulk API 2.0, SOAP convertLead) until Ctrl+C')
    .option('--port <port>', 'port to listen on (0 = any free port)', (v) => parsePort(v), 4010)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'PGlite data directory (persists across restarts)', '.emulator-data')
    .option('--seed <name>', 'seed data set to load into an empty org (e.g. demo, none)', 'demo')
    .action(async (opts: { port: number; host: string; dataDir: string; seed: string }, cmd: Command) => {
      const { json } = globalOptions(cmd);
      const server = (await import('../../../emulator/server')) as unknown as {
        startEmulator(o: { port: number; host?: string; dataDir: string; seed: string }): Promise<EmulatorHandle>;
      };
      const handle = await server.startEmulator({ port: opts.port, host: opts.host, dataDir: opts.dataDir, seed: opts.seed });
      const url = handle.url ?? handle.baseUrl ?? `http://${opts.host}:${handle.port ?? opts.port}`;
      if (json) process.stdout.write(`${JSON.stringify({ ok: true, url, dataDir: opts.dataDir })}\n`);
      else process.stdout.write(`Local org emulator listening on ${url} (data: ${opts.dataDir}). Ctrl+C to stop.\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await handle.close();
    });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be an integer 0..65535, got ${value}`);
  return n;
}
