/**
 * Loads leadflow.config.json (or --config path, or a .ts/.js module), applies env overrides and validates
 * with the root zod schema. Any problem fails fast with a ConfigError naming each key path and reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, ErrorCode, type ConfigIssue } from '../shared/errors';
import { configSchema, type LeadflowConfig } from './schema';

export const DEFAULT_CONFIG_FILES = ['leadflow.config.json', 'leadflow.config.ts', 'leadflow.config.js'];

type Env = Record<string, string | undefined>;

/** Env variable -> config key path; numbers are coerced where the schema wants one. */
export const ENV_OVERRIDES: { env: string; path: string[]; type: 'string' | 'number' }[] = [
  { env: 'LEADFLOW_TARGET_ORG', path: ['org', 'targetOrg'], type: 'string' },
  { env: 'LEADFLOW_API_VERSION', path: ['org', 'apiVersion'], type: 'string' },
  { env: 'LEADFLOW_EMULATOR_URL', path: ['org', 'emulatorUrl'], type: 'string' },
  { env: 'LEADFLOW_OUTPUT_DIR', path: ['outputDir'], type: 'string' },
  { env: 'LEADFLOW_STORE_DIR', path: ['store', 'dataDir'], type: 'string' },
  { env: 'DATABASE_URL', path: ['store', 'databaseUrl'], type: 'string' },
  { env: 'LEADFLOW_LOG_LEVEL', path: ['logLevel'], type: 'string' },
  { env: 'LEADFLOW_SERVE_HOST', path: ['serve', 'host'], type: 'string' },
  { env: 'LEADFLOW_SERVE_PORT', path: ['serve', 'port'], type: 'number' }
];

export interface LoadConfigOptions {
  /** Explicit file (--config). Must exist. */
  configPath?: string;
  /** Directory searched for leadflow.config.{json,ts,js} (default process.cwd()). */
  cwd?: string;
  env?: Env;
  /** Values applied last (CLI flags), as a partial config object. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: LeadflowConfig;
  /** The file used, or '(defaults)' when none exists. */
  source: string;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let file: string | undefined;
  if (options.configPath) {
    file = path.resolve(cwd, options.configPath);
    if (!fs.existsSync(file)) {
      throw new ConfigError([{ path: '', message: `config file not found: ${file}` }], file, ErrorCode.ConfigUnreadable);
    }
  } else {
    file = DEFAULT_CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
  }
  const source = file ?? '(defaults)';
  const raw = file ? await readConfigFile(file) : {};
  const fromEnv = new Map<string, string>();
  const merged = applyEnvOverrides(raw, env, fromEnv);
  if (options.overrides) deepAssign(merged, options.overrides);
  return { config: validateConfig(merged, source, fromEnv), source };
}

/** Validates a raw config object; unknown top-level keys are errors (typos must not be ignored silently). */
export function validateConfig(raw: unknown, source = '(inline)', fromEnv = new Map<string, string>()): LeadflowConfig {
  const issues: ConfigIssue[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', message: 'the configuration must be a JSON object' }], source);
  }
  const known = new Set([...Object.keys(configSchema.shape), '$schema']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) issues.push({ path: key, message: `unknown key (known keys: ${[...known].filter((k) => k !== '$schema').join(', ')})` });
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) issues.push(...zodIssues(result.error, fromEnv));
  if (issues.length > 0) throw new ConfigError(issues, source);
  return result.data!;
}

/** zod issues as key paths + reasons, naming the env variable when the value came from one. */
export function zodIssues(error: z.ZodError, fromEnv = new Map<string, string>()): ConfigIssue[] {
  return error.issues.map((issue) => {
    const keyPath = issue.path.map(String).join('.');
    const envName = fromEnv.get(keyPath);
    return { path: keyPath, message: issue.message + (envName ? ` (from env ${envName})` : '') };
  });
}

async function readConfigFile(file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    }
    // .ts/.js/.cjs/.mts: loaded through tsx so TypeScript config files work without a build step.
    const { require: tsxRequire } = (await import('tsx/cjs/api')) as { require: (id: string, from: string) => unknown };
    const mod = tsxRequire(file, __filename) as { default?: unknown };
    return mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
  } catch (err) {
    const reason = err instanceof SyntaxError ? `not valid JSON: ${err.message}` : `cannot be loaded: ${(err as Error).message}`;
    throw new ConfigError([{ path: '', message: reason }], file, ErrorCode.ConfigUnreadable);
  }
}

function applyEnvOverrides(raw: unknown, env: Env, fromEnv: Map<string, string>): Record<string, unknown> {
  const out = structuredClone((raw ?? {}) as Record<string, unknown>);
  if (typeof out !== 'object' || out === null || Array.isArray(out)) return out;
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    const typed: unknown = o.type === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    let target = out;
    for (const key of o.path.slice(0, -1)) {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[o.path[o.path.length - 1]!] = typed;
    fromEnv.set(o.path.join('.'), o.env);
  }
  return out;
}

function deepAssign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object') {
      deepAssign(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
}
