import type { PGlite } from '@electric-sql/pglite';
import { SalesforceApiError, type QueryEngine, type Schema, type SObjectRecord } from '../core/types';
import { createQueryEngine } from './engine';
import { fakeId, openTestOrg } from './testing/fixture';
import { A1, C1, L1, L2, L3, NOW, O1, U1, seedSmallOrg } from './testing/seed';

const V = '62.0';

let db: PGlite;
let schema: Schema;
let engine: QueryEngine;

beforeAll(async () => {
  ({ db, schema } = await openTestOrg());
  await seedSmallOrg(db, schema);
  engine = createQueryEngine({ db, schema, now: () => NOW });
});

afterAll(async () => {
  await db.close();
});

async function query(soql: string, includeDeleted = false) {
  return engine.query(soql, { includeDeleted, apiVersion: V });
}

async function lastNames(soql: string): Promise<string[]> {
  const page = await query(soql);
  return page.records.map((r) => r.LastName as string);
}

async function errorOf(soql: string): Promise<SalesforceApiError> {
  try {
    await query(soql);
  } catch (err) {
    if (err instanceof SalesforceApiError) return err;
    throw err;
  }
  throw new Error(`expected ${soql} to fail`);
}

describe('field lists and record shape', () => {
  it('should return canonical field names, attributes with the 18-char id url, and totalSize/done', async () => {
    const page = await query(
      `select id, lastname, BUDGET_AMOUNT__C, budget_confirmed__c, createddate, expected_purchase_date__c from lead where id = '${L1}'`
    );
    expect(page).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${L1}` },
          Id: L1,
          LastName: 'Lovelace',
          Budget_Amount__c: 15000,
          Budget_Confirmed__c: true,
          CreatedDate: '2024-06-14T10:00:00.000+0000',
          Expected_Purchase_Date__c: '2024-06-20'
        }
      ]
    });
  });

  it('should keep attributes.url even when Id is not selected', async () => {
    const page = await query(`SELECT LastName FROM Lead WHERE Id = '${L2}'`);
    expect(page.records[0]).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${L2}` },
      LastName: "O'Brien"
    });
  });

  it('should render parent relationships as nested records and null parents as null', async () => {
    const page = await query(
      `SELECT Id, Owner.Name, Owner.Email, ConvertedOpportunity.StageName, ConvertedOpportunity.Account.Name FROM Lead WHERE Id IN ('${L1}', '${L3}') ORDER BY LastName`
    );
    expect(page.records[0]).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${L1}` },
      Id: L1,
      Owner: {
        attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${U1}` },
        Name: 'Ada Admin',
        Email: 'admin@leadflow.local'
      },
      ConvertedOpportunity: null
    });
    expect(page.records[1]?.ConvertedOpportunity).toEqual({
      attributes: { type: 'Opportunity', url: `/services/data/v62.0/sobjects/Opportunity/${O1}` },
      StageName: 'Prospecting',
      Account: {
        attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${A1}` },
        Name: 'Acme'
      }
    });
  });

  it('should resolve custom relationships (__r) and polymorphic Who through Lead and Contact', async () => {
    const fsc = await query(`SELECT Name, Lead__r.Email FROM Funnel_Stage_Change__c ORDER BY Name LIMIT 1`);
    expect(fsc.records[0]?.Lead__r).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${L1}` },
      Email: 'ada@acme.com'
    });
    const tasks = await query(`SELECT Subject, Who.Name FROM Task ORDER BY Subject`);
    expect(tasks.records.map((r) => r.Who)).toEqual([
      { attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${L1}` }, Name: 'Ada Lovelace' },
      {
        attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${C1}` },
        Name: 'Carl Contact'
      }
    ]);
  });

  it('should return child subqueries as nested results and null when empty', async () => {
    const page = await query(
      `SELECT Name, (SELECT StageName, Amount FROM OpportunityHistories ORDER BY CreatedDate DESC) FROM Opportunity ORDER BY Name`
    );
    const acme = page.records[0] as SObjectRecord;
    expect(acme.OpportunityHistories).toEqual({
      totalSize: 2,
      done: true,
      records: [
        {
          attributes: {
            type: 'OpportunityHistory',
            url: `/services/data/v62.0/sobjects/OpportunityHistory/${fakeId('008', 2)}`
          },
          StageName: 'Qualification',
          Amount: 5000
        },
        {
          attributes: {
            type: 'OpportunityHistory',
            url: `/services/data/v62.0/sobjects/OpportunityHistory/${fakeId('008', 1)}`
          },
          StageName: 'Prospecting',
          Amount: 4000
        }
      ]
    });
    expect(page.records[1]?.OpportunityHistories).toBeNull();
  });

  it.each([
    [
      'FIELDS(STANDARD)',
      'SELECT FIELDS(STANDARD) FROM Lead LIMIT 1',
      ['Id', 'IsDeleted', 'CreatedDate', 'Company'],
      ['Budget_Amount__c']
    ],
    [
      'FIELDS(CUSTOM)',
      'SELECT FIELDS(CUSTOM) FROM Lead LIMIT 200',
      ['Budget_Amount__c', 'Interests__c'],
      ['Company']
    ],
    [
      'FIELDS(ALL) with a parent field',
      'SELECT FIELDS(ALL), Owner.Name FROM Lead LIMIT 5',
      ['Company', 'Budget_Amount__c', 'Owner'],
      []
    ]
  ])('should expand %s', async (_name, soql, present, absent) => {
    const [record] = (await query(soql)).records;
    for (const key of present) expect(record).toHaveProperty(key);
    for (const key of absent) expect(record).not.toHaveProperty(key);
  });

  it('should apply a child subquery LIMIT per parent', async () => {
    const page = await query(
      `SELECT Id, (SELECT To_Stage__c FROM Funnel_Stage_Changes__r ORDER BY Entered_At__c DESC LIMIT 1) FROM Lead WHERE Id = '${L1}'`
    );
    expect(
      (page.records[0]?.Funnel_Stage_Changes__r as { records: SObjectRecord[] }).records.map(
        (r) => r.To_Stage__c
      )
    ).toEqual(['SQL']);
  });
});

