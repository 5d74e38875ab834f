/**
 * The org client against the local org: query paging, collections chunking, Bulk API 2.0 and SOAP result
 * mapping, describe caching, error mapping, exact API usage (checked against the emulator's own counters)
 * and the 401 -> refresh -> retry-once behaviour.
 */
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { createOrgClient } from '../../src/salesforce/client';
import { SalesforceError, type OrgClient } from '../../src/salesforce/types';

let org: TestOrg;
let client: OrgClient;

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${org.url}${path}`, {
    method,
    headers: { 'X-Emulator-Admin-Key': org.emulator.adminKey, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const emulatorUsed = async () => (await admin<{ used: number }>('GET', '/__emulator/usage')).used;

/** Runs fn and returns how many calls the client counted and the org counted meanwhile, per surface too. */
async function measure(fn: () => Promise<unknown>) {
  const before = { total: client.usage.total(), by: client.usage.bySurface(), org: await emulatorUsed() };
  await fn();
  const by = client.usage.bySurface();
  const delta: Record<string, number> = {};
  for (const k of Object.keys(by)) if (by[k]! - (before.by[k] ?? 0) !== 0) delta[k] = by[k]! - (before.by[k] ?? 0);
  return { client: client.usage.total() - before.total, org: (await emulatorUsed()) - before.org, bySurface: delta };
}

const leads = (n: number, prefix: string, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({ LastName: `${prefix}${i}`, Company: `${prefix} Co`, ...extra }));

beforeAll(async () => {
  org = await startTestOrg();
  client = await createOrgClient({ env: {}, emulatorUrl: org.url, queryBatchSize: 200, bulkPollIntervalMs: 100 });
});
afterAll(async () => {
  await client?.close();
  await org?.close();
});

describe('connection', () => {
  it('should connect to the emulator with client_credentials and the configured API version', () => {
    expect(client.target).toMatchObject({ kind: 'emulator', instanceUrl: org.url });
    expect(client.apiVersion).toBe('62.0');
    expect(client.connection.version).toBe('62.0');
    expect(client.usage.bySurface().auth).toBe(1);
  });

  it('should fail with an org error when the emulator is not there', async () => {
    await expect(createOrgClient({ env: {}, emulatorUrl: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'ORG_UNREACHABLE' });
  });

  it('should fail with an auth error when the client secret is wrong', async () => {
    await expect(
      createOrgClient({ env: { SF_INSTANCE_URL: org.url, SF_CLIENT_ID: 'leadflow-local', SF_CLIENT_SECRET: 'wrong' } })
    ).rejects.toMatchObject({ code: 'ORG_AUTH' });
  });
});

describe('collections and query', () => {
  it('should create 450 records in 3 collections calls with results in input order', async () => {
    const input = leads(450, 'Chunk');
    let results: Awaited<ReturnType<OrgClient['rest']['create']>> = [];
    const m = await measure(async () => {
      results = await client.rest.create('Lead', input);
    });
    expect(m).toEqual({ client: 3, org: 3, bySurface: { collections: 3 } });
    expect(results).toHaveLength(450);
    expect(results.every((r, i) => r.index === i && r.success && /^00Q/.test(r.id ?? ''))).toBe(true);
  });

  it('should page a query (batch size 200: 450 rows = 3 pages) and count each page', async () => {
    const pages: number[] = [];
    const m = await measure(async () => {
      for await (const page of client.rest.queryPages("SELECT Id, LastName FROM Lead WHERE Company = 'Chunk Co'")) pages.push(page.length);
    });
    expect(pages).toEqual([200, 200, 50]);
    expect(m).toEqual({ client: 3, org: 3, bySurface: { rest: 3 } });
    expect(await client.rest.query("SELECT Id FROM Lead WHERE Company = 'Chunk Co'")).toHaveLength(450);
  });

  it('should report per-record errors with statusCode and keep successes, mapped to input indexes', async () => {
    const results = await client.rest.create('Lead', [{ LastName: 'Ok', Company: 'Mixed' }, { LastName: 'NoCompany' }, { LastName: 'Ok2', Company: 'Mixed' }]);
    expect(results.map((r) => [r.index, r.success])).toEqual([
      [0, true],
      [1, false],
      [2, true]
    ]);
    expect(results[1]!.errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] });
  });

  it('should update, upsert and delete through collections', async () => {
    const [a, b] = await client.rest.create('Lead', leads(2, 'Dml'));
    const updated = await client.rest.update('Lead', [{ Id: a!.id!, Title: 'CTO' }, { Title: 'no id' }, { Id: b!.id!, Title: 'CEO' }]);
    expect(updated.map((r) => r.success)).toEqual([true, false, true]);
    expect(updated[1]!.errors[0]!.statusCode).toBe('MISSING_ARGUMENT');

    const upserted = await client.rest.upsert('Lead', 'Source_External_Id__c', [
      { Source_External_Id__c: 'csv:1', LastName: 'Up', Company: 'U' },
      { Source_External_Id__c: 'csv:1', LastName: 'Up', Company: 'U' }
    ]);
    expect(upserted[0]).toMatchObject({ success: true, created: true });
    const again = await client.rest.upsert('Lead', 'Source_External_Id__c', [{ Source_External_Id__c: 'csv:1', LastName: 'Up2', Company: 'U' }]);
    expect(again[0]).toMatchObject({ success: true, created: false, id: upserted[0]!.id });

    const deleted = await client.rest.delete([a!.id!, b!.id!]);
    expect(deleted.map((r) => r.success)).toEqual([true, true]);
    expect(await client.rest.query(`SELECT Id FROM Lead WHERE Id IN ('${a!.id}','${b!.id}')`)).toHaveLength(0);
    expect(await client.rest.query(`SELECT Id FROM Lead WHERE Id IN ('${a!.id}','${b!.id}')`, { includeDeleted: true })).toHaveLength(2);
  });

  it('should map query errors to SalesforceError keeping errorCode and raw', async () => {
    const err = await client.rest.query('SELECT NoSuchField__c FROM Lead').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceError);
    expect((err as SalesforceError).errorCode).toBe('INVALID_FIELD');
    expect((err as SalesforceError).raw).toBeDefined();
  });
});

describe('describe and limits', () => {
  it('should describe once per object and list package fields', async () => {
    const m = await measure(async () => {
      const fields = await client.describe.fieldNames('Lead');
      expect(fields.has('Qualification_Status__c')).toBe(true);
      await client.describe.sobject('lead');
    });
    expect(m.bySurface).toEqual({ describe: 1 });
    await expect(client.describe.sobject('No_Such_Object__c')).rejects.toBeInstanceOf(SalesforceError);
  });

  it('should read DailyApiRequests matching the org count', async () => {
    const limits = await client.limits();
    expect(limits.DailyApiRequests!.Max - limits.DailyApiRequests!.Remaining).toBe(await emulatorUsed());
  });
});

describe('Bulk API 2.0', () => {
  it('should map ingest results back to input order with per-row errors', async () => {
    const input = [
      { LastName: 'Bulk0', Company: 'B' },
      { LastName: 'Bulk1' },
      { LastName: 'Bulk2', Company: 'B', Email: null },
      { LastName: 'Bulk0', Company: 'B' }
    ];
    const res = await client.bulk.ingest('Lead', 'insert', input);
    expect(res.jobId).toMatch(/^750/);
    expect(res.unprocessed).toEqual([]);
    expect(res.results.map((r) => [r.index, r.success])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, true]
    ]);
    expect(res.results[0]!.id).not.toBe(res.results[3]!.id);
    expect(res.results[1]!.errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
  });

  it('should stream a bulk query and count every call exactly', async () => {
    const rows: Record<string, string>[] = [];
    const m = await measure(async () => {
      for await (const row of client.bulk.query("SELECT Id, LastName FROM Lead WHERE Company = 'Chunk Co'")) rows.push(row);
    });
    expect(rows).toHaveLength(450);
    expect(Object.keys(rows[0]!)).toEqual(['Id', 'LastName']);
    expect(m.client).toBe(m.org);
    expect(m.bySurface).toEqual({ bulk: m.client });
  });
});

describe('SOAP convertLead', () => {
  it('should convert in chunks of 100 with results in input order', async () => {
    const created = await client.rest.create(
      'Lead',
      leads(101, 'Conv', { Qualification_Status__c: 'Qualified' })
    );
    const requests = created.map((r) => ({ leadId: r.id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true }));
    // One lead that cannot be converted (not qualified) in the middle.
    const [bad] = await client.rest.create('Lead', [{ LastName: 'Unqualified', Company: 'Conv Co' }]);
    requests.splice(50, 0, { leadId: bad!.id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true });
    let results: Awaited<ReturnType<OrgClient['soap']['convertLead']>> = [];
    const m = await measure(async () => {
      results = await client.soap.convertLead(requests);
    });
    expect(m).toEqual({ client: 2, org: 2, bySurface: { soap: 2 } });
    expect(results).toHaveLength(102);
    expect(results.map((r) => r.leadId)).toEqual(requests.map((r) => r.leadId));
    expect(results[50]).toMatchObject({ success: false, errors: [expect.objectContaining({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' })] });
    expect(results.filter((r) => r.success)).toHaveLength(101);
    expect(results[0]!.accountId).toMatch(/^001/);
  });
});

describe('session refresh', () => {
  it('should refresh the token once on 401 INVALID_SESSION_ID and retry the call', async () => {
    await admin('PUT', '/__emulator/faults', { expireTokensNow: true });
    let rows: unknown[] = [];
    const m = await measure(async () => {
      rows = await client.rest.query('SELECT Id FROM Lead LIMIT 1');
    });
    expect(rows).toHaveLength(1);
    // The refused call is not charged by the org, so client and org totals still agree.
    expect(m).toEqual({ client: 1, org: 1, bySurface: { rest: 1, rejected: 1, auth: 1 } });
  });

  it('should retry only once when the refreshed session is refused too', async () => {
    await admin('PUT', '/__emulator/faults', { rules: [{ kind: 'INVALID_SESSION_ID', calls: [1, 2], pathPrefix: '/limits' }] });
    const before = client.usage.bySurface();
    const err = await client.limits().catch((e: unknown) => e);
    await admin('DELETE', '/__emulator/faults');
    expect(err).toBeInstanceOf(SalesforceError);
    expect((err as SalesforceError).errorCode).toBe('INVALID_SESSION_ID');
    const after = client.usage.bySurface();
    expect(after.rejected! - before.rejected!).toBe(2);
    expect(after.auth! - before.auth!).toBe(1);
    // And the client still works afterwards.
    expect((await client.limits()).DailyApiRequests).toBeDefined();
  });
});

describe('JWT bearer from env', () => {
  it('should sign an RS256 assertion with jsonwebtoken and connect as the given user', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwtOrg = await startTestOrg({ jwtCertificate: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-jwt-')), 'server.key');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    try {
      const jwtClient = await createOrgClient({
        env: { SF_USERNAME: 'admin@leadflow.local', SF_CLIENT_ID: 'leadflow-local', SF_JWT_KEY_FILE: keyFile, SF_LOGIN_URL: jwtOrg.url }
      });
      expect(jwtClient.target).toMatchObject({ kind: 'env', username: 'admin@leadflow.local', instanceUrl: jwtOrg.url });
      expect(await jwtClient.rest.query('SELECT Id FROM User LIMIT 1')).toHaveLength(1);
      // A refresh signs a new assertion.
      await fetch(`${jwtOrg.url}/__emulator/faults`, {
        method: 'PUT',
        headers: { 'X-Emulator-Admin-Key': jwtOrg.emulator.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ expireTokensNow: true })
      });
      expect(await jwtClient.rest.query('SELECT Id FROM User LIMIT 1')).toHaveLength(1);
      expect(jwtClient.usage.bySurface().auth).toBe(2);
    } finally {
      await jwtOrg.close();
      fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
    }
  });
});
