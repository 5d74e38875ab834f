/**
 * The emulator's REST API through jsforce (API 62.0): versions, describe, CRUD, upsert, query paging,
 * collections, composite, limits, replication, Salesforce's error shapes, robustness and persistence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

jest.setTimeout(120000);

let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  org = await startTestOrg();
  conn = org.connection();
});

afterAll(async () => {
  await org?.close();
});

/** Raw HTTP call with the admin token (for status codes and bodies jsforce hides). */
async function raw(
  method: string,
  pathAndQuery: string,
  body?: string,
  headers: Record<string, string> = {}
) {
  const response = await fetch(`${org.url}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${org.accessToken}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body })
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

async function expectSfError(promise: PromiseLike<unknown>, errorCode: string): Promise<Error> {
  const error = (await Promise.resolve(promise).then(
    () => null,
    (e: unknown) => e
  )) as (Error & { errorCode?: string }) | null;
  expect(error).not.toBeNull();
  expect(error?.errorCode ?? error?.name).toBe(errorCode);
  return error as Error;
}

describe('versions and resources', () => {
  it('should list versions with 2-digit majors without a session', async () => {
    const response = await fetch(`${org.url}/services/data`);
    expect(response.status).toBe(200);
    const versions = (await response.json()) as Array<{ version: string; url: string; label: string }>;
    expect(versions.length).toBeGreaterThan(10);
    for (const v of versions) expect(v.version).toMatch(/^\d{2}\.0$/);
    expect(versions).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
  });

  it('should list resources including identity for a version', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0/');
    expect(status).toBe(200);
    const resources = json as Record<string, string>;
    expect(resources.sobjects).toBe('/services/data/v62.0/sobjects');
    expect(resources.identity).toBe(`${org.url}/id/00D000000000001AAA/005000000000001AAA`);
  });

  it('should answer 404 NOT_FOUND for an unknown version', async () => {
    const { status, json } = await raw('GET', '/services/data/v99.0/limits');
    expect(status).toBe(404);
    expect(json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });
});

describe('describe', () => {
  it('should describe globally with the package objects', async () => {
    const global = await conn.describeGlobal();
    const names = global.sobjects.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['Lead', 'Account', 'Contact', 'Opportunity', 'Funnel_Stage_Change__c'])
    );
    const lead = global.sobjects.find((s) => s.name === 'Lead');
    expect(lead).toMatchObject({ keyPrefix: '00Q', createable: true, queryable: true, custom: false });
  });

  it('should describe Lead with package fields, picklists and child relationships', async () => {
    const lead = await conn.sobject('Lead').describe();
    const byName = new Map(lead.fields.map((f) => [f.name, f]));
    expect(byName.get('Source_External_Id__c')).toMatchObject({
      externalId: true,
      unique: true,
      type: 'string',
      custom: true
    });
    expect(byName.get('Budget_Amount__c')).toMatchObject({
      type: 'currency',
      precision: 16,
      scale: 2,
      soapType: 'xsd:double'
    });
    expect((byName.get('Lead_Grade__c')?.picklistValues ?? []).map((p) => p.value)).toEqual([
      'Hot',
      'Warm',
      'Cold'
    ]);
    expect(byName.get('OwnerId')).toMatchObject({
      type: 'reference',
      relationshipName: 'Owner',
      referenceTo: ['User']
    });
    expect(lead.childRelationships.length).toBeGreaterThan(0);
    expect(lead.recordTypeInfos ?? null).toEqual([]);
    expect(lead.urls.describe).toBe('/services/data/v62.0/sobjects/Lead/describe');
  });

  it('should give basic info with recentItems', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0/sobjects/Account');
    expect(status).toBe(200);
    expect(json).toMatchObject({ objectDescribe: { name: 'Account', keyPrefix: '001' }, recentItems: [] });
  });

  it('should answer 404 for an unknown object', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0/sobjects/Nope__c/describe');
    expect(status).toBe(404);
    expect((json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('NOT_FOUND');
  });
});

describe('CRUD', () => {
  it('should create (201 + Location), retrieve, update (204) and delete (204) a lead', async () => {
    const created = await raw(
      'POST',
      '/services/data/v62.0/sobjects/Lead',
      JSON.stringify({ LastName: 'Ionescu', FirstName: 'Ștefan', Company: 'Țară SRL' })
    );
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    expect(created.json).toEqual({ id, success: true, errors: [] });
    expect(created.headers.get('location')).toBe(`/services/data/v62.0/sobjects/Lead/${id}`);

    const lead = (await conn.sobject('Lead').retrieve(id)) as Record<string, unknown>;
    expect(lead).toMatchObject({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${id}` },
      Id: id,
      FirstName: 'Ștefan',
      Company: 'Țară SRL'
    });
    expect(String(lead.CreatedDate)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

    const some = await raw('GET', `/services/data/v62.0/sobjects/Lead/${id}?fields=LastName,Company`);
    expect(some.json).toMatchObject({ LastName: 'Ionescu', Company: 'Țară SRL' });
    expect(some.json).not.toHaveProperty('FirstName');

    const update = await raw(
      'PATCH',
      `/services/data/v62.0/sobjects/Lead/${id}`,
      JSON.stringify({ Company: 'Nou SRL' })
    );
    expect(update.status).toBe(204);
    expect(((await conn.sobject('Lead').retrieve(id)) as Record<string, unknown>).Company).toBe('Nou SRL');

    const jsforceUpdate = await conn.sobject('Lead').update({ Id: id, Title: 'CTO' });
    expect(jsforceUpdate).toMatchObject({ id, success: true });

    const del = await raw('DELETE', `/services/data/v62.0/sobjects/Lead/${id}`);
    expect(del.status).toBe(204);
    const gone = await raw('GET', `/services/data/v62.0/sobjects/Lead/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const again = await raw(
      'PATCH',
      `/services/data/v62.0/sobjects/Lead/${id}`,
      JSON.stringify({ Company: 'x' })
    );
    expect(again.status).toBe(400);
    expect((again.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('should refuse a create with missing required fields with REQUIRED_FIELD_MISSING', async () => {
    const { status, json } = await raw(
      'POST',
      '/services/data/v62.0/sobjects/Lead',
      JSON.stringify({ FirstName: 'No' })
    );
    expect(status).toBe(400);
    const errors = json as Array<{ errorCode: string; fields: string[] }>;
    expect(errors[0]?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(errors[0]?.fields).toEqual(expect.arrayContaining(['LastName']));
  });

  it('should refuse an unknown field with INVALID_FIELD', async () => {
    const error = await expectSfError(
      conn.sobject('Lead').create({ LastName: 'X', Company: 'Y', Bogus__c: 1 }),
      'INVALID_FIELD'
    );
    expect(error.message).toContain("No such column 'Bogus__c' on sobject of type Lead");
  });

  it('should answer 404 NOT_FOUND for a non-id path segment', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0/sobjects/Lead/not-an-id');
    expect(status).toBe(404);
    expect((json as Array<{ message: string }>)[0]?.message).toContain(
      'Provided external ID field does not exist or is not accessible'
    );
  });
});

describe('upsert by external id', () => {
  it('should create (201, created:true) then update (200, created:false)', async () => {
    const first = await raw(
      'PATCH',
      '/services/data/v62.0/sobjects/Lead/Source_External_Id__c/hubspot:1001',
      JSON.stringify({ LastName: 'Tanaka', Company: '株式会社テスト' })
    );
    expect(first.status).toBe(201);
    const id = (first.json as { id: string }).id;
    expect(first.json).toEqual({ id, success: true, errors: [], created: true });

    const second = await conn
      .sobject('Lead')
      .upsert(
        { Source_External_Id__c: 'hubspot:1001', LastName: 'Tanaka', Company: '株式会社サンプル' },
        'Source_External_Id__c'
      );
    expect(second).toMatchObject({ id, success: true, created: false });

    const byExt = await raw(
      'GET',
      '/services/data/v62.0/sobjects/Lead/Source_External_Id__c/hubspot:1001?fields=Company'
    );
    expect(byExt.status).toBe(200);
    expect(byExt.json).toMatchObject({ Company: '株式会社サンプル' });
  });

  it('should accept POST for upsert and 404 on a field that is not an external id', async () => {
    const post = await raw(
      'POST',
      '/services/data/v62.0/sobjects/Lead/Source_External_Id__c/web:77',
      JSON.stringify({ LastName: 'Müller', Company: 'Größe GmbH' })
    );
    expect(post.status).toBe(201);
    const bad = await raw(
      'PATCH',
      '/services/data/v62.0/sobjects/Lead/Company/x',
      JSON.stringify({ LastName: 'A' })
    );
    expect(bad.status).toBe(404);
    expect((bad.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('NOT_FOUND');
  });
});

describe('query', () => {
  beforeAll(async () => {
    const records = Array.from({ length: 450 }, (_, i) => ({
      attributes: { type: 'Lead' },
      LastName: `Page${String(i).padStart(3, '0')}`,
      Company: 'Paging Inc',
      LeadSource: 'Web'
    }));
    for (let start = 0; start < records.length; start += 200) {
      const { status, json } = await raw(
        'POST',
        '/services/data/v62.0/composite/sobjects',
        JSON.stringify({ allOrNone: true, records: records.slice(start, start + 200) })
      );
      expect(status).toBe(200);
      expect((json as Array<{ success: boolean }>).every((r) => r.success)).toBe(true);
    }
  });

  it('should page with nextRecordsUrl at the requested batch size', async () => {
    const soql = "SELECT Id, LastName FROM Lead WHERE Company = 'Paging Inc' ORDER BY LastName";
    const first = await conn.query<{ LastName: string }>(soql, {
      headers: { 'Sforce-Query-Options': 'batchSize=200' }
    });
    expect(first.totalSize).toBe(450);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    const rawFirst = await raw('GET', `/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, undefined, {
      'Sforce-Query-Options': 'batchSize=200'
    });
    expect((rawFirst.json as { nextRecordsUrl: string }).nextRecordsUrl).toMatch(
      /^\/services\/data\/v62\.0\/query\/[^/]+$/
    );
    const second = await conn.queryMore<{ LastName: string }>(first.nextRecordsUrl as string);
    expect(second.records[0]?.LastName).toBe('Page200');

    const all = await conn.query<{ LastName: string }>(soql, {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
      autoFetch: true,
      maxFetch: 1000
    });
    expect(all.records).toHaveLength(450);
    expect(new Set(all.records.map((r) => r.LastName)).size).toBe(450);
  });

  it('should serve columns=true metadata', async () => {
    const { status, json } = await raw(
      'GET',
      `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id, LastName FROM Lead LIMIT 1')}&columns=true`
    );
    expect(status).toBe(200);
    expect(
      (json as { columnMetadata: Array<{ columnName: string }> }).columnMetadata.map((c) => c.columnName)
    ).toEqual(['Id', 'LastName']);
  });

  it('should include deleted rows in queryAll only', async () => {
    const created = await conn.sobject('Lead').create({ LastName: 'Deleted One', Company: 'Gone Ltd' });
    const id = (created as { id: string }).id;
    await conn.sobject('Lead').destroy(id);
    const soql = `SELECT Id, IsDeleted FROM Lead WHERE Id = '${id}'`;
    expect((await conn.query(soql)).totalSize).toBe(0);
    const all = await conn.query<{ IsDeleted: boolean }>(soql, { scanAll: true });
    expect(all.records[0]?.IsDeleted).toBe(true);
  });

  it('should return Salesforce errors for bad SOQL, unknown fields and ScratchOrgInfo', async () => {
    await expectSfError(conn.query('SELEKT Id FROM Lead'), 'MALFORMED_QUERY');
    await expectSfError(conn.query('SELECT Nope__c FROM Lead'), 'INVALID_FIELD');
    const scratch = await raw(
      'GET',
      `/services/data/v51.0/query?q=${encodeURIComponent('SELECT Id FROM ScratchOrgInfo limit 1')}`
    );
    expect(scratch.status).toBe(400);
    expect((scratch.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_TYPE');
    const missing = await raw('GET', '/services/data/v62.0/query');
    expect(missing.status).toBe(400);
    expect((missing.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('sObject collections', () => {
  it('should create in order with per-item errors (statusCode) and 200 when allOrNone is false', async () => {
    const { status, json } = await raw(
      'POST',
      '/services/data/v62.0/composite/sobjects',
      JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Account' }, Name: 'Collection A' },
          { attributes: { type: 'Lead' }, FirstName: 'Missing' },
          { attributes: { type: 'Lead' }, LastName: 'Ok', Company: 'Ok Co' }
        ]
      })
    );
    expect(status).toBe(200);
    const results = json as Array<{ id?: string; success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[0]?.id).toMatch(/^001/);
    expect(results[1]?.errors[0]?.statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(results[2]?.id).toMatch(/^00Q/);
  });

  it('should roll everything back when allOrNone is true and one record fails', async () => {
    const before = (await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'AllOrNone%'")).totalSize;
    const results = await conn
      .sobject('Account')
      .create([{ Name: 'AllOrNone 1' }, { Description: 'no name' }, { Name: 'AllOrNone 3' }], {
        allOrNone: true
      });
    expect(results.map((r) => r.success)).toEqual([false, false, false]);
    const codes = results.map((r) => (r.errors[0] as unknown as { statusCode: string }).statusCode);
    expect(codes[1]).toBe('REQUIRED_FIELD_MISSING');
    expect(codes[0]).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect((await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'AllOrNone%'")).totalSize).toBe(
      before
    );
  });

  it('should roll back mixed-type creates across types with allOrNone', async () => {
    const { json } = await raw(
      'POST',
      '/services/data/v62.0/composite/sobjects',
      JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Account' }, Name: 'MixedRollback' },
          { attributes: { type: 'Contact' }, FirstName: 'NoLast' }
        ]
      })
    );
    expect((json as Array<{ success: boolean }>).map((r) => r.success)).toEqual([false, false]);
    expect((await conn.query("SELECT COUNT() FROM Account WHERE Name = 'MixedRollback'")).totalSize).toBe(0);
  });

  it('should update, retrieve, upsert and delete through collections', async () => {
    const created = await conn
      .sobject('Account')
      .create([{ Name: 'Coll U1' }, { Name: 'Coll U2' }], { allOrNone: true });
    const ids = created.map((r) => (r as { id: string }).id);
    const updated = await conn.sobject('Account').update(
      ids.map((Id) => ({ Id, Industry: 'Technology' })),
      { allOrNone: true }
    );
    expect(updated.every((r) => r.success)).toBe(true);
    const retrieved = (await conn
      .sobject('Account')
      .retrieve([...ids, '001000000000999AAA'], { fields: ['Name', 'Industry'] })) as Array<Record<
      string,
      unknown
    > | null>;
    expect(retrieved[0]).toMatchObject({ Name: 'Coll U1', Industry: 'Technology' });
    expect(retrieved[2]).toBeNull();

    const upserted = await conn.sobject('Lead').upsert(
      [
        { Source_External_Id__c: 'csv:1', LastName: 'Иванов', Company: 'ООО Ромашка' },
        { Source_External_Id__c: 'hubspot:1001', LastName: 'Tanaka', Company: 'Again' }
      ],
      'Source_External_Id__c',
      { allOrNone: false }
    );
    expect(upserted.map((r) => (r as { created?: boolean }).created)).toEqual([true, false]);

    const deleted = await raw(
      'DELETE',
      `/services/data/v62.0/composite/sobjects?ids=${ids.join(',')}&allOrNone=true`
    );
    expect(deleted.status).toBe(200);
    expect((deleted.json as Array<{ success: boolean; id: string }>).map((r) => [r.id, r.success])).toEqual(
      ids.map((id) => [id, true])
    );
  });

  it('should refuse more than 200 records with EXCEEDED_ID_LIMIT', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({
      attributes: { type: 'Account' },
      Name: `Too many ${i}`
    }));
    const { status, json } = await raw(
      'POST',
      '/services/data/v62.0/composite/sobjects',
      JSON.stringify({ allOrNone: false, records })
    );
    expect(status).toBe(400);
    expect((json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('EXCEEDED_ID_LIMIT');
  });
});

describe('composite', () => {
  it('should resolve @{ref} references between subrequests and count as one call', async () => {
    const usedBefore = org.emulator.usage.used();
    const response = (await conn.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'refAcc',
          body: { Name: 'Composite Acc' }
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'refCon',
          body: { LastName: 'Silva', FirstName: 'João', AccountId: '@{refAcc.id}' }
        },
        {
          method: 'GET',
          url: '/services/data/v62.0/sobjects/Contact/@{refCon.id}?fields=AccountId,LastName',
          referenceId: 'refGet'
        },
        {
          method: 'GET',
          url: "/services/data/v62.0/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{refAcc.id}'",
          referenceId: 'refQuery'
        }
      ]
    })) as {
      compositeResponse: Array<{
        httpStatusCode: number;
        referenceId: string;
        body: Record<string, unknown>;
        httpHeaders: Record<string, string>;
      }>;
    };
    expect(org.emulator.usage.used() - usedBefore).toBe(1);
    const [acc, con, get, query] = response.compositeResponse;
    expect(acc?.httpStatusCode).toBe(201);
    expect(acc?.httpHeaders.Location).toMatch(/^\/services\/data\/v62\.0\/sobjects\/Account\/001/);
    expect(con?.httpStatusCode).toBe(201);
    expect(get?.body).toMatchObject({ AccountId: acc?.body.id, LastName: 'Silva' });
    expect(query?.body).toMatchObject({ totalSize: 1 });
  });

  it('should roll back all subrequests and mark the others PROCESSING_HALTED when allOrNone fails', async () => {
    const response = (await conn.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'okAcc',
          body: { Name: 'Composite Rollback' }
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'badCon',
          body: { FirstName: 'NoLastName', AccountId: '@{okAcc.id}' }
        }
      ]
    })) as { compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }> };
    expect(response.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400]);
    expect(response.compositeResponse[0]?.body[0]?.errorCode).toBe('PROCESSING_HALTED');
    expect(response.compositeResponse[1]?.body[0]?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(
      (await conn.query("SELECT COUNT() FROM Account WHERE Name = 'Composite Rollback'")).totalSize
    ).toBe(0);
  });

  it('should skip only dependent subrequests when allOrNone is false', async () => {
    const response = (await conn.requestPost('/composite', {
      allOrNone: false,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'failing', body: {} },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Contact',
          referenceId: 'dependent',
          body: { LastName: 'X', AccountId: '@{failing.id}' }
        },
        {
          method: 'POST',
          url: '/services/data/v62.0/sobjects/Account',
          referenceId: 'independent',
          body: { Name: 'Independent Acc' }
        }
      ]
    })) as { compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }> };
    expect(response.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400, 201]);
    expect(response.compositeResponse[1]?.body[0]?.errorCode).toBe('PROCESSING_HALTED');
  });

  it('should refuse more than 25 subrequests', async () => {
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: '/services/data/v62.0/limits',
      referenceId: `r${i}`
    }));
    const { status } = await raw(
      'POST',
      '/services/data/v62.0/composite',
      JSON.stringify({ compositeRequest })
    );
    expect(status).toBe(400);
  });

  it('should refuse more than 5 query subrequests and take 5', async () => {
    const queries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        method: 'GET',
        url: `/services/data/v62.0/${i % 2 ? 'queryAll' : 'query'}?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`,
        referenceId: `q${i}`
      }));
    const six = await raw('POST', '/services/data/v62.0/composite', JSON.stringify({ compositeRequest: queries(6) }));
    expect(six.status).toBe(400);
    expect(six.json).toEqual([
      expect.objectContaining({ errorCode: 'INVALID_API_INPUT', message: expect.stringContaining('at most 5 query') })
    ]);
    const five = await raw('POST', '/services/data/v62.0/composite', JSON.stringify({ compositeRequest: queries(5) }));
    expect(five.status).toBe(200);
  });
});

