import type { PGlite } from '@electric-sql/pglite';
import { SalesforceApiError, type QueryEngine, type Schema } from '../core/types';
import { createQueryEngine } from './engine';
import { openTestOrg } from './testing/fixture';
import { L1, NOW, seedSmallOrg } from './testing/seed';

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

const agg = (fields: Record<string, unknown>) => ({ attributes: { type: 'AggregateResult' }, ...fields });

async function records(soql: string) {
  const page = await engine.query(soql, { includeDeleted: false, apiVersion: V });
  expect(page.done).toBe(true);
  expect(page.totalSize).toBe(page.records.length);
  return page.records;
}

describe('COUNT()', () => {
  it.each([
    ['all live rows', 'SELECT COUNT() FROM Lead', 4],
    ['with WHERE', "SELECT COUNT() FROM Lead WHERE Status = 'Open'", 1],
    ['with LIMIT', 'SELECT COUNT() FROM Lead LIMIT 2', 2]
  ])('should return only totalSize for %s', async (_name, soql, expected) => {
    expect(await engine.query(soql, { includeDeleted: false, apiVersion: V })).toEqual({
      totalSize: expected,
      done: true,
      records: []
    });
  });

  it('should count deleted rows in queryAll', async () => {
    expect(
      (await engine.query('SELECT COUNT() FROM Lead', { includeDeleted: true, apiVersion: V })).totalSize
    ).toBe(5);
  });
});

describe('aggregate functions', () => {
  it.each([
    ['COUNT(Id) as expr0', 'SELECT COUNT(Id) FROM Lead', [agg({ expr0: 4 })]],
    ['COUNT(field) skips nulls', 'SELECT COUNT(Total_Score__c) FROM Lead', [agg({ expr0: 2 })]],
    ['COUNT_DISTINCT', 'SELECT COUNT_DISTINCT(OwnerId) FROM Lead', [agg({ expr0: 2 })]],
    [
      'SUM, AVG, MIN, MAX numbered in order',
      'SELECT SUM(Budget_Amount__c), AVG(Total_Score__c), MIN(Budget_Amount__c), MAX(Total_Score__c) FROM Lead',
      [agg({ expr0: 20000, expr1: 60, expr2: 5000, expr3: 80 })]
    ],
    [
      'aliases do not consume expr numbers',
      'SELECT COUNT(Id) total, MAX(CreatedDate) FROM Lead',
      [agg({ total: 4, expr0: '2024-06-14T10:00:00.000+0000' })]
    ],
    [
      'MIN of a date',
      'SELECT MIN(Expected_Purchase_Date__c) earliest FROM Lead',
      [agg({ earliest: '2024-06-20' })]
    ],
    ['MIN of a string', 'SELECT MIN(LastName) lowest FROM Lead', [agg({ lowest: 'Lovelace' })]],
    [
      'GROUP BY a field with ORDER BY the aggregate',
      'SELECT OwnerId, COUNT(Id) n FROM Lead WHERE OwnerId != null GROUP BY OwnerId ORDER BY COUNT(Id) DESC',
      [
        agg({ OwnerId: expect.stringMatching(/^005/), n: 2 }),
        agg({ OwnerId: expect.stringMatching(/^005/), n: 1 })
      ]
    ],
    [
      'GROUP BY a parent field (named by its field name)',
      'SELECT Owner.Name, SUM(Budget_Amount__c) budget FROM Lead WHERE OwnerId != null GROUP BY Owner.Name ORDER BY Owner.Name',
      [agg({ Name: 'Ada Admin', budget: 15000 }), agg({ Name: 'Bob Rep', budget: 5000 })]
    ],
    [
      'GROUP BY CALENDAR_YEAR and CALENDAR_MONTH',
      'SELECT CALENDAR_YEAR(CreatedDate), CALENDAR_MONTH(CreatedDate), COUNT(Id) FROM Lead GROUP BY CALENDAR_YEAR(CreatedDate), CALENDAR_MONTH(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate), CALENDAR_MONTH(CreatedDate)',
      [
        agg({ expr0: 2023, expr1: 12, expr2: 1 }),
        agg({ expr0: 2024, expr1: 5, expr2: 1 }),
        agg({ expr0: 2024, expr1: 6, expr2: 2 })
      ]
    ],
    [
      'GROUP BY CALENDAR_QUARTER',
      'SELECT CALENDAR_QUARTER(CreatedDate) q, COUNT(Id) n FROM Lead GROUP BY CALENDAR_QUARTER(CreatedDate) ORDER BY CALENDAR_QUARTER(CreatedDate)',
      [agg({ q: 2, n: 3 }), agg({ q: 4, n: 1 })]
    ],
    [
      'GROUP BY DAY_ONLY',
      'SELECT DAY_ONLY(CreatedDate) day, COUNT(Id) n FROM Lead WHERE CreatedDate = THIS_MONTH GROUP BY DAY_ONLY(CreatedDate) ORDER BY DAY_ONLY(CreatedDate) DESC',
      [agg({ day: '2024-06-14', n: 1 }), agg({ day: '2024-06-10', n: 1 })]
    ],
    [
      'HAVING on an aggregate',
      'SELECT OwnerId, COUNT(Id) n FROM Lead GROUP BY OwnerId HAVING COUNT(Id) > 1',
      [agg({ OwnerId: expect.stringMatching(/^005/), n: 2 })]
    ],
    [
      'HAVING on a grouped field with AND',
      "SELECT Status, COUNT(Id) n FROM Lead GROUP BY Status HAVING COUNT(Id) >= 1 AND Status = 'open'",
      [agg({ Status: 'Open', n: 1 })]
    ],
    [
      'GROUP BY with null group',
      'SELECT Status, COUNT(Id) n FROM Lead WHERE Status = null GROUP BY Status',
      [agg({ Status: null, n: 1 })]
    ],
    [
      'aggregate over no rows',
      "SELECT SUM(Budget_Amount__c) s, COUNT(Id) n FROM Lead WHERE LastName = 'nobody'",
      [agg({ s: null, n: 0 })]
    ]
  ])('should support %s', async (_name, soql, expected) => {
    expect(await records(soql)).toEqual(expected);
  });

  it.each([
    ['SUM of a text field', 'SELECT SUM(LastName) FROM Lead', 'does not support aggregate operator SUM'],
    ['COUNT() with other fields', 'SELECT COUNT(), Status FROM Lead', 'COUNT() must be the only element'],
    [
      'subquery in an aggregate query',
      'SELECT COUNT(Id), (SELECT Id FROM Tasks) FROM Lead',
      'not allowed in aggregate queries'
    ],
    [
      'GROUP BY ROLLUP',
      'SELECT Status, COUNT(Id) FROM Lead GROUP BY ROLLUP(Status)',
      'GROUP BY ROLLUP is not supported'
    ]
  ])('should refuse %s with MALFORMED_QUERY', async (_name, soql, message) => {
    const err = await engine.query(soql, { includeDeleted: false, apiVersion: V }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceApiError);
    expect(err).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    expect((err as Error).message).toContain(message);
  });
});

