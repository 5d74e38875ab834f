import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, syncTables } from './database';
import { createRecordStore } from './records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID, SALES_USER_IDS } from './reference-data';
import { loadSchema, type LoadedSchema } from './schema';
import { SalesforceApiError, type RecordStore, type SObjectRecord, type SaveResult } from './types';

jest.setTimeout(60000);

const fixtures = path.join(__dirname, '__fixtures__', 'basic');
const partial = { allOrNone: false, userId: ADMIN_USER_ID };
const atomic = { allOrNone: true, userId: ADMIN_USER_ID };

let db: PGlite;
let schema: LoadedSchema;
let store: RecordStore;
let clock = new Date('2025-01-10T09:00:00.000Z');
const tick = (minutes = 1) => (clock = new Date(clock.getTime() + minutes * 60_000));

beforeAll(async () => {
  schema = await loadSchema({ forceAppDir: fixtures });
  db = await openDatabase();
  await syncTables(db, schema);
  store = createRecordStore({ db, schema, now: () => clock, orgId: DEFAULT_ORG_ID, defaultUserId: ADMIN_USER_ID });
});
afterAll(async () => {
  await db.close();
});

let seq = 0;
const lead = (extra: SObjectRecord = {}): SObjectRecord => ({ LastName: `Lead${++seq}`, Company: 'Acme', ...extra });

async function insertOne(type: string, record: SObjectRecord): Promise<string> {
  const [result] = await store.insert(type, [record], partial);
  if (!result?.success || !result.id) throw new Error(`insert failed: ${JSON.stringify(result)}`);
  return result.id;
}

function firstError(result: SaveResult | undefined) {
  return result?.errors[0];
}

describe('insert and retrieve', () => {
  it('should apply defaults, owner, derived name and timestamps, and return canonical field names', async () => {
    const id = await insertOne('Lead', { firstname: 'Ada', LASTNAME: 'Lovelace', company: 'Engines Ltd', Email: 'ada@example.com' });
    expect(id).toMatch(/^00Q[0-9A-Za-z]{15}$/);
    const record = await store.retrieve('Lead', id, ['Name', 'FirstName', 'Status', 'OwnerId', 'Tier__c', 'Qualified__c', 'Review_Date__c', 'IsConverted', 'CreatedDate', 'CreatedById', 'SystemModstamp']);
    expect(record).toEqual({
      Name: 'Ada Lovelace',
      FirstName: 'Ada',
      Status: 'Open - Not Contacted',
      OwnerId: ADMIN_USER_ID,
      Tier__c: 'Silver',
      Qualified__c: false,
      Review_Date__c: '2025-01-17',
      IsConverted: false,
      CreatedDate: '2025-01-10T09:00:00.000+0000',
      CreatedById: ADMIN_USER_ID,
      SystemModstamp: '2025-01-10T09:00:00.000+0000'
    });
  });

  it('should return every field when none are listed, and null for a missing id', async () => {
    const id = await insertOne('Lead', lead({ Score__c: '55' }));
    const record = await store.retrieve('Lead', id.slice(0, 15));
    expect(record?.Id).toBe(id);
    expect(record?.Score__c).toBe(55);
    expect(record?.Score_Band__c).toBe('Medium');
    expect(Object.keys(record ?? {})).toEqual(schema.get('Lead')?.fields.map((f) => f.name));
    expect(await store.retrieve('Lead', '00Q000000000000AAA')).toBeNull();
    expect(await store.retrieve('Lead', 'not-an-id')).toBeNull();
  });

  it('should refuse unknown fields in retrieve and unknown or read-only object types', async () => {
    await expect(store.retrieve('Lead', '00Q000000000000AAA', ['Nope__c'])).rejects.toThrow("No such column 'Nope__c' on sobject of type Lead");
    await expect(store.insert('Nope__c', [{}], partial)).rejects.toBeInstanceOf(SalesforceApiError);
    const [result] = await store.insert('LeadStatus', [{ MasterLabel: 'x' }], partial);
    expect(firstError(result)?.statusCode).toBe('INVALID_TYPE_FOR_OPERATION');
  });
});

