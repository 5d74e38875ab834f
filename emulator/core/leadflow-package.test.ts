/**
 * The record layer against the project's real package (force-app): the data model in README-TEAM,
 * the conversion validation rule and the history tracking the service relies on.
 */
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, syncTables } from './database';
import { createRecordStore } from './records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID } from './reference-data';
import { loadSchema } from './schema';
import type { RecordStore } from './types';

jest.setTimeout(60000);

const opts = { allOrNone: false, userId: ADMIN_USER_ID };
let db: PGlite;
let store: RecordStore;

beforeAll(async () => {
  const schema = await loadSchema();
  db = await openDatabase();
  await syncTables(db, schema);
  store = createRecordStore({ db, schema, now: () => new Date('2025-02-01T12:00:00Z'), orgId: DEFAULT_ORG_ID, defaultUserId: ADMIN_USER_ID });
});
afterAll(async () => {
  await db.close();
});

const conversion = (accountId: string) => ({ IsConverted: true, Status: 'Closed - Converted', ConvertedDate: '2025-02-01', ConvertedAccountId: accountId });

it('should refuse to convert a lead that is not Qualified, placing the error on Missing_Criteria__c', async () => {
  const [lead] = await store.insert('Lead', [{ LastName: 'Unready', Company: 'Nope Inc', Source_External_Id__c: 'csv:1' }], opts);
  const [account] = await store.insert('Account', [{ Name: 'Nope Inc', Website_Domain__c: 'nope.example' }], opts);
  const [result] = await store.systemUpdate('Lead', [{ Id: lead?.id, ...conversion(account?.id ?? '') }], opts);
  expect(result?.errors).toEqual([
    {
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'This lead cannot be converted: its required qualification criteria are not met. The missing criteria are listed in the Missing Criteria field.',
      fields: ['Missing_Criteria__c']
    }
  ]);
});

it('should convert a Qualified lead and record Status and Funnel_Stage__c changes in LeadHistory', async () => {
  const [lead] = await store.insert('Lead', [{ LastName: 'Ready', Company: 'Yes Inc', Funnel_Stage__c: 'MQL', Budget_Amount__c: 25000 }], opts);
  const id = lead?.id ?? '';
  await store.update('Lead', [{ Id: id, Funnel_Stage__c: 'SQL', Qualification_Status__c: 'Qualified' }], opts);
  const [account] = await store.insert('Account', [{ Name: 'Yes Inc' }], opts);
  const [converted] = await store.systemUpdate('Lead', [{ Id: id, ...conversion(account?.id ?? '') }], opts);
  expect(converted?.success).toBe(true);
  const history = await db.query('SELECT field, oldvalue, newvalue FROM sobj_leadhistory WHERE leadid = $1 ORDER BY field, newvalue', [id]);
  expect(history.rows).toEqual([
    { field: 'Funnel_Stage__c', oldvalue: 'MQL', newvalue: 'SQL' },
    { field: 'Status', oldvalue: 'Open - Not Contacted', newvalue: 'Closed - Converted' },
    { field: 'created', oldvalue: null, newvalue: null }
  ]);
});

it('should number Funnel_Stage_Change__c records and enforce the unique External_Id__c', async () => {
  const results = await store.insert('Funnel_Stage_Change__c', [
    { From_Stage__c: 'Name', To_Stage__c: 'MQL', External_Id__c: 'fsc-1', Entered_At__c: '2025-01-01T00:00:00Z' },
    { From_Stage__c: 'MQL', To_Stage__c: 'SQL', External_Id__c: 'FSC-1' }
  ], opts);
  expect(results[0]?.success).toBe(true);
  expect(results[1]?.errors[0]?.statusCode).toBe('DUPLICATE_VALUE');
  expect((await store.retrieve('Funnel_Stage_Change__c', results[0]?.id ?? '', ['Name']))?.Name).toMatch(/^FSC-\d{7}$/);
});
