import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageDirectories } from './project';
import { GateRunError, type Finding, type GateResult } from './types';

/** The project's own sf CLI (devDependency @salesforce/cli), as `npx sf` would find it. */
const SF_BIN = path.resolve(__dirname, '../../node_modules/.bin/sf');

/** `sf project convert source` of every package directory into a throwaway folder; any error fails the gate. */
export async function runConvert(projectDir: string): Promise<GateResult> {
  const started = Date.now();
  const out = mkdtempSync(path.join(os.tmpdir(), 'leadflow-convert-'));
  const sourceDirs = packageDirectories(projectDir).flatMap((d) => ['--source-dir', d]);
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        SF_BIN,
        ['project', 'convert', 'source', ...sourceDirs, '--output-dir', path.join(out, 'mdapi'), '--json'],
        {
          cwd: projectDir,
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
          env: {
            ...process.env,
            SF_DISABLE_TELEMETRY: 'true',
            SF_AUTOUPDATE_DISABLE: 'true',
            SF_SKIP_NEW_VERSION_CHECK: 'true'
          }
        },
        (error, stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new GateRunError('convert', `${SF_BIN} not found; run npm ci`));
            return;
          }
          resolve({ stdout, stderr });
        }
      );
    });
    const errors: Finding[] = [];
    let result: { status?: number; message?: string; name?: string } = {};
    try {
      result = JSON.parse(stdout) as typeof result;
    } catch {
      errors.push({
        gate: 'convert',
        rule: 'sf-output',
        message: `sf printed no JSON: ${(stderr || stdout).trim().slice(0, 2000)}`
      });
    }
    if (result.status !== undefined && result.status !== 0) {
      errors.push({
        gate: 'convert',
        rule: result.name ?? 'sf-error',
        message: result.message ?? JSON.stringify(result).slice(0, 2000)
      });
    }
    return { gate: 'convert', errors, notes: [], durationMs: Date.now() - started };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
