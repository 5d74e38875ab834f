/**
 * Discovers the pipeline steps capabilities expose, from their public API (src/<cap>/index.ts), so the
 * scheduler (src/serve) and `npm start` (scripts/start.ts) run whatever capabilities are installed.
 * Convention: the capability's index exports `run<Step>(runtime, options?)` returning a CommandResult or a
 * summary object. A capability whose index.ts does not exist is "not installed" (reported, never faked).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandResult, Runtime } from './types';
import { loadModule } from '../shared/load-module';

export const PIPELINE_STEPS = ['ingest', 'qualify', 'convert', 'history', 'report'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** Where each step lives and the export names accepted for it (first found wins). */
export const STEP_SOURCES: Record<PipelineStep, { capability: string; exports: string[] }[]> = {
  ingest: [{ capability: 'ingest', exports: ['runIngest'] }],
  qualify: [{ capability: 'qualification', exports: ['runQualify', 'runQualification'] }],
  convert: [{ capability: 'conversion', exports: ['runConvert', 'runConversion'] }],
  history: [{ capability: 'history', exports: ['runHistory'] }],
  report: [
    { capability: 'reports', exports: ['runReport'] },
    { capability: 'history', exports: ['runReport'] }
  ]
};

export type StepFunction = (rt: Runtime, options?: Record<string, unknown>) => Promise<unknown>;

export interface DiscoveredStep {
  step: PipelineStep;
  capability: string;
  exportName: string;
  run: StepFunction;
}

const SRC_DIR = path.resolve(__dirname, '..');

/** The capability's index file (src/<capability>/index.ts or .js), or null when it is not installed. */
export function capabilityIndex(capability: string, srcDir = SRC_DIR): string | null {
  for (const f of ['index.ts', 'index.js']) {
    const file = path.join(srcDir, capability, f);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export function capabilityInstalled(capability: string, srcDir = SRC_DIR): boolean {
  return capabilityIndex(capability, srcDir) !== null;
}

/**
 * The step's function, or null when no capability providing it is installed. A capability that is installed
 * but fails to load is an error (it is broken, not missing).
 */
export async function discoverStep(step: PipelineStep, srcDir = SRC_DIR): Promise<DiscoveredStep | null> {
  for (const source of STEP_SOURCES[step]) {
    const file = capabilityIndex(source.capability, srcDir);
    if (!file) continue;
    const mod = loadModule(file);
    for (const exportName of source.exports) {
      const fn = mod[exportName];
      if (typeof fn === 'function') {
        return { step, capability: source.capability, exportName, run: fn as StepFunction };
      }
    }
  }
  return null;
}

/** Normalises a step's return value: CommandResults pass through, anything else is a successful summary. */
export function toCommandResult(value: unknown): CommandResult {
  if (value && typeof value === 'object' && 'ok' in value && 'summary' in value && typeof (value as CommandResult).ok === 'boolean') {
    return value as CommandResult;
  }
  return { ok: true, summary: value ?? null };
}