describe('limits', () => {
  it('should report DailyApiRequests from the usage counters and send Sforce-Limit-Info', async () => {
    const limits = (await conn.request('/services/data/v62.0/limits')) as Record<
      string,
      { Max: number; Remaining: number }
    >;
    const used = org.emulator.usage.used();
    expect(limits.DailyApiRequests).toEqual({ Max: 15000, Remaining: 15000 - used });
    expect(limits.DailyBulkV2QueryJobs?.Max).toBe(10000);
    expect(conn.limitInfo.apiUsage).toEqual({ used, limit: 15000 });
    const { headers } = await raw('GET', '/services/data/v62.0/limits');
    expect(headers.get('sforce-limit-info')).toBe(`api-usage=${used + 1}/15000`);
    expect(org.emulator.usage.byEndpoint()['GET /limits']).toBeGreaterThanOrEqual(2);
  });
});

describe('replication', () => {
  it('should list updated and deleted ids in a window', async () => {
    const start = new Date(Date.now() - 60_000);
    const created = (await conn.sobject('Account').create({ Name: 'Replicated' })) as { id: string };
    const doomed = (await conn.sobject('Account').create({ Name: 'Replicated doomed' })) as { id: string };
    await conn.sobject('Account').destroy(doomed.id);
    const end = new Date(Date.now() + 60_000);
    const updated = await conn.sobject('Account').updated(start.toISOString(), end.toISOString());
    expect(updated.ids).toContain(created.id);
    expect(updated.ids).not.toContain(doomed.id);
    expect(updated.latestDateCovered).toMatch(/\+0000$/);
    const deleted = await conn.sobject('Account').deleted(start.toISOString(), end.toISOString());
    expect(deleted.deletedRecords.map((r) => r.id)).toContain(doomed.id);
  });
});

