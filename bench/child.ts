/**
 * Child processes for the benchmarks: a command run as a user runs it (node + a script), with its peak
 * resident memory (VmHWM) sampled from /proc every 100 ms. Not a benchmark itself (no run() export).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssMb: number;
}

/** Runs a node script as a child, sampling its peak resident memory (VmHWM) from /proc. */
export function runChild(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // process already gone, or no /proc (not Linux): keep the last sample
      }
    };
    const timer = setInterval(sample, 100);
    child.stdout.on('data', (d: Buffer) => {
      sample();
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakRssMb: Math.round(peakKb / 1024) });
    });
  });
}

