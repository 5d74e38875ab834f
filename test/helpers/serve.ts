/**
 * `leadflow serve` as a user starts it (`bin/leadflow.js --config <file> --json serve`), in a child process:
 * resolves with the URL from serve's first JSON line, or rejects with its stderr when it exits before listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LEADFLOW_BIN } from './cli';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<NodeJS.Signals | number | null>;
  stderr: () => string;
}

/** `children` receives the process before it listens, so a test's afterAll can kill one that never does. */
export async function startServeProcess(opts: {
  configPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  children: ChildProcess[];
}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [LEADFLOW_BIN, '--config', opts.configPath, '--json', 'serve'], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  opts.children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code))
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) =>
      reject(new Error(`serve exited (${String(code)}) before listening: ${stderr.slice(-2000)}`))
    );
  });
  return { child, url, exited, stderr: () => stderr };
}
