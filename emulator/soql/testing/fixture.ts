/**
 * A small hand-built org for SOQL tests: User, Account, Contact, Lead, Opportunity, OpportunityHistory, Task,
 * Funnel_Stage_Change__c, with tables laid out as emulator/core does (sobj_<name>, lowercase columns).
 * Independent of emulator/core so the engine's tests pin its own behaviour.
 */
import { PGlite } from '@electric-sql/pglite';
import type { FieldDef, FieldType, Schema, SObjectDef } from '../../core/types';
import { toId18 } from '../ids';

type FieldSpec = [name: string, type: FieldType, extra?: Partial<FieldDef>];

function field([name, type, extra]: FieldSpec): FieldDef {
  return {
    name,
    label: name,
    type,
    soapType: 'xsd:string',
    length: type === 'textarea' ? 32768 : 255,
    precision: 0,
    scale: 0,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    unique: false,
    externalId: false,
    idLookup: false,
    calculated: false,
    custom: name.endsWith('__c'),
    caseSensitive: false,
    picklistValues: [],
    restrictedPicklist: false,
    referenceTo: [],
    relationshipName: null,
    column: name.toLowerCase(),
    ...extra
  };
}

function ref(name: string, to: string[], relationshipName: string): FieldSpec {
  return [name, 'reference', { referenceTo: to, relationshipName }];
}

const SYSTEM: FieldSpec[] = [
  ['Id', 'id'],
  ['IsDeleted', 'boolean'],
  ['CreatedDate', 'datetime'],
  ['LastModifiedDate', 'datetime'],
  ['SystemModstamp', 'datetime'],
  ref('CreatedById', ['User'], 'CreatedBy'),
  ref('LastModifiedById', ['User'], 'LastModifiedBy')
];

const OBJECTS: Array<{ name: string; keyPrefix: string; fields: FieldSpec[] }> = [
  {
    name: 'User',
    keyPrefix: '005',
    fields: [
      ['Name', 'string'],
      ['Email', 'email'],
      ['IsActive', 'boolean']
    ]
  },
  {
    name: 'Account',
    keyPrefix: '001',
    fields: [
      ['Name', 'string'],
      ['Industry', 'picklist'],
      ['NumberOfEmployees', 'int'],
      ref('OwnerId', ['Group', 'User'], 'Owner')
    ]
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    fields: [
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Name', 'string'],
      ['Email', 'email'],
      ref('AccountId', ['Account'], 'Account'),
      ref('OwnerId', ['Group', 'User'], 'Owner')
    ]
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    fields: [
      ['Name', 'string'],
      ['StageName', 'picklist'],
      ['Amount', 'currency'],
      ['CloseDate', 'date'],
      ref('AccountId', ['Account'], 'Account'),
      ref('OwnerId', ['Group', 'User'], 'Owner')
    ]
  },
  {
    name: 'Lead',
    keyPrefix: '00Q',
    fields: [
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['Name', 'string'],
      ['Company', 'string'],
      ['Email', 'email'],
      ['Status', 'picklist'],
      ['IsConverted', 'boolean'],
      ['Budget_Amount__c', 'currency'],
      ['Budget_Confirmed__c', 'boolean'],
      ['Total_Score__c', 'double'],
      ['Expected_Purchase_Date__c', 'date'],
      ['Interests__c', 'multipicklist'],
      ['Need_Description__c', 'textarea'],
      ['Source_External_Id__c', 'string', { externalId: true, unique: true }],
      ref('OwnerId', ['Group', 'User'], 'Owner'),
      ref('ConvertedOpportunityId', ['Opportunity'], 'ConvertedOpportunity'),
      ref('ConvertedAccountId', ['Account'], 'ConvertedAccount')
    ]
  },
  {
    name: 'OpportunityHistory',
    keyPrefix: '008',
    fields: [
      ref('OpportunityId', ['Opportunity'], 'Opportunity'),
      ['StageName', 'picklist'],
      ['Amount', 'currency']
    ]
  },
  {
    name: 'Task',
    keyPrefix: '00T',
    fields: [
      ['Subject', 'string'],
      ref('WhoId', ['Contact', 'Lead'], 'Who'),
      ref('WhatId', ['Account', 'Opportunity'], 'What')
    ]
  },
  {
    name: 'Funnel_Stage_Change__c',
    keyPrefix: 'a01',
    fields: [
      ['Name', 'string'],
      ref('Lead__c', ['Lead'], 'Lead__r'),
      ['To_Stage__c', 'string'],
      ['Entered_At__c', 'datetime']
    ]
  }
];

