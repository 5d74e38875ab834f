/**
 * The engine against the real org: the package schema loaded from force-app, tables from syncTables and
 * records written through the record store (so formulas, history rows and conversions are the core's).
 */
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, syncTables } from '../core/database';
import { createRecordStore } from '../core/records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID } from '../core/reference-data';
import { loadSchema } from '../core/schema';
import type { QueryEngine, RecordStore, SObjectRecord } from '../core/types';
import { createQueryEngine } from './engine';

jest.setTimeout(60000);

const V = '62.0';
const NOW = new Date('2025-03-14T09:00:00Z');
const opts = { allOrNone: true, userId: ADMIN_USER_ID };

let db: PGlite;
let store: RecordStore;
let engine: QueryEngine;
const ids: Record<string, string> = {};

async function insertOne(type: string, record: SObjectRecord): Promise<string> {
  const [result] = await store.insert(type, [record], opts);
  if (!result?.success || !result.id)
    throw new Error(`insert ${type} failed: ${JSON.stringify(result?.errors)}`);
  return result.id;
}

beforeAll(async () => {
  const schema = await loadSchema();
  db = await openDatabase();
  await syncTables(db, schema);
  store = createRecordStore({
    db,
    schema,
    now: () => NOW,
    orgId: DEFAULT_ORG_ID,
    defaultUserId: ADMIN_USER_ID
  });
  engine = createQueryEngine({ db, schema, now: () => NOW });

  ids.account = await insertOne('Account', { Name: 'Acme', Website: 'https://www.acme.com' });
  ids.opportunity = await insertOne('Opportunity', {
    Name: 'Acme - Platform',
    StageName: 'Prospecting',
    CloseDate: '2025-06-30',
    AccountId: ids.account,
    Amount: 25000
  });
  ids.hot = await insertOne('Lead', {
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Company: 'Acme',
    Email: 'ada@acme.com',
    Budget_Amount__c: 15000,
    Funnel_Stage__c: 'SQL',
    Source_External_Id__c: 'hubspot:1'
  });
  ids.cold = await insertOne('Lead', { LastName: 'Cold', Company: 'Nobody', Funnel_Stage__c: 'Engaged' });
  ids.none = await insertOne('Lead', { LastName: 'Unstaged', Company: 'Nobody' });
  await store.update('Lead', [{ Id: ids.cold, Status: 'Working - Contacted', Funnel_Stage__c: 'MQL' }], opts);
  ids.fsc = await insertOne('Funnel_Stage_Change__c', {
    Lead__c: ids.hot,
    From_Stage__c: 'MQL',
    To_Stage__c: 'SQL',
    Entered_At__c: '2025-03-10T10:00:00Z'
  });
  ids.task = await insertOne('Task', { Subject: 'Call', WhoId: ids.hot, WhatId: ids.account });
});

afterAll(async () => {
  await db.close();
});

async function records(soql: string): Promise<SObjectRecord[]> {
  return (await engine.query(soql, { includeDeleted: false, apiVersion: V })).records;
}

describe('SOQL over the package schema', () => {
  it('should resolve Owner.Name through User for leads created by the admin', async () => {
    const [lead] = await records(
      `SELECT Name, Owner.Name, Budget_Amount__c FROM Lead WHERE Source_External_Id__c = 'HUBSPOT:1'`
    );
    expect(lead).toMatchObject({
      Name: 'Ada Lovelace',
      Budget_Amount__c: 15000,
      Owner: {
        attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${ADMIN_USER_ID}` },
        Name: expect.any(String)
      }
    });
  });

  it('should return LeadHistory rows written by the record layer through the Histories subquery and semi-join', async () => {
    const [lead] = await records(
      `SELECT Id, (SELECT Field, OldValue, NewValue FROM Histories ORDER BY Field) FROM Lead WHERE Id = '${ids.cold}'`
    );
    const histories = lead?.Histories as { records: SObjectRecord[] } | null;
    expect(histories?.records.map((h) => [h.Field, h.NewValue])).toEqual(
      expect.arrayContaining([
        ['Funnel_Stage__c', 'MQL'],
        ['Status', 'Working - Contacted']
      ])
    );
    const changed = await records(
      `SELECT LastName FROM Lead WHERE Id IN (SELECT LeadId FROM LeadHistory WHERE Field = 'Funnel_Stage__c')`
    );
    expect(changed.map((r) => r.LastName)).toEqual(['Cold']);
  });

  it('should resolve Lead__r on the custom object and Who/What polymorphic lookups', async () => {
    const [fsc] = await records(`SELECT Name, To_Stage__c, Lead__r.Email FROM Funnel_Stage_Change__c`);
    expect(fsc?.Name).toMatch(/^FSC-\d{7}$/);
    expect(fsc?.Lead__r).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${ids.hot}` },
      Email: 'ada@acme.com'
    });
    const [task] = await records(`SELECT Subject, Who.Name, What.Name FROM Task`);
    expect(task).toMatchObject({
      Who: { attributes: { type: 'Lead' }, Name: 'Ada Lovelace' },
      What: { attributes: { type: 'Account' }, Name: 'Acme' }
    });
  });

  it('should return opportunity history rows and parent accounts', async () => {
    const [opp] = await records(
      `SELECT Account.Name, (SELECT StageName FROM OpportunityHistories) FROM Opportunity`
    );
    expect(opp?.Account).toMatchObject({ Name: 'Acme' });
    expect(opp?.OpportunityHistories).toMatchObject({
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'OpportunityHistory' }, StageName: 'Prospecting' }]
    });
  });

  it('should sort picklists by their defined value order, not alphabetically', async () => {
    const rows = await records(`SELECT LastName, Funnel_Stage__c FROM Lead ORDER BY Funnel_Stage__c DESC`);
    // Funnel stages: Name, Engaged, Target, MQL, Recycled, SAL, SQL -> SQL after MQL even though 'M' < 'S' alphabetically
    expect(rows.map((r) => r.Funnel_Stage__c)).toEqual(['SQL', 'MQL', null]);
  });

  it('should group funnel stages', async () => {
    const rows = await records(
      `SELECT Funnel_Stage__c stage, COUNT(Id) n FROM Lead GROUP BY Funnel_Stage__c ORDER BY Funnel_Stage__c NULLS LAST`
    );
    expect(rows).toEqual([
      { attributes: { type: 'AggregateResult' }, stage: 'MQL', n: 1 },
      { attributes: { type: 'AggregateResult' }, stage: 'SQL', n: 1 },
      { attributes: { type: 'AggregateResult' }, stage: null, n: 1 }
    ]);
  });
});
