import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, validateConfig } from './load';
import { ConfigError } from '../shared/errors';

function tmpDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-config-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('should return defaults when no config file exists', async () => {
    const { config, source } = await loadConfig({ cwd: tmpDir(), env: {} });
    expect(source).toBe('(defaults)');
    expect(config.org.apiVersion).toBe('62.0');
    expect(config.store.dataDir).toBe('.leadflow/store');
    expect(config.serve).toMatchObject({ host: '127.0.0.1', port: 4020, schedules: {} });
  });

  it('should name the key path and reason when a value is invalid', async () => {
    const cwd = tmpDir({ 'leadflow.config.json': JSON.stringify({ org: { apiVersion: '62' }, serve: { port: 'x' } }) });
    const err = await configError(loadConfig({ cwd, env: {} }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['org.apiVersion', 'serve.port']);
    expect(err.message).toContain('org.apiVersion: must look like 62.0');
    expect(err.source).toBe(path.join(cwd, 'leadflow.config.json'));
  });

  it('should reject unknown top-level keys (typos) and bad cron expressions', async () => {
    const cwd = tmpDir({ 'leadflow.config.json': JSON.stringify({ outptDir: 'x', serve: { schedules: { qualify: 'every day' } } }) });
    const err = await configError(loadConfig({ cwd, env: {} }));
    expect(err.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'outptDir', message: expect.stringContaining('unknown key') }),
        expect.objectContaining({ path: 'serve.schedules.qualify', message: expect.stringContaining('cron') })
      ])
    );
  });

  it('should fail with a clear reason when the JSON does not parse', async () => {
    const cwd = tmpDir({ 'leadflow.config.json': '{ "org": ' });
    const err = await configError(loadConfig({ cwd, env: {} }));
    expect(err.code).toBe('CONFIG_UNREADABLE');
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('should fail when an explicit --config path does not exist', async () => {
    const err = await configError(loadConfig({ cwd: tmpDir(), configPath: 'missing.json', env: {} }));
    expect(err.message).toContain('config file not found');
  });

  it('should apply env overrides and name the env variable when one is invalid', async () => {
    const cwd = tmpDir({ 'leadflow.config.json': JSON.stringify({ outputDir: 'from-file' }) });
    const ok = await loadConfig({
      cwd,
      env: { LEADFLOW_OUTPUT_DIR: 'from-env', DATABASE_URL: 'postgres://u@h/db', LEADFLOW_SERVE_PORT: '5000', LEADFLOW_TARGET_ORG: 'prod' }
    });
    expect(ok.config.outputDir).toBe('from-env');
    expect(ok.config.store.databaseUrl).toBe('postgres://u@h/db');
    expect(ok.config.serve.port).toBe(5000);
    expect(ok.config.org.targetOrg).toBe('prod');

    const err = await configError(loadConfig({ cwd, env: { DATABASE_URL: 'mysql://x' } }));
    expect(err.issues[0]).toEqual({ path: 'store.databaseUrl', message: expect.stringContaining('(from env DATABASE_URL)') });
  });

  it('should let overrides (CLI flags) win over file and env', async () => {
    const cwd = tmpDir({ 'leadflow.config.json': JSON.stringify({ org: { targetOrg: 'file' } }) });
    const { config } = await loadConfig({ cwd, env: { LEADFLOW_TARGET_ORG: 'env' }, overrides: { org: { targetOrg: 'flag' } } });
    expect(config.org.targetOrg).toBe('flag');
  });
});

describe('validateConfig', () => {
  it('should reject a non-object config', () => {
    expect(() => validateConfig([1, 2])).toThrow(ConfigError);
  });
});