describe('WHERE', () => {
  it.each([
    [
      '= is case-insensitive for strings',
      `SELECT LastName FROM Lead WHERE LastName = 'LOVELACE'`,
      ['Lovelace']
    ],
    [
      '!= includes nulls (SOQL null semantics)',
      `SELECT LastName FROM Lead WHERE Status != 'Open' ORDER BY LastName`,
      ['Null Fields', "O'Brien", 'Under_score%']
    ],
    [
      '<> is !=',
      `SELECT LastName FROM Lead WHERE Status <> 'Open' AND Status <> 'Working' ORDER BY LastName`,
      ['Null Fields', 'Under_score%']
    ],
    ['= null', `SELECT LastName FROM Lead WHERE Status = null`, ['Null Fields']],
    ["= '' means null", `SELECT LastName FROM Lead WHERE Status = ''`, ['Null Fields']],
    [
      "!= '' means not null",
      `SELECT LastName FROM Lead WHERE Total_Score__c != null AND Email != ''`,
      ['Lovelace']
    ],
    [
      '!= null',
      `SELECT LastName FROM Lead WHERE Total_Score__c != null ORDER BY Total_Score__c`,
      ["O'Brien", 'Lovelace']
    ],
    [
      'numbers with < <= > >=',
      `SELECT LastName FROM Lead WHERE Budget_Amount__c >= 5000 AND Budget_Amount__c < 15000.5`,
      ["O'Brien", 'Lovelace'].slice(0, 2).sort()
    ],
    ['booleans', `SELECT LastName FROM Lead WHERE Budget_Confirmed__c = false`, ["O'Brien"]],
    [
      'AND/OR with parentheses',
      `SELECT LastName FROM Lead WHERE (Status = 'Open' OR Status = 'Working') AND Total_Score__c > 50`,
      ['Lovelace']
    ],
    [
      'NOT with parentheses includes nulls',
      `SELECT LastName FROM Lead WHERE NOT (Status = 'Open') ORDER BY LastName`,
      ['Null Fields', "O'Brien", 'Under_score%']
    ],
    [
      'IN list',
      `SELECT LastName FROM Lead WHERE Status IN ('open', 'WORKING') ORDER BY LastName`,
      ['Lovelace', "O'Brien"]
    ],
    [
      'NOT IN list includes nulls',
      `SELECT LastName FROM Lead WHERE Status NOT IN ('Open', 'Working') ORDER BY LastName`,
      ['Null Fields', 'Under_score%']
    ],
    ['LIKE with % (case-insensitive)', `SELECT LastName FROM Lead WHERE Company LIKE 'ac%'`, ['Lovelace']],
    ['LIKE with _', `SELECT LastName FROM Lead WHERE LastName LIKE 'G_ne'`, []],
    [
      'LIKE with escaped \\_ and \\%',
      `SELECT LastName FROM Lead WHERE LastName LIKE 'Under\\_score\\%'`,
      ['Under_score%']
    ],
    [
      'LIKE escaped _ does not match other chars',
      `SELECT LastName FROM Lead WHERE LastName LIKE 'Lovelac\\_'`,
      []
    ],
    [
      '% and _ are literal outside LIKE',
      `SELECT LastName FROM Lead WHERE LastName IN ('Under_score%', 'Under_score_', 'Lovelac_')`,
      ['Under_score%']
    ],
    [
      'quoted string with escaped quote',
      `SELECT LastName FROM Lead WHERE Company = 'O\\'Brien & Co'`,
      ["O'Brien"]
    ],
    ['escaped backslash', `SELECT LastName FROM Lead WHERE Company = 'C:\\\\path'`, ['Under_score%']],
    [
      'LIKE with escaped backslash',
      `SELECT LastName FROM Lead WHERE Company LIKE 'C:\\\\%'`,
      ['Under_score%']
    ],
    [
      'INCLUDES (any of, ; means all of)',
      `SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('analytics;platform', 'Nope') ORDER BY LastName`,
      ['Lovelace']
    ],
    [
      'INCLUDES any',
      `SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Services', 'Platform') ORDER BY LastName`,
      ['Lovelace', "O'Brien"]
    ],
    [
      'EXCLUDES includes nulls',
      `SELECT LastName FROM Lead WHERE Interests__c EXCLUDES ('Platform') ORDER BY LastName`,
      ['Null Fields', "O'Brien", 'Under_score%']
    ],
    [
      'semi-join',
      `SELECT LastName FROM Lead WHERE Id IN (SELECT Lead__c FROM Funnel_Stage_Change__c WHERE To_Stage__c = 'SQL')`,
      ['Lovelace']
    ],
    [
      'anti-join',
      `SELECT LastName FROM Lead WHERE Id NOT IN (SELECT Lead__c FROM Funnel_Stage_Change__c) ORDER BY LastName`,
      ['Null Fields', "O'Brien", 'Under_score%']
    ],
    ['parent field in WHERE', `SELECT LastName FROM Lead WHERE Owner.Name = 'bob rep'`, ["O'Brien"]],
    ['15-char id', `SELECT LastName FROM Lead WHERE Id = '${L2.slice(0, 15)}'`, ["O'Brien"]],
    [
      'reference field = id',
      `SELECT LastName FROM Lead WHERE ConvertedOpportunityId = '${O1}'`,
      ['Under_score%']
    ],
    [
      'converted leads are included in query',
      `SELECT LastName FROM Lead WHERE IsConverted = true`,
      ['Under_score%']
    ],
    [
      'date literal value',
      `SELECT LastName FROM Lead WHERE Expected_Purchase_Date__c > 2024-06-19`,
      ['Lovelace']
    ],
    [
      'datetime with Z',
      `SELECT LastName FROM Lead WHERE CreatedDate >= 2024-06-10T08:30:00Z ORDER BY LastName`,
      ['Lovelace', "O'Brien"]
    ],
    [
      'datetime with offset',
      `SELECT LastName FROM Lead WHERE CreatedDate = 2024-06-10T10:30:00+02:00`,
      ["O'Brien"]
    ],
    ['DAY_ONLY in WHERE', `SELECT LastName FROM Lead WHERE DAY_ONLY(CreatedDate) = 2024-06-14`, ['Lovelace']],
    [
      'CALENDAR_YEAR in WHERE',
      `SELECT LastName FROM Lead WHERE CALENDAR_YEAR(CreatedDate) = 2023`,
      ['Null Fields']
    ],
    ['object alias prefix', `SELECT l.LastName FROM Lead l WHERE l.LastName = 'Lovelace'`, ['Lovelace']]
  ])('should support %s', async (_name, soql, expected) => {
    expect((await lastNames(soql)).sort()).toEqual([...expected].sort());
  });

  it('should never splice values into SQL (injection attempts are plain values)', async () => {
    expect(await lastNames(`SELECT LastName FROM Lead WHERE LastName = 'x\\' OR 1=1 --'`)).toEqual([]);
    expect(
      await lastNames(`SELECT LastName FROM Lead WHERE LastName = '\\'; DROP TABLE sobj_lead; --'`)
    ).toEqual([]);
    expect(await lastNames(`SELECT LastName FROM Lead WHERE LastName IN ('a\\'), (\\'b')`)).toEqual([]);
    expect((await query('SELECT COUNT() FROM Lead')).totalSize).toBe(4);
  });
});

