/**
 * Require_Qualification_To_Convert on the record layer of the local org, loaded from the real force-app:
 * it must refuse the save that converts an unqualified lead, and nothing else (issue 16: without
 * ISCHANGED(IsConverted) every later edit of a lead converted before the package was installed was refused).
 */
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, syncTables } from '../../emulator/core/database';
import { createRecordStore } from '../../emulator/core/records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID } from '../../emulator/core/reference-data';
import { loadSchema } from '../../emulator/core/schema';
import type { RecordStore } from '../../emulator/core/types';

jest.setTimeout(60000);

const opts = { allOrNone: false, userId: ADMIN_USER_ID };
const RULE_MESSAGE =
  'This lead cannot be converted: its required qualification criteria are not met. The missing criteria are listed in the Missing Criteria field.';
let db: PGlite;
let store: RecordStore;

beforeAll(async () => {
  const schema = await loadSchema();
  db = await openDatabase();
  await syncTables(db, schema);
  store = createRecordStore({
    db,
    schema,
    now: () => new Date('2025-02-01T12:00:00Z'),
    orgId: DEFAULT_ORG_ID,
    defaultUserId: ADMIN_USER_ID
  });
});
afterAll(async () => {
  await db?.close();
});

async function convertedLead(company: string): Promise<string> {
  const [lead] = await store.insert(
    'Lead',
    [{ LastName: 'Legacy', Company: company, Qualification_Status__c: 'Qualified' }],
    opts
  );
  const [account] = await store.insert('Account', [{ Name: company }], opts);
  const [converted] = await store.systemUpdate(
    'Lead',
    [
      {
        Id: lead?.id,
        IsConverted: true,
        Status: 'Closed - Converted',
        ConvertedDate: '2025-01-15',
        ConvertedAccountId: account?.id
      }
    ],
    opts
  );
  expect(converted?.errors).toEqual([]);
  return lead?.id as string;
}

it('should let a lead converted earlier be edited when it is not (or no longer) Qualified', async () => {
  // GIVEN a lead converted before Leadflow was installed: Qualification_Status__c is not "Qualified" afterwards
  const id = await convertedLead('Legacy Co');

  // WHEN a later save touches it (the service re-scoring, a data fix)
  const [result] = await store.systemUpdate(
    'Lead',
    [{ Id: id, Qualification_Status__c: 'Not Qualified', Need_Description__c: 'Backfilled' }],
    opts
  );

  // THEN the rule stays silent: it only guards the save that converts
  expect(result?.errors).toEqual([]);
});

it('should still refuse the conversion itself when the lead is not Qualified', async () => {
  const [lead] = await store.insert(
    'Lead',
    [{ LastName: 'Unready', Company: 'Unready Co', Qualification_Status__c: 'Not Qualified' }],
    opts
  );
  const [account] = await store.insert('Account', [{ Name: 'Unready Co' }], opts);
  const [result] = await store.systemUpdate(
    'Lead',
    [
      {
        Id: lead?.id,
        IsConverted: true,
        Status: 'Closed - Converted',
        ConvertedDate: '2025-02-01',
        ConvertedAccountId: account?.id
      }
    ],
    opts
  );
  // $Permission.Leadflow_Bypass_Conversion_Guard is false for a user without the custom permission.
  expect(result?.errors).toEqual([
    {
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: RULE_MESSAGE,
      fields: ['Missing_Criteria__c']
    }
  ]);
});
