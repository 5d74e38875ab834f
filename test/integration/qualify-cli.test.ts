/**
 * `leadflow qualify` as a user runs it: the CLI entry point (main(argv), in process to keep the test fast),
 * a config file pointing at the local org and a criteria file, JSON output, exit codes, and a bad
 * criteria file reported with its path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { startTestOrg } from '../helpers/emulator';

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  const previousCwd = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(['node', 'leadflow', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previousCwd);
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe('leadflow qualify (CLI)', () => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let client: OrgClient;
  let dir: string;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    const created = await client.rest.create('Lead', [
      { LastName: 'Ready', Company: 'A', Budget_Confirmed__c: true, Authority_Level__c: 'Influencer', Need_Identified__c: true },
      { LastName: 'Early', Company: 'B' }
    ]);
    expect(created.every((r) => r.success)).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-qualify-cli-'));
    fs.writeFileSync(
      path.join(dir, 'leadflow.config.json'),
      JSON.stringify({ org: { emulatorUrl: org.url }, store: { dataDir: path.join(dir, 'store') }, qualification: { criteriaFile: 'criteria.json' } })
    );
  });

  afterAll(async () => {
    await client?.close();
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should qualify from a criteria file, print a JSON summary and write nothing on the second run', async () => {
    fs.writeFileSync(path.join(dir, 'criteria.json'), JSON.stringify({ presets: ['BANT'] }));
    const first = await cli(['--json', 'qualify'], dir);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout) as { ok: boolean; summary: Record<string, unknown> };
    expect(out.ok).toBe(true);
    expect(out.summary).toMatchObject({ criteriaSource: 'file criteria.json', criteria: 5, changed: 2, written: 2, writeCalls: 1 });
    const leads = await client.rest.query("SELECT LastName, Fit_Score__c, Qualification_Status__c, Missing_Criteria__c FROM Lead ORDER BY LastName");
    expect(leads.map((l) => [l['LastName'], l['Fit_Score__c'], l['Qualification_Status__c'], l['Missing_Criteria__c']])).toEqual([
      ['Early', 0, 'Not Qualified', 'Budget confirmed; Decision maker or influencer; Need identified'],
      ['Ready', 72, 'Qualified', null]
    ]);

    const second = await cli(['--json', 'qualify'], dir);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).summary).toMatchObject({ mode: 'incremental', changed: 0, written: 0, writeCalls: 0 });
  });

  it('should exit 2 and name the path inside a bad criteria file', async () => {
    fs.writeFileSync(
      path.join(dir, 'criteria.json'),
      JSON.stringify({ criteria: [{ developerName: 'A', label: 'A', field: 'Industry', operator: 'startsWith', value: 'x', weight: 1 }] })
    );
    const res = await cli(['qualify'], dir);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('criteria.json');
    expect(res.stderr).toContain('criteria[0].operator: Unknown operator "startsWith"');
  });
});