const CHILDREN: Record<string, Array<{ childSObject: string; field: string; relationshipName: string }>> = {
  Account: [
    { childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' },
    { childSObject: 'Opportunity', field: 'AccountId', relationshipName: 'Opportunities' }
  ],
  Opportunity: [
    { childSObject: 'OpportunityHistory', field: 'OpportunityId', relationshipName: 'OpportunityHistories' }
  ],
  Lead: [
    { childSObject: 'Funnel_Stage_Change__c', field: 'Lead__c', relationshipName: 'Funnel_Stage_Changes__r' },
    { childSObject: 'Task', field: 'WhoId', relationshipName: 'Tasks' }
  ]
};

function buildObject(spec: (typeof OBJECTS)[number]): SObjectDef {
  const fields = [...SYSTEM, ...spec.fields].map(field);
  return {
    name: spec.name,
    label: spec.name,
    labelPlural: `${spec.name}s`,
    keyPrefix: spec.keyPrefix,
    custom: spec.name.endsWith('__c'),
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    table: `sobj_${spec.name.toLowerCase()}`,
    fields,
    fieldMap: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
    relationshipMap: new Map(
      fields.filter((f) => f.relationshipName).map((f) => [(f.relationshipName as string).toLowerCase(), f])
    ),
    childRelationships: (CHILDREN[spec.name] ?? []).map((c) => ({ ...c, cascadeDelete: false })),
    validationRules: [],
    trackedFields: []
  };
}

export function buildTestSchema(): Schema {
  const objects = OBJECTS.map(buildObject);
  const byName = new Map(objects.map((o) => [o.name.toLowerCase(), o]));
  return {
    get: (name) => byName.get(name.toLowerCase()),
    all: () => objects,
    byKeyPrefix: (prefix) => objects.find((o) => o.keyPrefix === prefix)
  };
}

function sqlType(type: FieldType): string {
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'bigint';
    case 'double':
    case 'currency':
    case 'percent':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    default:
      return 'text';
  }
}

export async function createTables(db: PGlite, schema: Schema): Promise<void> {
  for (const obj of schema.all()) {
    const cols = obj.fields.map(
      (f) =>
        `"${f.column}" ${sqlType(f.type)}${f.name === 'Id' ? ' PRIMARY KEY' : ''}${f.name === 'IsDeleted' ? ' NOT NULL DEFAULT false' : ''}`
    );
    await db.exec(`CREATE TABLE ${obj.table} (${cols.join(', ')})`);
  }
}

let seq = 0;
/** An 18-char id with the object's key prefix (suffix computed like Salesforce's). */
export function fakeId(prefix: string, n = ++seq): string {
  const base = `${prefix}${'0'.repeat(12 - String(n).length)}${n}`;
  return toId18(base) as string;
}

export async function insert(
  db: PGlite,
  schema: Schema,
  type: string,
  rows: Array<Record<string, unknown>>
): Promise<void> {
  const obj = schema.get(type);
  if (!obj) throw new Error(`no ${type}`);
  for (const row of rows) {
    const entries = Object.entries(row).map(
      ([k, v]) => [obj.fieldMap.get(k.toLowerCase())?.column ?? k.toLowerCase(), v] as const
    );
    const cols = entries.map(([c]) => `"${c}"`).join(', ');
    const ph = entries.map((_e, i) => `$${i + 1}`).join(', ');
    await db.query(
      `INSERT INTO ${obj.table} (${cols}) VALUES (${ph})`,
      entries.map(([, v]) => v)
    );
  }
}

export async function openTestOrg(): Promise<{ db: PGlite; schema: Schema }> {
  const db = new PGlite();
  const schema = buildTestSchema();
  await createTables(db, schema);
  return { db, schema };
}
