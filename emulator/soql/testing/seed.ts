/** The small org most SOQL tests query: a few users, accounts, opportunities, leads (one deleted, one converted), tasks. */
import type { PGlite } from '@electric-sql/pglite';
import type { Schema } from '../../core/types';
import { fakeId, insert } from './fixture';

export const NOW = new Date('2024-06-15T12:00:00Z'); // a Saturday

export const U1 = fakeId('005', 1);
export const U2 = fakeId('005', 2);
export const A1 = fakeId('001', 1);
export const A2 = fakeId('001', 2);
export const C1 = fakeId('003', 1);
export const O1 = fakeId('006', 1);
export const O2 = fakeId('006', 2);
export const L1 = fakeId('00Q', 1);
export const L2 = fakeId('00Q', 2);
export const L3 = fakeId('00Q', 3);
export const L4 = fakeId('00Q', 4);
export const L5 = fakeId('00Q', 5);

export async function seedSmallOrg(db: PGlite, schema: Schema): Promise<void> {
  await insert(db, schema, 'User', [
    { Id: U1, Name: 'Ada Admin', Email: 'admin@leadflow.local', IsActive: true },
    { Id: U2, Name: 'Bob Rep', Email: 'bob@leadflow.local', IsActive: true }
  ]);
  await insert(db, schema, 'Account', [
    { Id: A1, Name: 'Acme', Industry: 'Technology', NumberOfEmployees: 100, OwnerId: U1 },
    { Id: A2, Name: 'Globex', Industry: 'Finance', OwnerId: U2 }
  ]);
  await insert(db, schema, 'Contact', [
    { Id: C1, FirstName: 'Carl', LastName: 'Contact', Name: 'Carl Contact', AccountId: A1, OwnerId: U1 }
  ]);
  await insert(db, schema, 'Opportunity', [
    {
      Id: O1,
      Name: 'Acme deal',
      StageName: 'Prospecting',
      Amount: 5000,
      CloseDate: '2024-03-10',
      AccountId: A1,
      OwnerId: U2
    },
    {
      Id: O2,
      Name: 'Globex deal',
      StageName: 'Closed Won',
      Amount: 12000.5,
      CloseDate: '2024-05-01',
      AccountId: A2,
      OwnerId: U1
    }
  ]);
  await insert(db, schema, 'OpportunityHistory', [
    {
      Id: fakeId('008', 1),
      OpportunityId: O1,
      StageName: 'Prospecting',
      Amount: 4000,
      CreatedDate: '2024-06-01T00:00:00Z'
    },
    {
      Id: fakeId('008', 2),
      OpportunityId: O1,
      StageName: 'Qualification',
      Amount: 5000,
      CreatedDate: '2024-06-02T00:00:00Z'
    }
  ]);
  await insert(db, schema, 'Lead', [
    {
      Id: L1,
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Name: 'Ada Lovelace',
      Company: 'Acme',
      Email: 'ada@acme.com',
      Status: 'Open',
      Budget_Amount__c: 15000,
      Budget_Confirmed__c: true,
      Total_Score__c: 80,
      Interests__c: 'Platform;Analytics',
      Expected_Purchase_Date__c: '2024-06-20',
      CreatedDate: '2024-06-14T10:00:00Z',
      OwnerId: U1,
      IsConverted: false,
      Source_External_Id__c: 'hubspot:1'
    },
    {
      Id: L2,
      LastName: "O'Brien",
      Name: "O'Brien",
      Company: "O'Brien & Co",
      Status: 'Working',
      Budget_Amount__c: 5000,
      Budget_Confirmed__c: false,
      Total_Score__c: 40,
      Interests__c: 'Services',
      CreatedDate: '2024-06-10T08:30:00Z',
      OwnerId: U2,
      IsConverted: false,
      Source_External_Id__c: 'hubspot:2'
    },
    {
      Id: L3,
      LastName: 'Under_score%',
      Name: 'Under_score%',
      Company: 'C:\\path',
      Status: 'Closed - Converted',
      IsConverted: true,
      ConvertedOpportunityId: O1,
      CreatedDate: '2024-05-20T00:00:00Z',
      OwnerId: U1,
      Source_External_Id__c: 'csv:3'
    },
    {
      Id: L4,
      LastName: 'Gone',
      Name: 'Gone',
      Company: 'Deleted Inc',
      Status: 'Open',
      IsDeleted: true,
      CreatedDate: '2024-06-15T01:00:00Z',
      OwnerId: U1
    },
    {
      Id: L5,
      LastName: 'Null Fields',
      Name: 'Null Fields',
      Company: 'Nulls',
      CreatedDate: '2023-12-31T23:59:59Z'
    }
  ]);
  await insert(db, schema, 'Task', [
    { Id: fakeId('00T', 1), Subject: 'Call', WhoId: L1, WhatId: A1 },
    { Id: fakeId('00T', 2), Subject: 'Email', WhoId: C1 }
  ]);
  await insert(db, schema, 'Funnel_Stage_Change__c', [
    {
      Id: fakeId('a01', 1),
      Name: 'FSC-0000001',
      Lead__c: L1,
      To_Stage__c: 'MQL',
      Entered_At__c: '2024-06-01T00:00:00Z'
    },
    {
      Id: fakeId('a01', 2),
      Name: 'FSC-0000002',
      Lead__c: L1,
      To_Stage__c: 'SQL',
      Entered_At__c: '2024-06-05T00:00:00Z'
    }
  ]);
}