describe('per-record errors', () => {
  it.each<[string, SObjectRecord, string, string, string[]]>([
    ['an unknown field', lead({ Bogus__c: 1 }), 'INVALID_FIELD', "No such column 'Bogus__c' on sobject of type Lead", ['Bogus__c']],
    [
      'a read-only field',
      lead({ IsConverted: true, ConvertedDate: '2025-01-01' }),
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'Unable to create/update fields: IsConverted, ConvertedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
      ['IsConverted', 'ConvertedDate']
    ],
    ['an Id', lead({ Id: '00Q000000000001AAA' }), 'INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']],
    ['a non-numeric number', lead({ NumberOfEmployees: 'many' }), 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'Number Of Employees: value not of required type: many', ['NumberOfEmployees']],
    ['a fractional integer', lead({ NumberOfEmployees: 1.5 }), 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'Number Of Employees: value not of required type: 1.5', ['NumberOfEmployees']],
    ['an impossible date', lead({ Review_Date__c: '2025-02-30' }), 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'Review Date: value not of required type: 2025-02-30', ['Review_Date__c']],
    ['a datetime in a date field', lead({ Review_Date__c: '2025-03-04T23:00:00.000+0000' }), 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'Review Date: value not of required type: 2025-03-04T23:00:00.000+0000', ['Review_Date__c']],
    ['a non-boolean checkbox', lead({ Qualified__c: 'yes please' }), 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'Qualified: value not of required type: yes please', ['Qualified__c']],
    ['a number too large', lead({ Score__c: 1000 }), 'NUMBER_OUTSIDE_VALID_RANGE', 'Score: value outside of valid range on numeric field: 1000.0', ['Score__c']],
    ['missing required fields', { FirstName: 'Only' }, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName, Company]', ['LastName', 'Company']],
    ['a blank required field', lead({ Company: '' }), 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Company]', ['Company']],
    ['a string too long', lead({ Ext_Key__c: 'x'.repeat(21) }), 'STRING_TOO_LONG', `Ext Key: data value too large: ${'x'.repeat(21)} (max length=20)`, ['Ext_Key__c']],
    ['a bad restricted picklist value', lead({ Tier__c: 'Bronze' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'Tier: bad value for restricted picklist field: Bronze', ['Tier__c']],
    ['a bad standard lead status', lead({ Status: 'Sleeping' }), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'Status: bad value for restricted picklist field: Sleeping', ['Status']],
    ['an invalid email', lead({ Email: 'not-an-email' }), 'INVALID_EMAIL_ADDRESS', 'Email: invalid email address: not-an-email', ['Email']],
    ['a malformed reference', lead({ OwnerId: 'abc' }), 'MALFORMED_ID', 'Owner ID: id value of incorrect type: abc', ['OwnerId']],
    ['a reference to the wrong object type', lead({ OwnerId: '001000000000001AAA' }), 'FIELD_INTEGRITY_EXCEPTION', 'Owner ID: id value of incorrect type: 001000000000001AAA', ['OwnerId']],
    ['a reference to no record', lead({ OwnerId: '005000000000099AAA' }), 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OwnerId']],
    ['a failing validation rule', lead({ Score__c: 101 }), 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Score must be at most 100.', ['Score__c']]
  ])('should fail an insert with %s', async (_what, record, statusCode, message, fields) => {
    const [result] = await store.insert('Lead', [record], partial);
    expect(result).toEqual({ id: null, success: false, errors: [{ statusCode, message, fields }] });
  });

  it.each([['2025-03-04 10:00:00'], ['2024-07-30 20:54:16 UTC'], ['yesterday'], ['2025-13-01T00:00:00Z']])(
    'should refuse %p as a datetime, as Salesforce does',
    async (value) => {
      const [result] = await store.insert('Widget__c', [{ Price__c: 1, Launched_At__c: value }], partial);
      expect(firstError(result)).toEqual({
        statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
        message: `Launched At: value not of required type: ${value}`,
        fields: ['Launched_At__c']
      });
    }
  );

  it('should refuse an array for a multi-select picklist (values are one ;-separated string)', async () => {
    const [result] = await store.insert('Widget__c', [{ Price__c: 1, Colors__c: ['Red'] }], partial);
    expect(firstError(result)?.statusCode).toBe('INVALID_TYPE_ON_FIELD_IN_RECORD');
  });

  it('should accept Salesforce value forms: numeric strings, CSV booleans, datetimes with offsets', async () => {
    const id = await insertOne('Lead', lead({ NumberOfEmployees: '250', Qualified__c: 'TRUE', AnnualRevenue: '1e6', Review_Date__c: '2025-03-04' }));
    expect(await store.retrieve('Lead', id, ['NumberOfEmployees', 'Qualified__c', 'AnnualRevenue', 'Review_Date__c'])).toEqual({
      NumberOfEmployees: 250,
      Qualified__c: true,
      AnnualRevenue: 1000000,
      Review_Date__c: '2025-03-04'
    });
    const widget = await insertOne('Widget__c', { Price__c: 10, Launched_At__c: '2025-01-02T10:00:00+02:00', Colors__c: 'Red;Blue;Red' });
    expect(await store.retrieve('Widget__c', widget, ['Launched_At__c', 'Colors__c'])).toEqual({
      Launched_At__c: '2025-01-02T08:00:00.000+0000',
      Colors__c: 'Red;Blue'
    });
  });
});

describe('unique and external id fields', () => {
  it('should report DUPLICATE_VALUE against a stored record (case-insensitively) and within the batch', async () => {
    const existing = await insertOne('Lead', lead({ Ext_Key__c: 'dup-1' }));
    const results = await store.insert('Lead', [lead({ Ext_Key__c: 'DUP-1' }), lead({ Ext_Key__c: 'dup-2' }), lead({ Ext_Key__c: 'Dup-2' })], partial);
    expect(results[0]).toEqual({
      id: null,
      success: false,
      errors: [{ statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: Ext_Key__c duplicates value on record with id: ${existing}`, fields: ['Ext_Key__c'] }]
    });
    expect(results[1]?.success).toBe(true);
    expect(firstError(results[2])?.message).toBe(`duplicate value found: Ext_Key__c duplicates value on record with id: ${results[1]?.id}`);
  });

  it('should free a unique value when its record is deleted', async () => {
    const id = await insertOne('Lead', lead({ Ext_Key__c: 'recycled' }));
    await store.delete([id], partial);
    expect((await store.insert('Lead', [lead({ Ext_Key__c: 'recycled' })], partial))[0]?.success).toBe(true);
  });
});

describe('formula fields', () => {
  it('should compute formulas on insert and recompute them on update, blank when inputs are blank', async () => {
    const id = await insertOne('Lead', lead());
    expect(await store.retrieve('Lead', id, ['Score_Band__c', 'Double_Score__c'])).toEqual({ Score_Band__c: 'Low', Double_Score__c: null });
    await store.update('Lead', [{ Id: id, Score__c: 80 }], partial);
    expect(await store.retrieve('Lead', id, ['Score_Band__c', 'Double_Score__c'])).toEqual({ Score_Band__c: 'High', Double_Score__c: 160 });
  });

  it('should treat percent fields as fractions inside formulas', async () => {
    const id = await insertOne('Widget__c', { Name: 'Gear', Price__c: 200, Discount__c: 12.5 });
    expect(await store.retrieve('Widget__c', id, ['Net_Price__c', 'Discount__c'])).toEqual({ Net_Price__c: 175, Discount__c: 12.5 });
  });
});

describe('custom objects', () => {
  it('should number AutoNumber fields in sequence and default Name to the record id', async () => {
    const results = await store.insert('Widget__c', [{ Price__c: 1 }, { Price__c: 2, Name: 'Named' }], partial);
    const [a, b] = await Promise.all(results.map((r) => store.retrieve('Widget__c', r.id ?? '', ['Name', 'Serial__c'])));
    expect(a?.Name).toBe(results[0]?.id);
    expect(b?.Name).toBe('Named');
    const serials = [a?.Serial__c, b?.Serial__c] as string[];
    expect(serials[0]).toMatch(/^W-\d{4}$/);
    expect(Number(serials[1]?.slice(2))).toBe(Number(serials[0]?.slice(2)) + 1);
  });

  it('should check lookups and required custom fields', async () => {
    const results = await store.insert('Widget__c', [{ Price__c: 5, Lead__c: '00Q000000000404AAA' }, { Name: 'No price' }], partial);
    expect(firstError(results[0])).toEqual({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['Lead__c'] });
    expect(firstError(results[1])).toEqual({ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Price__c]', fields: ['Price__c'] });
  });
});

describe('update', () => {
  it('should take case-insensitive keys and lowercase id, bump SystemModstamp and keep CreatedDate', async () => {
    const id = await insertOne('Lead', lead());
    tick(5);
    const [result] = await store.update('Lead', [{ attributes: { type: 'Lead' }, id, TITLE: 'CTO' }], { allOrNone: false, userId: SALES_USER_IDS[0] });
    expect(result).toEqual({ id, success: true, errors: [] });
    const record = await store.retrieve('Lead', id, ['Title', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'LastModifiedById']);
    expect(record).toEqual({
      Title: 'CTO',
      CreatedDate: '2025-01-10T09:00:00.000+0000',
      LastModifiedDate: '2025-01-10T09:05:00.000+0000',
      SystemModstamp: '2025-01-10T09:05:00.000+0000',
      LastModifiedById: SALES_USER_IDS[0]
    });
    clock = new Date('2025-01-10T09:00:00.000Z');
  });

  it.each<[string, (id: string) => SObjectRecord, string, string]>([
    ['a non-updateable field', (id) => ({ Id: id, CreatedDate: '2020-01-01T00:00:00Z' }), 'INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.'],
    ['a required field set to blank', (id) => ({ Id: id, LastName: null }), 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]'],
    ['a missing id', () => ({ Title: 'x' }), 'MISSING_ARGUMENT', 'Id not specified in an update call'],
    ['an id of another object', () => ({ Id: '001000000000001AAA', Title: 'x' }), 'MALFORMED_ID', 'Lead ID: id value of incorrect type: 001000000000001AAA'],
    ['an unknown id', () => ({ Id: '00Q000000000404AAA', Title: 'x' }), 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id']
  ])('should fail an update with %s', async (_what, build, statusCode, message) => {
    const id = await insertOne('Lead', lead());
    const [result] = await store.update('Lead', [build(id)], partial);
    expect(result?.success).toBe(false);
    expect(firstError(result)).toMatchObject({ statusCode, message });
  });
});

describe('allOrNone', () => {
  it('should roll back the whole insert when one record fails', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sobj_lead');
    const results = await store.insert('Lead', [lead(), { FirstName: 'NoLast' }, lead()], atomic);
    expect(results.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING', 'ALL_OR_NONE_OPERATION_ROLLED_BACK']);
    expect(results[0]).toEqual({
      id: null,
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }]
    });
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sobj_lead');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('should save the valid records when allOrNone is false', async () => {
    const results = await store.insert('Lead', [lead(), { FirstName: 'NoLast' }, lead()], partial);
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
  });

  it('should roll back updates and deletes too', async () => {
    const a = await insertOne('Lead', lead({ Title: 'before' }));
    const updates = await store.update('Lead', [{ Id: a, Title: 'after' }, { Id: a.replace(/^00Q/, '001'), Title: 'x' }], atomic);
    expect(updates.map((r) => r.success)).toEqual([false, false]);
    expect((await store.retrieve('Lead', a, ['Title']))?.Title).toBe('before');
    const deletes = await store.delete([a, '00Q000000000404AAA'], atomic);
    expect(deletes.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_CROSS_REFERENCE_KEY']);
    expect(await store.retrieve('Lead', a)).not.toBeNull();
  });
});

describe('history', () => {
  async function leadHistory(id: string) {
    const result = await db.query<{ field: string; oldvalue: string | null; newvalue: string | null; createdbyid: string }>(
      'SELECT field, oldvalue, newvalue, createdbyid FROM sobj_leadhistory WHERE leadid = $1 ORDER BY field',
      [id]
    );
    return result.rows;
  }

  it('should write a created row on insert and one row per changed tracked field', async () => {
    const id = await insertOne('Lead', lead({ Score__c: 10 }));
    expect(await leadHistory(id)).toEqual([{ field: 'created', oldvalue: null, newvalue: null, createdbyid: ADMIN_USER_ID }]);
    await store.update('Lead', [{ Id: id, Status: 'Working - Contacted', Score__c: 20, Title: 'untracked' }], partial);
    await store.update('Lead', [{ Id: id, Status: 'Working - Contacted' }], partial);
    expect(await leadHistory(id)).toEqual([
      { field: 'Score__c', oldvalue: '10', newvalue: '20', createdbyid: ADMIN_USER_ID },
      { field: 'Status', oldvalue: 'Open - Not Contacted', newvalue: 'Working - Contacted', createdbyid: ADMIN_USER_ID },
      { field: 'created', oldvalue: null, newvalue: null, createdbyid: ADMIN_USER_ID }
    ]);
  });

  it('should track custom object fields in <Object>__History', async () => {
    const id = await insertOne('Widget__c', { Price__c: 1 });
    await store.update('Widget__c', [{ Id: id, Launched_At__c: '2025-05-01T12:00:00Z' }], partial);
    const rows = await db.query('SELECT field, oldvalue, newvalue FROM "sobj_widget__history" WHERE parentid = $1 ORDER BY createddate, field', [id]);
    expect(rows.rows).toEqual([
      { field: 'Launched_At__c', oldvalue: null, newvalue: '2025-05-01T12:00:00.000+0000' },
      { field: 'created', oldvalue: null, newvalue: null }
    ]);
  });

  it('should derive opportunity stage fields and write OpportunityHistory on create and on stage/amount/probability/close date changes', async () => {
    const id = await insertOne('Opportunity', { Name: 'Deal', StageName: 'Prospecting', CloseDate: '2025-06-30', Amount: 1000 });
    expect(await store.retrieve('Opportunity', id, ['Probability', 'ForecastCategoryName', 'ForecastCategory', 'IsClosed', 'IsWon', 'ExpectedRevenue'])).toEqual({
      Probability: 10,
      ForecastCategoryName: 'Pipeline',
      ForecastCategory: 'Pipeline',
      IsClosed: false,
      IsWon: false,
      ExpectedRevenue: 100
    });
    await store.update('Opportunity', [{ Id: id, Name: 'Renamed' }], partial);
    await store.update('Opportunity', [{ Id: id, StageName: 'Negotiation/Review', Amount: 2000 }], partial);
    await store.update('Opportunity', [{ Id: id, StageName: 'Closed Won', Probability: 95, CloseDate: '2025-05-31' }], partial);
    const rows = await db.query<Record<string, unknown>>(
      'SELECT stagename, amount::float AS amount, probability::float AS probability, closedate::text AS closedate, expectedrevenue::float AS expectedrevenue, forecastcategory, prevamount::float AS prevamount, prevclosedate::text AS prevclosedate FROM sobj_opportunityhistory WHERE opportunityid = $1 ORDER BY amount, probability',
      [id]
    );
    expect(rows.rows).toEqual([
      { stagename: 'Prospecting', amount: 1000, probability: 10, closedate: '2025-06-30', expectedrevenue: 100, forecastcategory: 'Pipeline', prevamount: null, prevclosedate: null },
      { stagename: 'Negotiation/Review', amount: 2000, probability: 90, closedate: '2025-06-30', expectedrevenue: 1800, forecastcategory: 'Pipeline', prevamount: 1000, prevclosedate: '2025-06-30' },
      { stagename: 'Closed Won', amount: 2000, probability: 95, closedate: '2025-05-31', expectedrevenue: 1900, forecastcategory: 'Closed', prevamount: 2000, prevclosedate: '2025-06-30' }
    ]);
    expect(await store.retrieve('Opportunity', id, ['IsClosed', 'IsWon', 'ForecastCategoryName'])).toEqual({ IsClosed: true, IsWon: true, ForecastCategoryName: 'Closed' });
  });
});

describe('validation rules with ISNEW, ISCHANGED and PRIORVALUE', () => {
  it('should compare against the stored values on update and treat an insert as new', async () => {
    const id = await insertOne('Lead', lead({ Score__c: 50, Tier__c: 'Gold' }));
    const [lower] = await store.update('Lead', [{ Id: id, Score__c: 40 }], partial);
    expect(lower?.errors).toEqual([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Score cannot go down.', fields: ['Score__c'] }]);
    expect((await store.update('Lead', [{ Id: id, Score__c: 60 }], partial))[0]?.success).toBe(true);
    expect((await store.update('Lead', [{ Id: id, Title: 'unrelated' }], partial))[0]?.success).toBe(true);
    const [tier] = await store.update('Lead', [{ Id: id, Tier__c: 'Silver' }], partial);
    expect(tier?.errors).toEqual([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Gold tier is permanent.', fields: ['Tier__c'] }]);
  });

  it('should let the first save of a record through whatever PRIORVALUE would say', async () => {
    const results = await store.insert('Lead', [lead({ Score__c: 0, Tier__c: 'Gold' })], partial);
    expect(results[0]?.success).toBe(true);
  });
});

describe('converted leads and systemUpdate', () => {
  const conversion = { IsConverted: true, Status: 'Closed - Converted', ConvertedDate: '2025-01-10' };

  it('should let the org convert a qualified lead, then refuse API updates of it', async () => {
    const id = await insertOne('Lead', lead({ Qualified__c: true }));
    const account = await insertOne('Account', { Name: 'Converted Co' });
    const [converted] = await store.systemUpdate('Lead', [{ Id: id, ...conversion, ConvertedAccountId: account }], partial);
    expect(converted).toEqual({ id, success: true, errors: [] });
    expect(await store.retrieve('Lead', id, ['IsConverted', 'ConvertedAccountId', 'Status'])).toEqual({ IsConverted: true, ConvertedAccountId: account, Status: 'Closed - Converted' });
    const [refused] = await store.update('Lead', [{ Id: id, Title: 'x' }], partial);
    expect(refused).toEqual({ id, success: false, errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] }] });
  });

  it('should run validation rules on the conversion update (Require Validation for Converted Leads)', async () => {
    const id = await insertOne('Lead', lead({ Qualified__c: false }));
    const [refused] = await store.systemUpdate('Lead', [{ Id: id, ...conversion }], partial);
    expect(refused?.errors).toEqual([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Only qualified leads can be converted.', fields: [] }]);
    expect((await store.retrieve('Lead', id, ['IsConverted']))?.IsConverted).toBe(false);
  });

  it('should refuse API updates of fields only the org may set', async () => {
    const id = await insertOne('Lead', lead());
    const [refused] = await store.update('Lead', [{ Id: id, IsConverted: true }], partial);
    expect(firstError(refused)?.statusCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});

describe('delete', () => {
  it('should soft delete, hide the record from retrieve and refuse further writes with ENTITY_IS_DELETED', async () => {
    const id = await insertOne('Lead', lead());
    tick(1);
    expect(await store.delete([id], partial)).toEqual([{ id, success: true, errors: [] }]);
    const row = await db.query<{ isdeleted: boolean; systemmodstamp: Date }>('SELECT isdeleted, systemmodstamp FROM sobj_lead WHERE id = $1', [id]);
    expect(row.rows[0]?.isdeleted).toBe(true);
    expect(row.rows[0]?.systemmodstamp.toISOString()).toBe(clock.toISOString());
    expect(await store.retrieve('Lead', id)).toBeNull();
    const [update] = await store.update('Lead', [{ Id: id, Title: 'x' }], partial);
    expect(update?.errors).toEqual([{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
    const [again] = await store.delete([id], partial);
    expect(again?.errors).toEqual([{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
  });

  it('should delete campaign members with their campaign', async () => {
    const campaign = await insertOne('Campaign', { Name: 'Spring webinar' });
    const leadId = await insertOne('Lead', lead());
    const member = await insertOne('CampaignMember', { CampaignId: campaign, LeadId: leadId, Status: 'Responded' });
    expect(await store.retrieve('CampaignMember', member, ['HasResponded', 'LeadOrContactId', 'FirstRespondedDate'])).toEqual({
      HasResponded: true,
      LeadOrContactId: leadId,
      FirstRespondedDate: '2025-01-10'
    });
    await store.delete([campaign], partial);
    expect(await store.retrieve('CampaignMember', member)).toBeNull();
    expect(await store.retrieve('Lead', leadId)).not.toBeNull();
  });

  it('should report unknown and malformed ids', async () => {
    const results = await store.delete(['00Q000000000404AAA', 'garbage'], partial);
    expect(results.map((r) => r.errors[0]?.statusCode)).toEqual(['INVALID_CROSS_REFERENCE_KEY', 'MALFORMED_ID']);
  });
});

describe('upsert', () => {
  it('should create, then update by external id, reporting created', async () => {
    const first = await store.upsert('Lead', 'ext_key__c', [lead({ Ext_Key__c: 'up-1', Title: 'one' })], partial);
    expect(first[0]).toMatchObject({ success: true, created: true });
    const second = await store.upsert('Lead', 'Ext_Key__c', [{ Ext_Key__c: 'UP-1', Title: 'two' }], partial);
    expect(second[0]).toEqual({ id: first[0]?.id, success: true, errors: [], created: false });
    expect(await store.retrieve('Lead', first[0]?.id ?? '', ['Title', 'Ext_Key__c'])).toEqual({ Title: 'two', Ext_Key__c: 'up-1' });
  });

  it('should upsert by Id: update when it exists', async () => {
    const id = await insertOne('Lead', lead());
    const [result] = await store.upsert('Lead', 'Id', [{ Id: id, Title: 'by id' }], partial);
    expect(result).toEqual({ id, success: true, errors: [], created: false });
  });

  it('should refuse an external id matching several records, and the same key twice in one call', async () => {
    await store.insert('Lead', [lead({ Loose_Key__c: 'shared' }), lead({ Loose_Key__c: 'shared' })], partial);
    const [many] = await store.upsert('Lead', 'Loose_Key__c', [{ Loose_Key__c: 'shared', Title: 'x' }], partial);
    expect(firstError(many)?.statusCode).toBe('DUPLICATE_EXTERNAL_ID');
    const twice = await store.upsert('Lead', 'Ext_Key__c', [lead({ Ext_Key__c: 'twice' }), lead({ Ext_Key__c: 'twice' })], partial);
    expect(twice.map((r) => r.success)).toEqual([true, false]);
    expect(firstError(twice[1])).toEqual({ statusCode: 'DUPLICATE_EXTERNAL_ID', message: 'Duplicate external id specified: twice', fields: ['Ext_Key__c'] });
  });

  it('should refuse a field that is not an external id', async () => {
    await expect(store.upsert('Lead', 'Title', [lead()], partial)).rejects.toMatchObject({ errorCode: 'NOT_FOUND', httpStatus: 404 });
  });
});

describe('transaction', () => {
  it('should commit nested calls together and roll all of them back when fn throws', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sobj_account');
    await expect(
      store.transaction(async () => {
        await store.insert('Account', [{ Name: 'Tx One' }], partial);
        await store.insert('Account', [{ Name: 'Tx Two' }], partial);
        throw new Error('convert failed');
      })
    ).rejects.toThrow('convert failed');
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sobj_account');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const ids = await store.transaction(async () => {
      const [a] = await store.insert('Account', [{ Name: 'Tx Three' }], partial);
      const [c] = await store.insert('Contact', [{ LastName: 'Tx', AccountId: a?.id }], partial);
      return [a?.id, c?.id];
    });
    expect(await store.retrieve('Contact', ids[1] ?? '', ['AccountId'])).toEqual({ AccountId: ids[0] });
  });
});

describe('bulk writes', () => {
  it('should insert and upsert a few thousand rows per call with batched SQL', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => lead({ Ext_Key__c: `bulk-${i}`, Email: `bulk${i}@example.com`, Score__c: i % 100 }));
    const started = Date.now();
    const inserted = await store.insert('Lead', rows, partial);
    const insertMs = Date.now() - started;
    expect(inserted.every((r) => r.success)).toBe(true);
    const upserted = await store.upsert('Lead', 'Ext_Key__c', rows.map((r) => ({ Ext_Key__c: r.Ext_Key__c, Title: 'bulk' })), partial);
    expect(upserted.every((r) => r.success && r.created === false)).toBe(true);
    const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sobj_lead WHERE title = 'bulk'`);
    expect(count.rows[0]?.n).toBe(3000);
    // Not a benchmark, a guard against per-row SQL creeping back in (that takes minutes for 3000 rows).
    expect(insertMs).toBeLessThan(20000);
  });
});
