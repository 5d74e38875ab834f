/**
 * jsforce's documented calls against the local org, used as an application would use them:
 * SOAP login/logout, sobject() CRUD with arrays (sObject Collections), query/queryMore/autoFetch,
 * relationship and aggregate queries, describe with compound fields, Bulk API 2.0 load/query,
 * limits and identity. Calls already covered elsewhere (convertLead: emulator-soap.test.ts; OAuth
 * flows: emulator-auth.test.ts) are not repeated.
 */
import { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

/** login() exists up to API 64.0 (removed from 65.0); every call in this file uses that version. */
const VERSION = '64.0';
const ADMIN = { username: 'admin@leadflow.local', password: 'leadflow' };

let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  org = await startTestOrg();
  conn = new Connection({ loginUrl: org.url, version: VERSION });
  await conn.login(ADMIN.username, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await org.close();
});

describe('SOAP login and logout', () => {
  it('should log in with username and password and give jsforce a working session', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    const userInfo = await fresh.login(ADMIN.username, ADMIN.password);
    expect(userInfo).toEqual({
      id: '005000000000001AAA',
      organizationId: '00D000000000001AAA',
      url: `${org.url}/id/00D000000000001AAA/005000000000001AAA`
    });
    expect(fresh.instanceUrl).toBe(org.url);
    expect(fresh.accessToken).toMatch(/^00D000000000001!AQ0Emu\./);
    const result = await fresh.query<{ Username: string }>("SELECT Username FROM User WHERE Id = '005000000000001AAA'");
    expect(result.records[0]?.Username).toBe(ADMIN.username);
    const identity = await fresh.identity();
    expect(identity).toMatchObject({ user_id: '005000000000001AAA', organization_id: '00D000000000001AAA', username: ADMIN.username });
  });

  it('should return the Partner LoginResult with userInfo', async () => {
    const res = await fetch(`${org.url}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
      body:
        '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body>' +
        '<login xmlns="urn:partner.soap.sforce.com"><username>ADMIN@leadflow.local</username><password>leadflow</password></login>' +
        '</se:Body></se:Envelope>'
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(`<metadataServerUrl>${org.url}/services/Soap/m/${VERSION}/00D000000000001</metadataServerUrl>`);
    expect(xml).toContain('<passwordExpired>false</passwordExpired><sandbox>false</sandbox>');
    expect(xml).toContain(`<serverUrl>${org.url}/services/Soap/u/${VERSION}/00D000000000001</serverUrl>`);
    expect(xml).toContain('<userId>005000000000001AAA</userId><userInfo>');
    expect(xml).toContain('<organizationName>Leadflow Local</organizationName>');
    expect(xml).toContain('<userName>admin@leadflow.local</userName>');
    expect(xml).toContain('<sessionSecondsValid>7200</sessionSecondsValid>');
  });

  it.each([
    ['a wrong password', ADMIN.username, 'wrong'],
    ['an unknown user', 'nobody@leadflow.local', ADMIN.password]
  ])('should refuse %s with INVALID_LOGIN', async (_what, username, password) => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    await expect(fresh.login(username, password)).rejects.toThrow(
      'INVALID_LOGIN: Invalid username, password, security token; or user locked out.'
    );
    const res = await fetch(`${org.url}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: `<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>${username}</username><password>${password}</password></login></se:Body></se:Envelope>`
    });
    expect(res.status).toBe(500);
    const xml = await res.text();
    expect(xml).toContain('<faultcode>sf:INVALID_LOGIN</faultcode>');
    expect(xml).toContain('<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>');
  });

  it('should not offer login() from API version 65.0, where Salesforce removed it', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: '65.0' });
    await expect(fresh.login(ADMIN.username, ADMIN.password)).rejects.toThrow(/No operation available for request \{urn:partner.soap.sforce.com\}login/);
  });

  it('should end the session on logout: REST answers 401 INVALID_SESSION_ID afterwards', async () => {
    const fresh = new Connection({ loginUrl: org.url, version: VERSION });
    await fresh.login(ADMIN.username, ADMIN.password);
    const token = fresh.accessToken ?? '';
    await fresh.logout();
    expect(fresh.accessToken).toBeFalsy();
    const res = await fetch(`${org.url}/services/data/v${VERSION}/limits`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });
});

interface LeadRow {
  Id?: string;
  LastName?: string;
  Company?: string;
  Source_External_Id__c?: string;
}

