/**
 * Running the real `leadflow` CLI from integration tests, as a child process against a test org.
 *
 *   const configPath = writeLocalConfig(dir, org.url, { conversion: { batchSize: 1 } });
 *   const run = await runLeadflow(['--config', configPath, '--json', 'convert'], { cwd: dir });
 *
 * Always asynchronous: the emulator serves from the test's own process, so a blocking spawnSync would
 * starve it and deadlock.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const LEADFLOW_BIN = path.join(ROOT, 'bin/leadflow.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The test process's environment without sf CLI credentials (so the CLI targets the given org only). */
export function cliEnv(
  extra: Record<string, string> = {},
  opts: { dropLeadflowVars?: boolean } = {}
): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('SF_') && !(opts.dropLeadflowVars && k.startsWith('LEADFLOW_'))
  );
  return { ...Object.fromEntries(kept), ...extra };
}

/** Writes dir/leadflow.config.json targeting the org at orgUrl with an on-disk store in dir/store. */
export function writeLocalConfig(dir: string, orgUrl: string, extra: Record<string, unknown> = {}): string {
  const configPath = path.join(dir, 'leadflow.config.json');
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      org: { emulatorUrl: orgUrl },
      store: { dataDir: path.join(dir, 'store') },
      outputDir: path.join(dir, 'out'),
      logLevel: 'warn',
      ...extra
    })
  );
  return configPath;
}

/** Runs `leadflow <args>` to completion (killed after timeoutMs) and collects its output. */
export function runLeadflow(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LEADFLOW_BIN, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
