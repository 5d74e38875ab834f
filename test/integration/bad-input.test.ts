/**
 * Bad input through the real entry points against the local org: the corpus in test/fixtures/bad-input/
 * (broken CSV quoting, wrong delimiter, no header, BOM + CRLF, bytes that are not UTF-8, a huge field,
 * broken NDJSON lines, JSON that is not an array, formula-injection cells, SOQL metacharacters) through
 * runIngestSource and the `leadflow ingest` CLI, and bad webhook bodies through `leadflow serve`.
 * Each bad row or request gets a precise error; the good rows in the same file still land; nothing crashes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { parse } from 'csv-parse/sync';
import { runIngestSource, signBody, type IngestOptions, type IngestSummary } from '../../src/ingest';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { startServe, type ServeHandle } from '../../src/serve';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { cliEnv, runLeadflow } from '../helpers/cli';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = path.join(ROOT, 'test/fixtures/bad-input');
const fixture = (name: string) => path.join(CORPUS, name);
const WEBHOOK_SECRET = 'bad-input-webhook-secret-0123456789';

interface RejectLine {
  row: string;
  field: string;
  value: string;
  reason: string;
}

let org: TestOrg;
let conn: Connection;
let store: Store;
let client: OrgClient;
let outDir: string;

const ingestConfig = {
  sources: [
    { name: 'meta', kind: 'csv' },
    { name: 'meta-copy', kind: 'csv' },
    {
      name: 'webform',
      kind: 'webhook',
      secret: WEBHOOK_SECRET,
      defaultCompany: '[not provided]',
      bodyLimitBytes: 4096
    }
  ],
  write: { retryBaseMs: 10 }
};

function run(opts: IngestOptions, withStore: Store = store) {
  return withRuntime(
    {
      store: withStore,
      org: client,
      json: true,
      cwd: outDir,
      env: {},
      config: { outputDir: outDir, logLevel: 'silent', ingest: ingestConfig }
    },
    (rt) => runIngestSource(rt, opts)
  );
}

function rejects(summary: IngestSummary): RejectLine[] {
  expect(summary.rejectFile).not.toBeNull();
  return parse(fs.readFileSync(summary.rejectFile!, 'utf8'), { columns: true }) as RejectLine[];
}

async function leadsWhere(where: string) {
  return (
    await conn.query<Record<string, string>>(
      `SELECT Id, FirstName, LastName, Company, Email, Title, Description, Source_External_Id__c FROM Lead WHERE ${where}`
    )
  ).records;
}

beforeAll(async () => {
  org = await startTestOrg({ seed: 'none' });
  conn = org.connection();
  store = await openStore({ dataDir: 'memory://' });
  client = await createOrgClient({ emulatorUrl: org.url, env: {} });
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
});

afterAll(async () => {
  await client?.close();
  await store?.close();
  await org?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('malformed files through runIngestSource', () => {
  it('should keep the rows before an unclosed quote and reject the broken row with its number', async () => {
    const { ok, summary } = await run({ file: fixture('truncated-quote.csv') });
    expect(ok).toBe(true);
    expect(summary).toMatchObject({ read: 3, created: 2, rejected: 1, failed: 0 });
    expect(rejects(summary)).toEqual([
      {
        row: '4',
        field: '(record)',
        value: '',
        reason: expect.stringMatching(
          /^not readable as CSV \(Quote Not Closed.*\); the rest of the file was not read$/
        )
      }
    ]);
    const landed = await leadsWhere("Email LIKE '%@quote.test'");
    expect(landed.map((l) => l.LastName).sort()).toEqual(['Before', 'Mid "quoted" name']);
  });

  it('should detect the semicolon of a file that Excel saved in a European locale and load it', async () => {
    const { summary } = await run({ file: fixture('wrong-delimiter.csv') });
    expect(summary).toMatchObject({ read: 1, created: 1, rejected: 0, detected: { delimiter: ';', delimiterFrom: 'detected', encoding: 'utf-8' } });
    expect((await leadsWhere("Email LIKE '%@delim.test'")).map((l) => l.LastName)).toEqual(['Semi']);
  });

  it('should refuse a file without a header row as a whole, before writing anything, without quoting it', async () => {
    await expect(run({ file: fixture('missing-header.csv') })).rejects.toThrow(
      `${fixture('missing-header.csv')}: no known column in the header row (4 columns, delimiter "," detected, encoding utf-8); the first line must be a header row naming the columns (see docs/ingest.md, column mapping)`
    );
    expect(await leadsWhere("Email LIKE '%@header.test'")).toEqual([]);
  });

  it('should read a file with a BOM and CRLF line ends like any other', async () => {
    const { summary } = await run({ file: fixture('bom-crlf.csv') });
    expect(summary).toMatchObject({ read: 2, created: 2, rejected: 0 });
    const landed = await leadsWhere("Email LIKE '%@crlf.test'");
    expect(landed.map((l) => [l.Source_External_Id__c, l.LastName]).sort()).toEqual([
      ['csv:b1', 'Bom'],
      ['csv:b2', 'Crlf Multiline']
    ]);
  });

  it('should read a file mixing UTF-8 and Latin-1 rows as UTF-8, reject the Latin-1 value and keep the good row', async () => {
    const { summary } = await run({ file: fixture('invalid-utf8.csv') });
    expect(summary).toMatchObject({ read: 2, created: 1, rejected: 1 });
    expect(rejects(summary)).toEqual([
      {
        row: '2',
        field: 'lastName',
        value: 'M\uFFFDller',
        reason: 'contains bytes that are not valid in the file\'s encoding (set the source\'s "encoding", e.g. "windows-1252", or save the file as UTF-8)'
      }
    ]);
    expect((await leadsWhere("Email LIKE '%@utf8.test'")).map((l) => l.LastName)).toEqual(['Müller']);
  });

  it('should reject a 40 000-character field by its Salesforce limit and keep the next row', async () => {
    const { summary } = await run({ file: fixture('huge-field.csv') });
    expect(summary).toMatchObject({ read: 2, created: 1, rejected: 1 });
    const [line] = rejects(summary);
    expect(line).toMatchObject({ row: '2', field: 'description', reason: 'longer than 32000 characters' });
    expect((await leadsWhere("Email LIKE '%@field.test'")).map((l) => l.Email)).toEqual(['small@field.test']);
  });

  it('should reject each broken NDJSON line by its line number and load the others', async () => {
    const { summary } = await run({ file: fixture('broken-line.ndjson') });
    expect(summary).toMatchObject({ read: 5, created: 2, rejected: 3 });
    expect(rejects(summary).map((r) => [r.row, r.field, r.reason])).toEqual([
      ['2', '(record)', expect.stringMatching(/^line 2 is not valid JSON \(.+\)$/)],
      ['3', '(record)', 'line 3 is an array, not a JSON object'],
      ['4', '(record)', 'line 4 is a string, not a JSON object']
    ]);
    expect((await leadsWhere("Email LIKE '%@ndjson.test'")).map((l) => l.Email).sort()).toEqual([
      'n1@ndjson.test',
      'n5@ndjson.test'
    ]);
  });

  it.each(['not-an-array.json', 'scalar.json'])('should refuse %s with a clear message', async (file) => {
    await expect(run({ file: fixture(file) })).rejects.toThrow(
      /expected a JSON array or \{"leads": \[\.\.\.\]\}/
    );
  });

  it('should reject JSON array items that are not objects by record number', async () => {
    const { summary } = await run({ file: fixture('mixed-items.json') });
    expect(summary).toMatchObject({ read: 4, created: 1, rejected: 3 });
    expect(rejects(summary).map((r) => [r.row, r.reason])).toEqual([
      ['2', 'record 2 is a string, not a JSON object'],
      ['3', 'record 3 is null, not a JSON object'],
      ['4', 'record 4 is an array, not a JSON object']
    ]);
  });
});

describe('formula-injection cells', () => {
  it('should neutralise them in the reject file and store them as plain text in the org', async () => {
    const { summary } = await run({ file: fixture('formula-cells.csv') });
    // Row 5's only problem is its website: dropped (a warning line), the lead kept.
    expect(summary).toMatchObject({ read: 4, created: 2, rejected: 2, warnedRows: 1 });
    const text = fs.readFileSync(summary.rejectFile!, 'utf8');
    const lines = parse(text, { columns: true }) as RejectLine[];
    expect(lines.map((l) => [l.row, l.field, l.value])).toEqual([
      ['2', 'email', `'=HYPERLINK("http://x","y")`],
      ['3', 'email', `'+cmd@x`],
      ['5', 'website', `'@SUM(1+1)`]
    ]);
    for (const cell of parse(text) as string[][]) for (const c of cell) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    // The assignments file (the other CSV ingest writes) is escaped the same way.
    const assignments = parse(fs.readFileSync(summary.assignmentsFile!, 'utf8')) as string[][];
    for (const row of assignments) for (const c of row) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    // Data is data: the valid row keeps its exact values in Salesforce.
    const [lead] = await leadsWhere("Email = 'formula.ok@inject.test'");
    expect(lead).toMatchObject({
      LastName: '-1+1',
      Company: '@SUM(A1:A2)',
      Title: '=HYPERLINK("http://x","y")'
    });
  });
});

describe('SOQL metacharacters in values that reach queries', () => {
  const META = "Email LIKE '%@meta.test'";

  it('should store them intact, and match them again on every rerun path without duplicates', async () => {
    const first = await run({ source: 'meta', file: fixture('soql-metachars.csv') });
    expect(first.summary).toMatchObject({ read: 4, created: 4, rejected: 0, failed: 0, campaignMembers: 2 });
    expect(first.summary.warnings).toEqual([]);
    const leads = await leadsWhere(META);
    const byExt = Object.fromEntries(leads.map((l) => [l.Source_External_Id__c, l]));
    expect(byExt["meta:m'1"]).toMatchObject({
      FirstName: 'Seán',
      LastName: "O'Brien",
      Company: "O'Brien & Sons",
      Email: "o'brien@meta.test",
      Description: 'He said "hi"'
    });
    expect(byExt['meta:m\\2']).toMatchObject({
      LastName: 'back\\slash',
      Company: 'Slash\\Co',
      Description: 'line one line two'
    });
    expect(byExt['meta:m%_3']).toMatchObject({
      LastName: '100%_off',
      Company: '100%_off Ltd',
      Description: 'under_score % sign'
    });
    expect(byExt['meta:m"4']).toMatchObject({ LastName: 'Say "Cheese"', Description: 'tab inside' });
    // The escaped values also work as plain SOQL filters (LIKE wildcards escaped).
    expect((await leadsWhere("LastName = 'O\\'Brien'")).length).toBe(1);
    expect((await leadsWhere("LastName = 'back\\\\slash'")).length).toBe(1);
    expect((await leadsWhere("LastName LIKE '100\\%\\_%'")).length).toBe(1);

    // Same store: the ledger knows every row.
    const again = await run({ source: 'meta', file: fixture('soql-metachars.csv') });
    expect(again.summary).toMatchObject({ created: 0, unchanged: 4, failed: 0 });

    // Empty ledger: the external-id query (ids with ' \ % _ ") finds all four; the campaign lookup by name finds it.
    const fresh = await openStore({ dataDir: 'memory://' });
    try {
      const rerun = await run({ source: 'meta', file: fixture('soql-metachars.csv') }, fresh);
      expect(rerun.summary).toMatchObject({ created: 0, updated: 4, failed: 0, campaignMembers: 0 });
      expect(rerun.summary.warnings).toEqual([]);
    } finally {
      await fresh.close();
    }

    // Another source, other external ids: matched by email (o'brien@) and by last name + domain (LastName IN (...)).
    const copy = await run({ source: 'meta-copy', file: fixture('soql-metachars.csv') });
    expect(copy.summary).toMatchObject({ created: 0, failed: 0 });
    expect(copy.summary.updated + copy.summary.unchanged).toBe(4);

    expect((await leadsWhere(META)).length).toBe(4);
    const campaigns = await conn.query<{ Id: string }>(
      "SELECT Id FROM Campaign WHERE Name = 'Spring \\'26 \\\\ 100%_promo'"
    );
    expect(campaigns.totalSize).toBe(1);
    const members = await conn.query(
      `SELECT Id FROM CampaignMember WHERE CampaignId = '${campaigns.records[0]!.Id}'`
    );
    expect(members.totalSize).toBe(2);
  });
});

describe('`leadflow ingest` as a process', () => {
  let cwd: string;
  let configPath: string;
  const cli = async (args: string[]) => {
    const env = cliEnv(
      { LEADFLOW_EMULATOR_URL: org.url, LEADFLOW_LOG_LEVEL: 'warn' },
      { dropLeadflowVars: true }
    );
    // A CLI run took over runLeadflow's 60 s default on the shared 2-CPU machine.
    const run = await runLeadflow(['--config', configPath, '--json', 'ingest', ...args], { cwd, env, timeoutMs: 180_000 });
    return { ...run, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
  };

  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-cli-'));
    configPath = path.join(cwd, 'leadflow.config.json');
    fs.writeFileSync(
      configPath,
      JSON.stringify({ outputDir: path.join(cwd, 'out'), store: { dataDir: path.join(cwd, 'store') } })
    );
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('should exit 0 with the rejects counted when good rows landed, and 1 with a JSON error for an unreadable header', async () => {
    const ok = await cli([fixture('truncated-quote.csv'), '--dry-run']);
    expect({ code: ok.code, signal: ok.signal }).toEqual({ code: 0, signal: null });
    expect(ok.json()).toMatchObject({ ok: true, summary: { read: 3, valid: 2, rejected: 1 } });

    const bad = await cli([fixture('missing-header.csv')]);
    expect({ code: bad.code, signal: bad.signal }).toEqual({ code: 1, signal: null });
    expect(bad.json()).toMatchObject({
      ok: false,
      error: { code: 'INPUT', message: expect.stringContaining('the first line must be a header row') }
    });
    expect(bad.stdout).not.toContain('nohead@header.test');
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace without --verbose
  });
});

describe('webhook bodies through `leadflow serve`', () => {
  let serve: ServeHandle;
  const post = async (body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(`${serve.url}/sources/webform/leads`, { method: 'POST', body, headers });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: JSON.parse(text) as { error?: { code: string; message: string }; id?: string }
    };
  };
  const signed = (body: string | Buffer, type = 'application/json') => ({
    'content-type': type,
    'x-leadflow-signature': signBody(WEBHOOK_SECRET, body)
  });
  const inboxCount = async () =>
    (await store.query<{ n: number }>('select count(*)::int as n from ingest_inbox'))[0]!.n;

  beforeAll(async () => {
    serve = await startServe({
      cwd: outDir,
      env: {},
      store,
      org: client,
      config: {
        outputDir: outDir,
        logLevel: 'silent',
        serve: { port: 0, schedules: {} },
        ingest: ingestConfig
      }
    });
  });
  afterAll(async () => {
    await serve?.close();
  });

  const lead = JSON.stringify({
    email: 'hook@webhook.test',
    lastName: "D'Arcy \\ 50%_",
    company: '=HYPERLINK("http://x","y")'
  });

  it.each([
    [
      'a bad signature',
      401,
      'INVALID_SIGNATURE',
      () =>
        post(lead, { ...signed(lead), 'x-leadflow-signature': signBody('another-secret-0123456789', lead) })
    ],
    ['no signature', 401, 'INVALID_SIGNATURE', () => post(lead, { 'content-type': 'application/json' })],
    [
      'a body over the source limit',
      413,
      'PAYLOAD_TOO_LARGE',
      () => post(JSON.stringify({ d: 'x'.repeat(5000) }), signed(JSON.stringify({ d: 'x'.repeat(5000) })))
    ],
    [
      'a body over the route limit',
      413,
      'PAYLOAD_TOO_LARGE',
      () => post('x'.repeat(200_000), signed('x'.repeat(200_000)))
    ],
    ['text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', () => post(lead, signed(lead, 'text/plain'))],
    [
      'no content type',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      () => post(Buffer.from(lead), { 'x-leadflow-signature': signBody(WEBHOOK_SECRET, lead) })
    ],
    [
      'bytes that are not UTF-8',
      400,
      'INVALID_ENCODING',
      () =>
        post(
          Buffer.from('{"lastName":"M\xfcller"}', 'latin1'),
          signed(Buffer.from('{"lastName":"M\xfcller"}', 'latin1'))
        )
    ],
    ['broken JSON', 400, 'INVALID_JSON', () => post('{"email": "a@b.c",', signed('{"email": "a@b.c",'))],
    ['a JSON array', 400, 'INVALID_BODY', () => post('[{"email":"a@b.c"}]', signed('[{"email":"a@b.c"}]'))]
  ] as const)(
    'should answer %s with %i %s and a JSON error body, storing nothing',
    async (_label, status, code, send) => {
      const before = await inboxCount();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.contentType).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(res.body.error!.message.length).toBeGreaterThan(10);
      expect(await inboxCount()).toBe(before);
    }
  );

  it('should still accept a good submission afterwards and ingest its metacharacters intact', async () => {
    const res = await post(lead, signed(lead));
    expect(res.status).toBe(202);
    const { summary } = await run({ source: 'webform' });
    expect(summary).toMatchObject({ read: 1, created: 1, rejected: 0 });
    const [row] = await leadsWhere("Email = 'hook@webhook.test'");
    expect(row).toMatchObject({ LastName: "D'Arcy \\ 50%_", Company: '=HYPERLINK("http://x","y")' });
    const rerun = await run({ source: 'webform' });
    expect(rerun.summary).toMatchObject({ read: 0, created: 0 });
  });
});