describe('sobject() CRUD with arrays (sObject Collections)', () => {
  it('should create, retrieve, update, upsert and destroy arrays of records', async () => {
    const leads = conn.sobject('Lead');
    const created = await leads.create([
      { LastName: 'Array One', Company: 'Arrays Ltd' },
      { LastName: 'Array Two', Company: 'Arrays Ltd' },
      { LastName: 'No Company' }
    ]);
    expect(created.map((r) => r.success)).toEqual([true, true, false]);
    const failed = created[2];
    expect(failed && !failed.success ? failed.errors : []).toEqual([
      expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] })
    ]);
    const ids = created.filter((r) => r.success).map((r) => r.id as string);

    const retrieved = await leads.retrieve(ids, { fields: ['LastName', 'Company'] });
    expect(retrieved.map((r) => (r as LeadRow | null)?.LastName)).toEqual(['Array One', 'Array Two']);

    const updated = await leads.update(ids.map((Id, i) => ({ Id, Company: `Renamed ${i}` })));
    expect(updated.every((r) => r.success)).toBe(true);

    const upserted = await leads.upsert(
      [
        { LastName: 'Upsert New', Company: 'Upsert Co', Source_External_Id__c: 'jsforce:1' },
        { LastName: 'Upsert Dup', Company: 'Upsert Co', Source_External_Id__c: 'jsforce:2' },
        { LastName: 'Upsert Dup 2', Company: 'Upsert Co', Source_External_Id__c: 'jsforce:2' }
      ],
      'Source_External_Id__c'
    );
    expect(upserted[0]).toMatchObject({ success: true, created: true });
    // Failed upsert items carry created:false (UpsertResult.created is a non-nillable boolean).
    expect(upserted[2]).toEqual({
      success: false,
      created: false,
      errors: [expect.objectContaining({ statusCode: 'DUPLICATE_EXTERNAL_ID' })]
    });
    const again = await leads.upsert([{ LastName: 'Upsert Again', Company: 'Upsert Co', Source_External_Id__c: 'jsforce:1' }], 'Source_External_Id__c');
    expect(again[0]).toMatchObject({ success: true, created: false, id: upserted[0]?.id });

    const destroyed = await leads.destroy(ids);
    expect(destroyed.map((r) => r.success)).toEqual([true, true]);
    expect(await leads.retrieve(ids)).toEqual([null, null]);
  });
});

describe('query, queryMore, autoFetch, relationships and aggregates', () => {
  const total = 450;

  beforeAll(async () => {
    const accounts = await conn.sobject('Account').create([{ Name: 'Query Parent A' }, { Name: 'Query Parent B' }]);
    const [a, b] = accounts.map((r) => r.id as string);
    await conn.sobject('Contact').create([
      { LastName: 'Child A1', AccountId: a },
      { LastName: 'Child A2', AccountId: a },
      { LastName: 'Child B1', AccountId: b }
    ]);
    const rows = Array.from({ length: total }, (_, i) => ({ LastName: `Paged ${i}`, Company: 'Query Paging', LeadSource: i % 3 === 0 ? 'Web' : 'Other' }));
    for (let i = 0; i < rows.length; i += 200) await conn.sobject('Lead').create(rows.slice(i, i + 200));
  }, 60_000);

  it('should page with queryMore and fetch every page with autoFetch', async () => {
    const soql = "SELECT Id, LastName FROM Lead WHERE Company = 'Query Paging'";
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<LeadRow>(soql, { headers });
    expect(first).toMatchObject({ totalSize: total, done: false });
    expect(first.records).toHaveLength(200);
    // The locator keeps the batch size it was opened with.
    const second = await conn.queryMore<LeadRow>(first.nextRecordsUrl ?? '');
    expect(second.records).toHaveLength(200);

    const all = await conn.query<LeadRow>(soql, { headers, autoFetch: true, maxFetch: 10_000 });
    expect(all.records).toHaveLength(total);
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(total);
  });

  it('should answer parent and child relationship queries', async () => {
    const contacts = await conn.query<{ LastName: string; Account: { Name: string } }>(
      "SELECT LastName, Account.Name FROM Contact WHERE Account.Name LIKE 'Query Parent%' ORDER BY LastName"
    );
    expect(contacts.records.map((c) => [c.LastName, c.Account.Name])).toEqual([
      ['Child A1', 'Query Parent A'],
      ['Child A2', 'Query Parent A'],
      ['Child B1', 'Query Parent B']
    ]);
    const accounts = await conn.query<{ Name: string; Contacts: { totalSize: number; records: Array<{ LastName: string }> } }>(
      "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name LIKE 'Query Parent%' ORDER BY Name"
    );
    expect(accounts.records.map((a) => [a.Name, a.Contacts.totalSize])).toEqual([
      ['Query Parent A', 2],
      ['Query Parent B', 1]
    ]);
  });

  it('should answer aggregate queries with aliases', async () => {
    const result = await conn.query<{ LeadSource: string; n: number }>(
      "SELECT LeadSource, COUNT(Id) n FROM Lead WHERE Company = 'Query Paging' GROUP BY LeadSource ORDER BY LeadSource"
    );
    // Picklists sort in the order of their values (Web comes before Other), not alphabetically.
    expect(result.records.map((r) => [r.LeadSource, r.n])).toEqual([
      ['Web', 150],
      ['Other', 300]
    ]);
    const count = await conn.query("SELECT COUNT() FROM Lead WHERE Company = 'Query Paging'");
    expect(count.totalSize).toBe(total);
  });
});

