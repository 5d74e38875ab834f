/**
 * `leadflow --target-org <alias>` end to end, as a user with the sf CLI does it: the real `sf org login
 * access-token` (node_modules/.bin/sf, child process) stores the org in its auth store, then the real
 * `leadflow` CLI (child process) connects through that alias. Nothing is patched: the auth store is used as
 * sf wrote it (instance URL with its trailing slash), no preload, no NODE_OPTIONS. HOME and the XDG dirs
 * point into a temp dir so the user's ~/.sf and ~/.sfdx are never touched. Never skipped: on a Node where
 * @salesforce/core cannot load (the Node 20 undici 8 crash of issue 12), these tests fail.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { ROOT, runLeadflow, writeLocalConfig } from '../helpers/cli';

const SF_BIN = path.join(ROOT, 'node_modules', '.bin', 'sf');
const ALIAS = 'leadflow-emu';

let org: TestOrg;
let workDir: string;
let env: NodeJS.ProcessEnv;

/** The environment a user's shell would have: a HOME, PATH, and the sf switches .ci/run sets. */
function userEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    SF_DISABLE_DNS_CHECK: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true'
  };
}

function sf(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {}
): Promise<{ code: number | null; json: unknown; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SF_BIN, ...args, '--json'], {
      cwd: workDir,
      env: { ...env, ...extraEnv }
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, json: JSON.parse(stdout) as unknown, stderr });
      } catch {
        reject(new Error(`sf ${args.join(' ')} printed no JSON.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

beforeAll(async () => {
  org = await startTestOrg();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-sfalias-'));
  const home = path.join(workDir, 'home');
  fs.mkdirSync(home);
  env = userEnv(home);
  const login = await sf(
    ['org', 'login', 'access-token', '--instance-url', org.url, '--no-prompt', '--alias', ALIAS],
    {
      SF_ACCESS_TOKEN: org.accessToken
    }
  );
  expect(login.json).toMatchObject({ status: 0, result: { username: 'admin@leadflow.local' } });
});

afterAll(async () => {
  await org?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

it('should run leadflow doctor against the org behind an sf alias', async () => {
  // The config points the emulator fallback at a dead port: only the sf alias can reach the org.
  const configPath = writeLocalConfig(workDir, 'http://127.0.0.1:1');
  const before = org.emulator.usage.used();
  const run = await runLeadflow(['--config', configPath, '--target-org', ALIAS, '--json', 'doctor'], {
    cwd: workDir,
    env
  });
  const result = JSON.parse(run.stdout) as {
    ok: boolean;
    summary: {
      org: { kind: string; username: string; orgId: string; label: string };
      checks: Array<{ name: string; status: string }>;
    };
  };
  expect(result.summary.org).toMatchObject({
    kind: 'sf-alias',
    username: 'admin@leadflow.local',
    orgId: '00D000000000001AAA',
    label: expect.stringContaining(`sf org ${ALIAS}`)
  });
  const byName = Object.fromEntries(result.summary.checks.map((c) => [c.name, c.status]));
  expect(byName['org access']).toBe('pass');
  expect(byName['package fields on Lead']).toBe('pass');
  expect(byName['API limits']).toBe('pass');
  // The calls really reached this org.
  expect(org.emulator.usage.used()).toBeGreaterThan(before);
});