describe('robustness', () => {
  it('should answer bad JSON with JSON_PARSER_ERROR and keep serving', async () => {
    const bad = await raw('POST', '/services/data/v62.0/sobjects/Lead', '{"LastName": ');
    expect(bad.status).toBe(400);
    expect((bad.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('JSON_PARSER_ERROR');
    const array = await raw('POST', '/services/data/v62.0/sobjects/Lead', '[1,2]');
    expect(array.status).toBe(400);
    expect((array.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('JSON_PARSER_ERROR');
    const wrongType = await raw(
      'POST',
      '/services/data/v62.0/composite/sobjects',
      JSON.stringify({ records: 'nope' })
    );
    expect(wrongType.status).toBe(400);
    const garbageComposite = await raw(
      'POST',
      '/services/data/v62.0/composite',
      JSON.stringify({ compositeRequest: [{ method: 'GET' }] })
    );
    expect(garbageComposite.status).toBe(400);
    const binary = await raw('POST', '/services/data/v62.0/sobjects/Lead', '\u0000\u0001\u0002', {
      'content-type': 'application/octet-stream'
    });
    expect(binary.status).toBeGreaterThanOrEqual(400);
    expect(binary.status).toBeLessThan(500);
    const emptyGetWithJsonType = await raw('GET', '/services/data/v62.0/limits');
    expect(emptyGetWithJsonType.status).toBe(200);
  });

  it('should answer 405 METHOD_NOT_ALLOWED and 404 in Salesforce shape', async () => {
    const put = await raw('PUT', '/services/data/v62.0/sobjects/Lead');
    expect(put.status).toBe(405);
    expect((put.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('METHOD_NOT_ALLOWED');
    const missing = await raw('GET', '/services/data/v62.0/no/such/thing');
    expect(missing.status).toBe(404);
  });

  it('should report the tooling API as unsupported with 404 NOT_FOUND', async () => {
    const { status, json } = await raw(
      'GET',
      `/services/data/v62.0/tooling/query?q=${encodeURIComponent('SELECT Id FROM ApexClass')}`
    );
    expect(status).toBe(404);
    expect((json as Array<{ errorCode: string; message: string }>)[0]).toMatchObject({
      errorCode: 'NOT_FOUND',
      message: expect.stringContaining('does not support the Tooling API')
    });
  });
});

describe('persistence', () => {
  it('should keep records and tokens across a restart on the same data dir', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'emu-restart-'));
    try {
      const first = await startTestOrg({ dataDir });
      const created = (await first
        .connection()
        .sobject('Lead')
        .create({ LastName: 'Persisted', Company: 'Durable GmbH' })) as { id: string };
      const token = first.accessToken;
      await first.close();

      const second = await startTestOrg({ dataDir });
      try {
        const lead = (await second.connection(token).sobject('Lead').retrieve(created.id)) as Record<
          string,
          unknown
        >;
        expect(lead.Company).toBe('Durable GmbH');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