describe('columns (?columns=true)', () => {
  const column = (over: Record<string, unknown>) => ({
    aggregate: false,
    apexType: null,
    booleanType: false,
    custom: false,
    foreignKeyName: null,
    insertable: false,
    joinColumns: [],
    numberType: false,
    textType: false,
    updatable: false,
    ...over
  });

  it('should describe plain, parent and subquery columns like plugin-data expects', async () => {
    const meta = await engine.columns(
      'SELECT Id, LastName, Budget_Confirmed__c, Owner.Name, Owner.Email, (SELECT Subject FROM Tasks) FROM Lead'
    );
    expect(meta).toEqual({
      entityName: 'Lead',
      groupBy: false,
      idSelected: true,
      keyPrefix: '00Q',
      columnMetadata: [
        column({ apexType: 'Id', columnName: 'Id', displayName: 'Id', insertable: true, updatable: true }),
        column({
          apexType: 'String',
          columnName: 'LastName',
          displayName: 'LastName',
          textType: true,
          insertable: true,
          updatable: true
        }),
        column({
          apexType: 'Boolean',
          columnName: 'Budget_Confirmed__c',
          displayName: 'Budget_Confirmed__c',
          booleanType: true,
          custom: true,
          insertable: true,
          updatable: true
        }),
        column({
          columnName: 'Owner',
          displayName: 'Owner',
          foreignKeyName: 'OwnerId',
          joinColumns: [
            column({
              apexType: 'String',
              columnName: 'Name',
              displayName: 'Name',
              textType: true,
              insertable: true,
              updatable: true
            }),
            column({
              apexType: 'String',
              columnName: 'Email',
              displayName: 'Email',
              textType: true,
              insertable: true,
              updatable: true
            })
          ]
        }),
        column({
          aggregate: true,
          columnName: 'Tasks',
          displayName: 'Tasks',
          joinColumns: [
            column({
              apexType: 'String',
              columnName: 'Subject',
              displayName: 'Subject',
              textType: true,
              insertable: true,
              updatable: true
            })
          ]
        })
      ]
    });
  });

  it('should describe aggregate columns as exprN with a lower-case displayName', async () => {
    const meta = await engine.columns('SELECT Status, AVG(Total_Score__c) FROM Lead GROUP BY Status');
    expect(meta.groupBy).toBe(true);
    expect(meta.idSelected).toBe(false);
    expect(meta.columnMetadata[1]).toEqual(
      column({ aggregate: true, columnName: 'expr0', displayName: 'avg(Total_Score__c)', numberType: true })
    );
  });
});

describe('queryAllRows (Bulk 2.0 query)', () => {
  it('should return every row flattened, dotted parent columns, string values', async () => {
    const result = await engine.queryAllRows(
      'SELECT Id, LastName, Owner.Name, Budget_Amount__c, Budget_Confirmed__c, CreatedDate FROM Lead WHERE OwnerId != null ORDER BY LastName',
      { includeDeleted: false }
    );
    expect(result.columns).toEqual([
      'Id',
      'LastName',
      'Owner.Name',
      'Budget_Amount__c',
      'Budget_Confirmed__c',
      'CreatedDate'
    ]);
    expect(result.rows).toHaveLength(3);
    expect(result.rows[0]).toEqual([
      L1,
      'Lovelace',
      'Ada Admin',
      '15000',
      'true',
      '2024-06-14T10:00:00.000Z'
    ]);
    expect(result.rows[2]?.[3]).toBeNull();
  });

  it('should include deleted rows when asked (queryAll job)', async () => {
    const live = await engine.queryAllRows('SELECT Id FROM Lead', { includeDeleted: false });
    const all = await engine.queryAllRows('SELECT Id FROM Lead', { includeDeleted: true });
    expect([live.rows.length, all.rows.length]).toEqual([4, 5]);
  });

  it.each([
    ['aggregates', 'SELECT COUNT(Id) FROM Lead'],
    ['subqueries', 'SELECT Id, (SELECT Id FROM Tasks) FROM Lead']
  ])('should refuse %s', async (_name, soql) => {
    await expect(engine.queryAllRows(soql, { includeDeleted: false })).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY'
    });
  });
});
