/**
 * `leadflow emulator`: runs the local org in the foreground. The emulator is loaded with a dynamic import:
 * this is the only place src/ touches emulator/ (the service must not depend on it otherwise).
 */
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { globalOptions } from '../run';
import { loadModule } from '../../shared/load-module';

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
    .addOption(new Option('--host <host>', 'loopback interface to bind').choices(['127.0.0.1', 'localhost', '::1']).default('127.0.0.1'))
    .option('--data-dir <dir>', 'PGlite data directory (persists across restarts)', '.emulator-data')
    .addOption(new Option('--seed <name>', 'data set loaded into an empty org').choices(['demo', 'none']).default('demo'))
    .action(async (opts: { port: number; host: string; dataDir: string; seed: string }, cmd: Command) => {
      const { json } = globalOptions(cmd);
      // Loaded at run time only: the CLI is the one place src/ may touch emulator/.
      const server = loadModule<{
        startEmulator(o: { port: number; host?: string; dataDir: string; seed: string }): Promise<EmulatorHandle>;
      }>(path.resolve(__dirname, '../../../emulator/server.ts'));
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
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0..65535');
  return n;
}