describe('Bulk API 2.0', () => {
  const poll = { pollInterval: 200, pollTimeout: 60_000 };

  it('should insert, upsert on Id (rows without Id are created) and delete with loadAndWaitForResults', async () => {
    const inserted = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      input: [
        { LastName: 'Bulk One', Company: 'Bulk Co' },
        { LastName: 'Bulk Two', Company: 'Bulk Co' }
      ],
      ...poll
    });
    expect(inserted.successfulResults).toHaveLength(2);
    const [one] = inserted.successfulResults.map((r) => r.sf__Id as string);

    const upserted = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'Id',
      input: [
        { Id: one, LastName: 'Bulk One Updated', Company: 'Bulk Co' },
        { Id: '', LastName: 'Bulk Three', Company: 'Bulk Co' }
      ],
      ...poll
    });
    expect(upserted.failedResults).toEqual([]);
    const byName = new Map(upserted.successfulResults.map((r) => [(r as Record<string, unknown>).LastName, r]));
    expect(byName.get('Bulk One Updated')).toMatchObject({ sf__Id: one, sf__Created: 'false' });
    expect(byName.get('Bulk Three')).toMatchObject({ sf__Created: 'true' });
    expect(byName.get('Bulk Three')?.sf__Id).toMatch(/^00Q\w{15}$/);

    const ids = (await conn.query<LeadRow>("SELECT Id FROM Lead WHERE Company = 'Bulk Co'")).records.map((r) => ({ Id: r.Id }));
    expect(ids).toHaveLength(3);
    const deleted = await conn.bulk2.loadAndWaitForResults({ object: 'Lead', operation: 'delete', input: ids, ...poll });
    expect(deleted.successfulResults).toHaveLength(3);
    expect((await conn.query("SELECT COUNT() FROM Lead WHERE Company = 'Bulk Co'")).totalSize).toBe(0);
  }, 60_000);

  it('should return every row to bulk2.query when the result is larger than 10,000 rows', async () => {
    const rows = 10_050;
    const input = Array.from({ length: rows }, (_, i) => ({ LastName: `Big ${i}`, Company: 'Bulk Big' }));
    const load = await conn.bulk2.loadAndWaitForResults({ object: 'Lead', operation: 'insert', input, ...poll });
    expect(load.successfulResults).toHaveLength(rows);
    const stream = await conn.bulk2.query("SELECT Id, LastName FROM Lead WHERE Company = 'Bulk Big'", poll);
    let count = 0;
    for await (const record of stream) if ((record as LeadRow).Id) count++;
    expect(count).toBe(rows);
  }, 60_000);
});

describe('describe and limits', () => {
  it('should describe Lead and report the org limits', async () => {
    const lead = await conn.sobject('Lead').describe();
    expect(lead.fields.find((f) => f.name === 'AnnualRevenue')).toMatchObject({ type: 'currency', precision: 18, scale: 0 });
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBeGreaterThan(0);
    expect(limits.DailyApiRequests?.Remaining).toBeLessThan(limits.DailyApiRequests?.Max ?? 0);
  });

  it('should refuse AnnualRevenue 1e18 with NUMBER_OUTSIDE_VALID_RANGE', async () => {
    const [result] = await conn.sobject('Lead').create([{ LastName: 'Rich', Company: 'Big Revenue', AnnualRevenue: 1e18 }]);
    expect(result).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'NUMBER_OUTSIDE_VALID_RANGE',
          message: 'Annual Revenue: value outside of valid range on numeric field: 1.0E18',
          fields: ['AnnualRevenue']
        }
      ]
    });
  });
});

