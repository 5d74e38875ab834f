/**
 * The real Salesforce CLI (node_modules/.bin/sf) against the emulator, run as a user runs it (no preload, no
 * NODE_OPTIONS, the auth store exactly as `sf org login access-token` wrote it): login, org display, SOQL
 * query, single-record create, tree import, Bulk 2.0 upsert and a bulk export spanning several result pages,
 * each checked through jsforce. The CLI runs with its own HOME/XDG dirs in a temp folder, so the user's ~/.sf
 * and ~/.sfdx are never touched, and with the telemetry, update and DNS-check switches .ci/run sets.
 * scripts/sf-smoke.sh covers the rest of the common commands against `npm run emulator`.
 *
 * Spawning sf costs ~3-10 s per command, so the commands run once, in order, sharing one org.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SF_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'sf');
/** Small result pages so `sf data export bulk` has to follow Sforce-Locator several times. */
const QUERY_PAGE_SIZE = 3;

interface SfJson {
  status: number;
  result?: Record<string, unknown>;
  message?: string;
  name?: string;
}

describe('sf CLI against the emulator', () => {
  let org: TestOrg;
  let conn: Connection;
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  function sf(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<SfJson> {
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
      child.on('close', () => {
        try {
          resolve(JSON.parse(stdout) as SfJson);
        } catch {
          reject(new Error(`sf ${args.join(' ')} printed no JSON.\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      });
    });
  }

  beforeAll(async () => {
    process.env.EMULATOR_BULK_QUERY_PAGE_SIZE = String(QUERY_PAGE_SIZE);
    org = await startTestOrg();
    conn = org.connection();
    workDir = mkdtempSync(path.join(tmpdir(), 'leadflow-sf-'));
    const home = path.join(workDir, 'home');
    mkdirSync(home);
    env = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      SF_DISABLE_DNS_CHECK: 'true',
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_SKIP_NEW_VERSION_CHECK: 'true',
      SF_USE_PROGRESS_BAR: 'false',
      SF_CONTENT_TYPE: 'JSON'
    };
  });

  afterAll(async () => {
    delete process.env.EMULATOR_BULK_QUERY_PAGE_SIZE;
    await org.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('should log in with an access token from SF_ACCESS_TOKEN', async () => {
    const out = await sf(
      ['org', 'login', 'access-token', '--instance-url', org.url, '--no-prompt', '-a', 'emu'],
      { SF_ACCESS_TOKEN: org.accessToken }
    );
    expect(out).toMatchObject({
      status: 0,
      result: { username: 'admin@leadflow.local', orgId: '00D000000000001AAA', isDevHub: false }
    });

    // The auth store stays exactly as the CLI wrote it (sfdx-core keeps the instance URL with a trailing
    // slash, so every later command calls "<instance>//services/data/..." like it does against Salesforce).
    const auth = JSON.parse(
      readFileSync(path.join(env.HOME ?? '', '.sfdx', 'admin@leadflow.local.json'), 'utf8')
    ) as Record<string, unknown>;
    expect(auth.instanceUrl).toBe(`${org.url}/`);
  });

  it('should show the org as Connected with sf org display', async () => {
    const out = await sf(['org', 'display', '-o', 'emu']);
    expect(out).toMatchObject({
      status: 0,
      result: { connectedStatus: 'Connected', username: 'admin@leadflow.local', id: '00D000000000001AAA' }
    });
  });

  it('should create a record with sf data create record', async () => {
    const out = await sf([
      'data',
      'create',
      'record',
      '-s',
      'Lead',
      '-v',
      "LastName='Cli Created' Company='Cli Co'",
      '-o',
      'emu'
    ]);
    expect(out).toMatchObject({ status: 0 });
    const id = String(out.result?.id);
    expect(id).toMatch(/^00Q\w{15}$/);
    await expect(conn.sobject('Lead').retrieve(id)).resolves.toMatchObject({
      LastName: 'Cli Created',
      Company: 'Cli Co'
    });
  });

  it('should query with sf data query', async () => {
    const out = await sf([
      'data',
      'query',
      '-q',
      "SELECT Id, LastName, Company FROM Lead WHERE Company = 'Cli Co'",
      '-o',
      'emu'
    ]);
    expect(out).toMatchObject({ status: 0 });
    expect(out.result).toMatchObject({
      totalSize: 1,
      done: true,
      records: [expect.objectContaining({ LastName: 'Cli Created', Company: 'Cli Co' })]
    });
  });

  it('should import Accounts with nested Contacts with sf data import tree', async () => {
    const file = path.join(workDir, 'Account-Contact.json');
    const contact = (ref: string, lastName: string) => ({
      attributes: { type: 'Contact', referenceId: ref },
      LastName: lastName
    });
    writeFileSync(
      file,
      JSON.stringify({
        records: [
          {
            attributes: { type: 'Account', referenceId: 'AccountRef1' },
            Name: 'Cli Tree Co',
            Contacts: { records: [contact('ContactRef1', 'Tree One'), contact('ContactRef2', 'Tree Two')] }
          }
        ]
      })
    );
    const out = await sf(['data', 'import', 'tree', '--files', file, '-o', 'emu']);
    expect(out).toMatchObject({ status: 0 });
    const result = out.result as unknown as Array<{ refId: string; type: string; id: string }>;
    expect(result.map((r) => [r.refId, r.type])).toEqual([
      ['AccountRef1', 'Account'],
      ['ContactRef1', 'Contact'],
      ['ContactRef2', 'Contact']
    ]);
    const contacts = await conn.query<{ LastName: string; Account: { Name: string } }>(
      "SELECT LastName, Account.Name FROM Contact WHERE Account.Name = 'Cli Tree Co' ORDER BY LastName"
    );
    expect(contacts.records.map((c) => [c.LastName, c.Account.Name])).toEqual([
      ['Tree One', 'Cli Tree Co'],
      ['Tree Two', 'Cli Tree Co']
    ]);
  });

  it('should upsert a CSV by external id with sf data upsert bulk', async () => {
    await conn
      .sobject('Lead')
      .create({ LastName: 'Before Upsert', Company: 'Cli Bulk', Source_External_Id__c: 'cli:1' });
    const rows = ['Source_External_Id__c,LastName,Company', 'cli:1,After Upsert,Cli Bulk'];
    for (let i = 2; i <= 7; i++) rows.push(`cli:${i},Bulk ${i},Cli Bulk`);
    const file = path.join(workDir, 'leads.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    const out = await sf([
      'data',
      'upsert',
      'bulk',
      '-s',
      'Lead',
      '-f',
      file,
      '-i',
      'Source_External_Id__c',
      '-w',
      '5',
      '-o',
      'emu'
    ]);
    expect(out).toMatchObject({ status: 0 });
    const leads = await conn.query<{ LastName: string; Source_External_Id__c: string }>(
      "SELECT LastName, Source_External_Id__c FROM Lead WHERE Company = 'Cli Bulk' ORDER BY Source_External_Id__c"
    );
    expect(leads.records.map((r) => [r.Source_External_Id__c, r.LastName])).toEqual([
      ['cli:1', 'After Upsert'],
      ...[2, 3, 4, 5, 6, 7].map((i) => [`cli:${i}`, `Bulk ${i}`])
    ]);
  });

  it('should export across several result pages with sf data export bulk', async () => {
    const file = path.join(workDir, 'export.csv');
    const out = await sf([
      'data',
      'export',
      'bulk',
      '-q',
      "SELECT Id, LastName, Source_External_Id__c FROM Lead WHERE Company = 'Cli Bulk' ORDER BY Source_External_Id__c",
      '--output-file',
      file,
      '-w',
      '5',
      '-o',
      'emu'
    ]);
    expect(out).toMatchObject({ status: 0, result: { totalSize: 7, filePath: file } });
    const exported = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    const expected = await conn.query<{ Id: string; LastName: string; Source_External_Id__c: string }>(
      "SELECT Id, LastName, Source_External_Id__c FROM Lead WHERE Company = 'Cli Bulk' ORDER BY Source_External_Id__c"
    );
    expect(exported).toEqual(
      expected.records.map((r) => ({
        Id: r.Id,
        LastName: r.LastName,
        Source_External_Id__c: r.Source_External_Id__c
      }))
    );
  });
});