describe('date literals with a fixed clock (2024-06-15T12:00Z, Saturday)', () => {
  it.each([
    ['TODAY', `CreatedDate = TODAY`, []],
    ['YESTERDAY', `CreatedDate = YESTERDAY`, ['Lovelace']],
    ['TOMORROW on a date field', `Expected_Purchase_Date__c = TOMORROW`, []],
    ['LAST_N_DAYS:5', `CreatedDate = LAST_N_DAYS:5`, ['Lovelace', "O'Brien"]],
    ['LAST_N_DAYS:1', `CreatedDate = LAST_N_DAYS:1`, ['Lovelace']],
    ['NEXT_N_DAYS:5 on a date field', `Expected_Purchase_Date__c = NEXT_N_DAYS:5`, ['Lovelace']],
    ['THIS_WEEK (Sunday 9th .. Saturday 15th)', `CreatedDate = THIS_WEEK`, ['Lovelace', "O'Brien"]],
    ['LAST_WEEK', `CreatedDate = LAST_WEEK`, []],
    ['THIS_MONTH', `CreatedDate = THIS_MONTH`, ['Lovelace', "O'Brien"]],
    ['LAST_MONTH', `CreatedDate = LAST_MONTH`, ['Under_score%']],
    ['NEXT_MONTH', `CreatedDate = NEXT_MONTH`, []],
    ['THIS_QUARTER', `CreatedDate = THIS_QUARTER`, ['Lovelace', "O'Brien", 'Under_score%']],
    ['LAST_QUARTER', `CreatedDate = LAST_QUARTER`, []],
    ['THIS_YEAR', `CreatedDate = THIS_YEAR`, ['Lovelace', "O'Brien", 'Under_score%']],
    ['LAST_YEAR', `CreatedDate = LAST_YEAR`, ['Null Fields']],
    ['LAST_90_DAYS', `CreatedDate = LAST_90_DAYS`, ['Lovelace', "O'Brien", 'Under_score%']],
    ['N_DAYS_AGO:5', `CreatedDate = N_DAYS_AGO:5`, ["O'Brien"]],
    ['N_MONTHS_AGO:1', `CreatedDate = N_MONTHS_AGO:1`, ['Under_score%']],
    ['< THIS_MONTH', `CreatedDate < THIS_MONTH`, ['Null Fields', 'Under_score%']],
    ['> LAST_YEAR', `CreatedDate > LAST_YEAR`, ['Lovelace', "O'Brien", 'Under_score%']],
    ['!= THIS_MONTH', `CreatedDate != THIS_MONTH`, ['Null Fields', 'Under_score%']]
  ])('should support %s', async (_name, where, expected) => {
    expect((await lastNames(`SELECT LastName FROM Lead WHERE ${where}`)).sort()).toEqual(
      [...expected].sort()
    );
  });
});