describe('compound address fields', () => {
  it('should describe the compound field and its components', async () => {
    const account = await conn.sobject('Account').describe();
    const byName = new Map(account.fields.map((f) => [f.name, f]));
    expect(byName.get('BillingAddress')).toMatchObject({ type: 'address', soapType: 'urn:address', createable: false, updateable: false, nillable: true, compoundFieldName: null });
    expect(byName.get('BillingCity')).toMatchObject({ type: 'string', length: 40, compoundFieldName: 'BillingAddress', label: 'Billing City' });
    expect(byName.get('BillingLatitude')).toMatchObject({ type: 'double', precision: 18, scale: 15, compoundFieldName: 'BillingAddress' });
    expect(byName.get('ShippingGeocodeAccuracy')).toMatchObject({ type: 'picklist', compoundFieldName: 'ShippingAddress' });
    expect(byName.has('BillingStateCode')).toBe(false);
    // Values from Salesforce's field reference for Account.
    expect(byName.get('Jigsaw')).toMatchObject({ type: 'string', length: 20, label: 'Data.com Key' });
    expect(byName.get('Industry')).toMatchObject({ type: 'picklist', length: 40 });
    expect(byName.get('AnnualRevenue')).toMatchObject({ type: 'currency', precision: 18, scale: 0 });
    const lead = await conn.sobject('Lead').describe();
    expect(lead.fields.find((f) => f.name === 'Street')).toMatchObject({ type: 'textarea', length: 255, compoundFieldName: 'Address' });
    const contact = await conn.sobject('Contact').describe();
    expect(contact.fields.filter((f) => f.type === 'address').map((f) => f.name).sort()).toEqual(['MailingAddress', 'OtherAddress']);
    expect(account.fields.find((f) => f.name === 'JigsawCompanyId')).toMatchObject({ type: 'string', length: 20, createable: false });
    expect(lead.fields.find((f) => f.name === 'CleanStatus')).toMatchObject({ type: 'picklist', restrictedPicklist: true });
  });

  it('should return the nested address in SOQL and retrieve, null when blank', async () => {
    const [withAddress, blank] = await conn.sobject('Account').create([
      { Name: 'Addressed', BillingStreet: '1 Market St', BillingCity: 'San Francisco', BillingState: 'CA', BillingPostalCode: '94105', BillingCountry: 'USA', BillingLatitude: 37.7936, BillingLongitude: -122.3952 },
      { Name: 'No Address' }
    ]);
    const address = {
      city: 'San Francisco',
      country: 'USA',
      geocodeAccuracy: null,
      latitude: 37.7936,
      longitude: -122.3952,
      postalCode: '94105',
      state: 'CA',
      street: '1 Market St'
    };
    const result = await conn.query<{ Name: string; BillingAddress: unknown; ShippingAddress: unknown }>(
      "SELECT Name, BillingAddress, ShippingAddress FROM Account WHERE Name IN ('Addressed', 'No Address') ORDER BY Name"
    );
    expect(result.records.map((r) => [r.Name, r.BillingAddress, r.ShippingAddress])).toEqual([
      ['Addressed', address, null],
      ['No Address', null, null]
    ]);
    const retrieved = (await conn.sobject('Account').retrieve(withAddress?.id as string)) as Record<string, unknown>;
    expect(retrieved.BillingAddress).toEqual(address);
    expect(blank?.success).toBe(true);
  });

  it('should refuse writing a compound field, as Salesforce does', async () => {
    const [result] = await conn.sobject('Account').create([{ Name: 'Direct', BillingAddress: { city: 'Paris' } }]);
    expect(result).toEqual({
      success: false,
      errors: [
        expect.objectContaining({
          statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: expect.stringContaining('Unable to create/update fields: BillingAddress.'),
          fields: ['BillingAddress']
        })
      ]
    });
    await expect(conn.query("SELECT Id FROM Account WHERE BillingAddress = 'x'")).rejects.toThrow("field 'BillingAddress' can not be filtered in a query call");
  });
});
