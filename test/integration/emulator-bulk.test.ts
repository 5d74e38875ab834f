/**
 * Bulk API 2.0 of the emulator through jsforce's real client (conn.bulk2): ingest insert/upsert/update/
 * delete with results, relationship columns, job failures, query jobs across several locator pages,
 * and jobs surviving a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, TEST_API_VERSION, type TestOrg } from '../helpers/emulator';

const POLL = { pollInterval: 100, pollTimeout: 30000 };
const QUERY_PAGE_SIZE = 40;

type Row = Record<string, string>;

async function count(conn: Connection, soql: string): Promise<number> {
  return (await conn.query(soql)).totalSize;
}

describe('emulator Bulk API 2.0 via jsforce', () => {
  let org: TestOrg;
  let conn: Connection;

  beforeAll(async () => {
    process.env.EMULATOR_BULK_QUERY_PAGE_SIZE = String(QUERY_PAGE_SIZE);
    org = await startTestOrg();
    conn = org.connection();
    conn.bulk2.pollInterval = POLL.pollInterval;
    conn.bulk2.pollTimeout = POLL.pollTimeout;
  });

  afterAll(async () => {
    delete process.env.EMULATOR_BULK_QUERY_PAGE_SIZE;
    await org.close();
  });

  it('should insert records and report per-row failures in failedResults', async () => {
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      input: [
        {
          LastName: 'Bulk One',
          Company: 'Acme',
          Source_External_Id__c: 'bulk:1',
          Budget_Confirmed__c: true,
          Budget_Amount__c: 25000
        },
        {
          LastName: 'Bulk Two',
          Company: 'Beta',
          Source_External_Id__c: 'bulk:2',
          Budget_Confirmed__c: false,
          Budget_Amount__c: null
        },
        {
          LastName: null,
          Company: 'No Name Co',
          Source_External_Id__c: 'bulk:3',
          Budget_Confirmed__c: false,
          Budget_Amount__c: null
        }
      ]
    });
    expect(res.successfulResults).toHaveLength(2);
    expect(res.successfulResults[0]).toMatchObject({
      sf__Created: 'true',
      LastName: 'Bulk One',
      Company: 'Acme'
    });
    expect(res.successfulResults[0]?.sf__Id).toMatch(/^00Q\w{15}$/);
    expect(res.failedResults).toHaveLength(1);
    expect(res.failedResults[0]).toMatchObject({ sf__Id: '', Company: 'No Name Co', LastName: '#N/A' });
    expect(res.failedResults[0]?.sf__Error).toMatch(
      /^REQUIRED_FIELD_MISSING:Required fields are missing: \[LastName\]:LastName --$/
    );
    expect(res.unprocessedRecords).toEqual([]);

    const rows = await conn.query<{
      LastName: string;
      Budget_Confirmed__c: boolean;
      Budget_Amount__c: number | null;
    }>(
      "SELECT LastName, Budget_Confirmed__c, Budget_Amount__c FROM Lead WHERE Source_External_Id__c LIKE 'bulk:%' ORDER BY LastName"
    );
    expect(rows.records.map((r) => [r.LastName, r.Budget_Confirmed__c, r.Budget_Amount__c])).toEqual([
      ['Bulk One', true, 25000],
      ['Bulk Two', false, null]
    ]);
  });

  it('should upsert by external id, then update and delete by Id', async () => {
    const upsert = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'Source_External_Id__c',
      input:
        'Source_External_Id__c,LastName,Company\nbulk:1,Bulk One Renamed,Acme\nbulk:9,Bulk Nine,Nine Inc\n'
    });
    expect(upsert.failedResults).toEqual([]);
    const byExt = new Map(
      upsert.successfulResults.map((r) => [(r as unknown as Row).Source_External_Id__c, r])
    );
    expect(byExt.get('bulk:1')?.sf__Created).toBe('false');
    expect(byExt.get('bulk:9')?.sf__Created).toBe('true');

    const found = await conn.query<{ Id: string; LastName: string; Source_External_Id__c: string }>(
      "SELECT Id, LastName, Source_External_Id__c FROM Lead WHERE Source_External_Id__c IN ('bulk:1', 'bulk:9') ORDER BY Source_External_Id__c"
    );
    expect(found.records.map((r) => r.LastName)).toEqual(['Bulk One Renamed', 'Bulk Nine']);

    const update = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'update',
      input: found.records.map((r) => ({ Id: r.Id, Title: `Title of ${r.Source_External_Id__c}` }))
    });
    expect(update.successfulResults.map((r) => r.sf__Created)).toEqual(['false', 'false']);
    expect(await count(conn, "SELECT Id FROM Lead WHERE Title = 'Title of bulk:9'")).toBe(1);

    const del = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'delete',
      input: [...found.records.map((r) => ({ Id: r.Id })), { Id: '00Q000000000000AAA' }]
    });
    expect(del.successfulResults).toHaveLength(2);
    expect(del.failedResults).toHaveLength(1);
    expect(del.failedResults[0]?.sf__Error).toMatch(/^[A-Z_]+:.+ --$/);
    expect(await count(conn, "SELECT Id FROM Lead WHERE Source_External_Id__c IN ('bulk:1', 'bulk:9')")).toBe(
      0
    );
  });

  it('should resolve relationship columns by external id and report unknown ones', async () => {
    const account = await conn
      .sobject('Account')
      .create({ Name: 'Related Corp', Website_Domain__c: 'related.example' });
    expect(account.success).toBe(true);
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'insert',
      input:
        'LastName,Account.Website_Domain__c,Owner.Username\nLinked,related.example,admin@leadflow.local\nOrphan,missing.example,\n'
    });
    expect(res.successfulResults).toHaveLength(1);
    const contacts = await conn.query<{ AccountId: string }>(
      "SELECT AccountId FROM Contact WHERE LastName = 'Linked'"
    );
    expect(contacts.records[0]?.AccountId).toBe(account.id);
    expect(res.failedResults[0]?.sf__Error).toContain(
      'Foreign key external ID: missing.example not found for field Website_Domain__c in entity Account'
    );
  });

  it('should type CSV text like REST does and fail rows with values of the wrong type', async () => {
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      input:
        'LastName,Company,Budget_Amount__c,Budget_Confirmed__c,Expected_Purchase_Date__c\nTyped,T Co,1234.5,1,2027-03-31\nBad Amount,T Co,abc,true,\n'
    });
    expect(res.successfulResults).toHaveLength(1);
    expect(res.failedResults[0]?.sf__Error).toMatch(
      /^INVALID_TYPE_ON_FIELD_IN_RECORD:.*value not of required type: abc:Budget_Amount__c --$/
    );
    const typed = await conn.query<{
      Budget_Amount__c: number;
      Budget_Confirmed__c: boolean;
      Expected_Purchase_Date__c: string;
    }>(
      "SELECT Budget_Amount__c, Budget_Confirmed__c, Expected_Purchase_Date__c FROM Lead WHERE LastName = 'Typed'"
    );
    expect(typed.records[0]).toMatchObject({
      Budget_Amount__c: 1234.5,
      Budget_Confirmed__c: true,
      Expected_Purchase_Date__c: '2027-03-31'
    });
  });

  it('should fail the whole job for an unknown column, as Salesforce does', async () => {
    await expect(
      conn.bulk2.loadAndWaitForResults({
        object: 'Lead',
        operation: 'insert',
        input: 'LastName,Company,Foo\nx,y,z\n'
      })
    ).rejects.toThrow('Ingest job failed to complete due to: InvalidBatch : Field name not found : Foo');
  });

  it('should refuse an upsert job without a usable external id field', async () => {
    const job = conn.bulk2.createJob({ object: 'Lead', operation: 'upsert', externalIdFieldName: 'Company' });
    await expect(job.open()).rejects.toMatchObject({ errorCode: 'INVALIDJOB' });
  });

  it('should insert a large batch and query it back with conn.bulk2.query', async () => {
    const total = QUERY_PAGE_SIZE * 2 + 5;
    const input = Array.from({ length: total }, (_, i) => ({
      LastName: `Paged ${String(i).padStart(3, '0')}`,
      Company: 'Paging Inc'
    }));
    const load = await conn.bulk2.loadAndWaitForResults({ object: 'Lead', operation: 'insert', input });
    expect(load.successfulResults).toHaveLength(total);

    // jsforce 3's QueryJobV2.result() pipes every page into one stream with end:true, so a second
    // page fails with "write after end" (jsforce issues #1546, #1693) against Salesforce too: read
    // one page through jsforce here; multi-page paging is checked on the raw resource below and by
    // `sf data export bulk` in sf-cli.test.ts.
    const soql = `SELECT Id, LastName, Company FROM Lead WHERE Company = 'Paging Inc' ORDER BY LastName LIMIT ${QUERY_PAGE_SIZE}`;
    const stream = await conn.bulk2.query(soql, POLL);
    const records: Row[] = [];
    for await (const record of stream) records.push(record as Row);
    expect(records).toHaveLength(QUERY_PAGE_SIZE);
    expect(records[0]).toMatchObject({ LastName: 'Paged 000', Company: 'Paging Inc' });
    expect(records[0]?.Id).toMatch(/^00Q\w{15}$/);
  });

  it('should expose the locator headers and maxRecords on the raw results resource', async () => {
    const base = `${org.url}/services/data/v${TEST_API_VERSION}/jobs/query`;
    const headers = { Authorization: `Bearer ${org.accessToken}`, 'Content-Type': 'application/json' };
    const created = await fetch(base, {
      method: 'POST',
      headers,
      body: JSON.stringify({ operation: 'query', query: "SELECT Id FROM Lead WHERE Company = 'Paging Inc'" })
    });
    const { id } = (await created.json()) as { id: string };
    let state = '';
    for (let i = 0; i < 100 && state !== 'JobComplete'; i++) {
      state = ((await (await fetch(`${base}/${id}`, { headers })).json()) as { state: string }).state;
      if (state !== 'JobComplete') await new Promise((r) => setTimeout(r, 50));
    }
    // Without maxRecords the emulator's page size (EMULATOR_BULK_QUERY_PAGE_SIZE) applies: 40 + 40 + 5.
    const seen = new Set<string>();
    const pageSizes: string[] = [];
    let locator: string | null = null;
    do {
      const res: Response = await fetch(`${base}/${id}/results${locator ? `?locator=${locator}` : ''}`, {
        headers
      });
      pageSizes.push(String(res.headers.get('sforce-numberofrecords')));
      locator = res.headers.get('sforce-locator');
      const [header, ...lines] = (await res.text()).trim().split('\n');
      expect(header).toBe('"Id"');
      lines.forEach((l) => seen.add(l));
    } while (locator !== 'null');
    expect(pageSizes).toEqual(['40', '40', '5']);
    expect(seen.size).toBe(QUERY_PAGE_SIZE * 2 + 5);

    const first = await fetch(`${base}/${id}/results?maxRecords=50`, { headers });
    expect(first.headers.get('sforce-numberofrecords')).toBe('50');
    const next = first.headers.get('sforce-locator');
    const second = await fetch(`${base}/${id}/results?locator=${next}&maxRecords=50`, { headers });
    expect(second.headers.get('sforce-numberofrecords')).toBe('35');
    expect(second.headers.get('sforce-locator')).toBe('null');
    expect((await fetch(`${base}/${id}`, { method: 'DELETE', headers })).status).toBe(204);
  });
});

describe('emulator Bulk API 2.0 across a restart', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'leadflow-bulk-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should keep jobs and finish one that was closed but not processed before shutdown', async () => {
    const first = await startTestOrg({ dataDir });
    const conn = first.connection();
    const open = conn.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await open.open();
    await open.uploadData('LastName,Company\nRestart One,R Co\nRestart Two,R Co\n');
    // Simulate a shutdown between "UploadComplete" and the start of processing.
    await first.emulator.ctx.db.query(`UPDATE bulk_jobs SET state = 'UploadComplete' WHERE id = $1`, [
      open.id
    ]);
    await first.close();

    const second = await startTestOrg({ dataDir });
    try {
      const conn2 = second.connection();
      const job = conn2.bulk2.job('ingest', { id: open.id });
      await job.poll(100, 20000);
      const results = await job.getAllResults();
      expect(results.successfulResults.map((r) => (r as unknown as Row).LastName).sort()).toEqual([
        'Restart One',
        'Restart Two'
      ]);
      expect(await count(conn2, "SELECT Id FROM Lead WHERE Company = 'R Co'")).toBe(2);
    } finally {
      await second.close();
    }
  });
});
