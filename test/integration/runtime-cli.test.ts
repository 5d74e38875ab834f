/**
 * withRuntime + runCommand + doctor against the local org: output modes, API call reporting, exit codes,
 * the runs table, and the doctor checklist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { runCommand, type Output } from '../../src/cli/run';
import { runDoctor } from '../../src/cli/doctor';
import { withRuntime } from '../../src/runtime/runtime';
import { ConfigError, OrgConnectionError, ErrorCode } from '../../src/shared/errors';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';

let org: TestOrg;
// One in-memory store shared by every runtime here (opening PGlite costs seconds); withRuntime leaves injected stores open.
let store: Store;
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-cli-'));
const env = () => ({ LEADFLOW_EMULATOR_URL: org.url, LEADFLOW_STORE_DIR: path.join(cwd, 'store'), LEADFLOW_LOG_LEVEL: 'silent' });

beforeAll(async () => {
  [org, store] = await Promise.all([startTestOrg(), openStore({ dataDir: 'memory://' })]);
});
afterAll(async () => {
  await org?.close();
  await store?.close();
  fs.rmSync(cwd, { recursive: true, force: true });
});

function program(args: string[]): Command {
  const p = new Command('leadflow').option('--json').option('--verbose').option('--config <path>').option('--target-org <o>');
  p.parse(['node', 'leadflow', ...args]);
  return p;
}
function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('runCommand', () => {
  it('should print human lines and the API call count, and record the run', async () => {
    const o = capture();
    const code = await runCommand(
      program([]),
      'probe',
      async (rt) => {
        const client = await rt.org();
        const rows = await client.rest.query('SELECT Id FROM User');
        return { ok: true, summary: { users: rows.length }, lines: [`users: ${rows.length}`] };
      },
      { cwd, env: env(), store, output: o }
    );
    expect(code).toBe(0);
    expect(o.out[0]).toMatch(/^users: \d+$/);
    expect(o.out[o.out.length - 1]).toBe('API calls: 1 (rest 1, auth 1)');
    const runs = await withRuntime({ cwd, env: env(), store }, (rt) =>
      rt.store.query<{ command: string; status: string; api_calls: number; summary: unknown }>(
        "select command, status, api_calls, summary from runs where command = 'probe'"
      )
    );
    expect(runs).toEqual([{ command: 'probe', status: 'ok', api_calls: 1, summary: { users: expect.any(Number) } }]);
  });

  it('should print one JSON document with --json and exit 4 on partial failure', async () => {
    const o = capture();
    const code = await runCommand(program(['--json']), 'partial', async () => ({ ok: false, partial: true, summary: { failed: 1 } }), {
      cwd,
      env: env(),
      store,
      output: o
    });
    expect(code).toBe(4);
    expect(o.out).toHaveLength(1);
    expect(JSON.parse(o.out[0]!)).toEqual({ ok: false, partial: true, summary: { failed: 1 }, apiCalls: null });
  });

  it.each([
    ['a config error', () => new ConfigError([{ path: 'org.apiVersion', message: 'must look like 62.0' }], 'x.json'), 2],
    ['an org error', () => new OrgConnectionError(ErrorCode.OrgAuth, 'Authentication failed: invalid_client'), 3],
    ['any other error', () => new Error('boom'), 1]
  ])('should exit with the documented code for %s, without secrets in the message', async (_name, make, expected) => {
    const o = capture();
    const code = await runCommand(
      program([]),
      'failing',
      async () => {
        const err = make();
        err.message += ' token 00D000000000001!AQ0Emu.secretsecret';
        throw err;
      },
      { cwd, env: env(), store, output: o }
    );
    expect(code).toBe(expected);
    expect(o.err.join('\n')).toContain('Error: ');
    expect(o.err.join('\n')).not.toContain('secretsecret');
  });

  it('should fail with exit 2 before doing anything when the config is invalid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-badcfg-'));
    fs.writeFileSync(path.join(dir, 'leadflow.config.json'), JSON.stringify({ store: { databaseUrl: 'mysql://x' } }));
    const o = capture();
    let ran = false;
    const code = await runCommand(program([]), 'x', async () => ((ran = true), { ok: true, summary: null }), { cwd: dir, env: {}, output: o });
    expect(code).toBe(2);
    expect(ran).toBe(false);
    expect(o.err[0]).toContain('store.databaseUrl: must be a postgres:// or postgresql:// URL');
  });
});

describe('doctor', () => {
  it('should check org access, package fields, permission sets and limits against the local org', async () => {
    const result = await withRuntime({ cwd, env: env(), store }, (rt) => runDoctor(rt));
    const byName = Object.fromEntries(result.summary.checks.map((c) => [c.name, c]));
    expect(byName['org access']).toMatchObject({ status: 'pass', detail: expect.stringContaining('admin@leadflow.local') });
    for (const object of ['Lead', 'Account', 'Opportunity', 'Funnel_Stage_Change__c']) {
      expect(byName[`package fields on ${object}`]).toMatchObject({ status: 'pass' });
    }
    expect(['pass', 'warn', 'fail']).toContain(byName['permission sets']!.status);
    expect(byName['API limits']).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^\d+ of 15000 daily API requests left$/) });
    expect(result.lines!.length).toBe(result.summary.checks.length + 1);
  });

  it('should fail org access (and skip the rest) when the org is unreachable', async () => {
    const result = await withRuntime({ cwd, env: { ...env(), LEADFLOW_EMULATOR_URL: 'http://127.0.0.1:1' }, store }, (rt) => runDoctor(rt));
    expect(result.ok).toBe(false);
    expect(result.summary.checks.find((c) => c.name === 'org access')).toMatchObject({ status: 'fail' });
    expect(result.summary.checks.filter((c) => c.status === 'skip')).toHaveLength(3);
  });
});