describe('ORDER BY, LIMIT, OFFSET', () => {
  it.each([
    [
      'ASC puts nulls first',
      `SELECT LastName FROM Lead ORDER BY Total_Score__c`,
      ['Under_score%', 'Null Fields', "O'Brien", 'Lovelace']
    ],
    [
      'DESC puts nulls last',
      `SELECT LastName FROM Lead ORDER BY Total_Score__c DESC`,
      ['Lovelace', "O'Brien", 'Under_score%', 'Null Fields']
    ],
    [
      'NULLS LAST',
      `SELECT LastName FROM Lead ORDER BY Total_Score__c ASC NULLS LAST, LastName`,
      ["O'Brien", 'Lovelace', 'Null Fields', 'Under_score%']
    ],
    [
      'multiple fields',
      `SELECT LastName FROM Lead ORDER BY Status DESC, LastName ASC`,
      ["O'Brien", 'Lovelace', 'Under_score%', 'Null Fields']
    ],
    [
      'case-insensitive text order',
      `SELECT LastName FROM Lead ORDER BY LastName LIMIT 2`,
      ['Lovelace', 'Null Fields']
    ],
    [
      'parent field',
      `SELECT LastName FROM Lead WHERE OwnerId != null ORDER BY Owner.Name DESC, LastName`,
      ["O'Brien", 'Lovelace', 'Under_score%']
    ],
    [
      'LIMIT and OFFSET',
      `SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1`,
      ['Null Fields', "O'Brien"]
    ]
  ])('should support %s', async (_name, soql, expected) => {
    expect(await lastNames(soql)).toEqual(expected);
  });

  it('should refuse OFFSET above 2000 like Salesforce', async () => {
    const err = await errorOf('SELECT Id FROM Lead LIMIT 10 OFFSET 2001');
    expect(err.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });
});

describe('queryAll', () => {
  it('should exclude deleted rows from query and include them in queryAll', async () => {
    expect((await query(`SELECT Id FROM Lead WHERE LastName = 'Gone'`)).totalSize).toBe(0);
    expect((await query(`SELECT Id FROM Lead WHERE LastName = 'Gone'`, true)).totalSize).toBe(1);
  });
});

describe('clauses accepted and ignored', () => {
  it.each([
    'FOR UPDATE',
    'FOR VIEW',
    'FOR REFERENCE',
    'WITH SECURITY_ENFORCED',
    'WITH USER_MODE',
    'WITH SYSTEM_MODE'
  ])('should accept %s', async (clause) => {
    const soql = clause.startsWith('FOR')
      ? `SELECT Id FROM Lead WHERE LastName = 'Lovelace' ${clause}`
      : `SELECT Id FROM Lead ${clause} WHERE LastName = 'Lovelace'`;
    expect((await query(soql.replace(/ WITH (\w+) WHERE (.*)$/, ' WHERE $2 WITH $1'))).totalSize).toBe(1);
  });
});

describe('errors', () => {
  it('should report an unknown field as INVALID_FIELD with the caret block', async () => {
    const err = await errorOf('SELECT Foo FROM Lead');
    expect(err.errorCode).toBe('INVALID_FIELD');
    expect(err.message).toBe(
      "\nSELECT Foo FROM Lead\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
  });

  it.each([
    ['unknown object', 'SELECT Id FROM Nope__c', 'INVALID_TYPE', "sObject type 'Nope__c' is not supported."],
    [
      'unknown field in WHERE',
      "SELECT Id FROM Lead WHERE Bogus = 'x'",
      'INVALID_FIELD',
      "No such column 'Bogus' on entity 'Lead'"
    ],
    [
      'unknown parent field',
      'SELECT Owner.Bogus FROM Lead',
      'INVALID_FIELD',
      "No such column 'Bogus' on entity 'User'"
    ],
    [
      'unknown relationship',
      'SELECT Foo__r.Name FROM Lead',
      'INVALID_FIELD',
      "Didn't understand relationship 'Foo__r' in field path"
    ],
    [
      'unknown child relationship',
      'SELECT Id, (SELECT Id FROM Nopes) FROM Lead',
      'INVALID_TYPE',
      "Didn't understand relationship 'Nopes' in FROM part of query call"
    ],
    ['syntax error', 'SELECT Id FRM Lead', 'MALFORMED_QUERY', "unexpected token: 'Lead'"],
    ['missing object', 'SELECT Id FROM', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    [
      'mixed AND/OR without parentheses',
      "SELECT Id FROM Lead WHERE Status = 'a' AND Status = 'b' OR Status = 'c'",
      'MALFORMED_QUERY',
      "unexpected token: 'OR'"
    ],
    [
      'string field with a number',
      'SELECT Id FROM Lead WHERE LastName = 5',
      'INVALID_QUERY_FILTER_OPERATOR',
      "value of filter criterion for field 'LastName' must be of type string and should be enclosed in quotes"
    ],
    [
      'number field with a string',
      "SELECT Id FROM Lead WHERE Total_Score__c = '5'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'must be of type number and should not be enclosed in quotes'
    ],
    [
      'datetime field with a date',
      'SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01',
      'INVALID_QUERY_FILTER_OPERATOR',
      'must be of type dateTime'
    ],
    [
      'bad id',
      "SELECT Id FROM Lead WHERE Id = 'abc'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid ID field: abc'
    ],
    [
      'INCLUDES on a non-multipicklist',
      "SELECT Id FROM Lead WHERE Status INCLUDES ('a')",
      'INVALID_QUERY_FILTER_OPERATOR',
      'multi-select picklists'
    ],
    [
      'TYPEOF',
      'SELECT TYPEOF Who WHEN Lead THEN Name END FROM Task',
      'MALFORMED_QUERY',
      'TYPEOF is not supported'
    ],
    [
      'FIELDS(ALL) without LIMIT',
      'SELECT FIELDS(ALL) FROM Lead',
      'MALFORMED_QUERY',
      'The SOQL FIELDS function must have a LIMIT of at most 200'
    ],
    [
      'toLabel',
      'SELECT toLabel(Status) FROM Lead',
      'MALFORMED_QUERY',
      'The function toLabel() is not supported'
    ],
    [
      'polymorphic path deeper than one level',
      'SELECT Who.Account.Name FROM Task',
      'MALFORMED_QUERY',
      'polymorphic'
    ],
    [
      'ungrouped field',
      'SELECT Status, COUNT(Id) FROM Lead',
      'MALFORMED_QUERY',
      'Field must be grouped or aggregated: Status'
    ],
    ['bind variable', 'SELECT Id FROM Lead WHERE Name = :name', 'MALFORMED_QUERY', "unexpected token: ':'"]
  ])('should refuse %s', async (_name, soql, code, message) => {
    const err = await errorOf(soql);
    expect(err.errorCode).toBe(code);
    expect(err.message).toContain(message);
  });
});
