import type { PGlite } from '@electric-sql/pglite';
import { SalesforceApiError, type QueryEngine, type Schema } from '../core/types';
import { createQueryEngine, effectiveBatchSize } from './engine';
import { openTestOrg } from './testing/fixture';

const V = '62.0';
let db: PGlite;
let schema: Schema;
let engine: QueryEngine;
let clock = new Date('2024-06-15T12:00:00Z');

beforeAll(async () => {
  ({ db, schema } = await openTestOrg());
  // 4,500 live leads + 10 deleted ones, ids 00Q000000000001.. (built in SQL, the suffix is irrelevant here)
  await db.exec(`
    INSERT INTO sobj_lead (id, lastname, company, total_score__c, isdeleted)
    SELECT '00Q' || lpad(g::text, 12, '0') || 'AAA', 'Lead ' || lpad(g::text, 5, '0'), 'Co', g % 100, g > 4500
    FROM generate_series(1, 4510) g`);
  engine = createQueryEngine({ db, schema, now: () => clock });
});

afterAll(async () => {
  await db.close();
});

function locatorOf(url: string | undefined): string {
  expect(url).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-\d+$/);
  return (url as string).split('/').pop() as string;
}

describe('paging', () => {
  it('should page 4,500 rows in three batches of 2000, 2000, 500 in ORDER BY order', async () => {
    const first = await engine.query('SELECT Id, LastName FROM Lead ORDER BY LastName DESC', {
      includeDeleted: false,
      apiVersion: V
    });
    expect(first.totalSize).toBe(4500);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    expect(first.records[0]?.LastName).toBe('Lead 04500');
    const loc1 = locatorOf(first.nextRecordsUrl);
    expect(loc1.endsWith('-2000')).toBe(true);

    const second = await engine.queryMore(loc1, V);
    expect(second).toMatchObject({ totalSize: 4500, done: false });
    expect(second.records).toHaveLength(2000);
    expect(second.records[0]?.LastName).toBe('Lead 02500');
    const loc2 = locatorOf(second.nextRecordsUrl);
    expect(loc2.endsWith('-4000')).toBe(true);

    const third = await engine.queryMore(loc2, V);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    expect(third.records).toHaveLength(500);
    expect(third.records[499]?.LastName).toBe('Lead 00001');
    expect(third.records[0]?.attributes).toEqual({
      type: 'Lead',
      url: `/services/data/v62.0/sobjects/Lead/${third.records[0]?.Id as string}`
    });

    const all = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
    expect(new Set(all).size).toBe(4500);
  });

  it('should honour batchSize and a LIMIT spanning pages', async () => {
    const first = await engine.query('SELECT Id FROM Lead WHERE Total_Score__c < 50 LIMIT 450', {
      includeDeleted: false,
      apiVersion: V,
      batchSize: 200
    });
    expect(first).toMatchObject({ totalSize: 450, done: false });
    expect(first.records).toHaveLength(200);
    const second = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    const third = await engine.queryMore(locatorOf(second.nextRecordsUrl), V);
    expect([second.records.length, third.records.length, third.done]).toEqual([200, 50, true]);
  });

  it('should include deleted rows in queryAll cursors', async () => {
    const page = await engine.query('SELECT Id FROM Lead', { includeDeleted: true, apiVersion: V });
    expect(page.totalSize).toBe(4510);
    const second = await engine.queryMore(locatorOf(page.nextRecordsUrl), V);
    const third = await engine.queryMore(locatorOf(second.nextRecordsUrl), V);
    expect(third.records).toHaveLength(510);
  });

  it('should not open a cursor when everything fits one batch', async () => {
    const page = await engine.query('SELECT Id FROM Lead LIMIT 2000', {
      includeDeleted: false,
      apiVersion: V
    });
    expect(page).toMatchObject({ totalSize: 2000, done: true });
    expect(page.nextRecordsUrl).toBeUndefined();
  });

  it.each([
    ['garbage', 'nope'],
    ['unknown cursor', '01gAAAAAAAAAAAAAAA-2000']
  ])('should refuse an invalid locator (%s) with INVALID_QUERY_LOCATOR', async (_name, locator) => {
    await expect(engine.queryMore(locator, V)).rejects.toMatchObject({ errorCode: 'INVALID_QUERY_LOCATOR' });
  });

  it('should expire locators after 15 minutes', async () => {
    const page = await engine.query('SELECT Id FROM Lead', { includeDeleted: false, apiVersion: V });
    const locator = locatorOf(page.nextRecordsUrl);
    clock = new Date(clock.getTime() + 14 * 60 * 1000);
    await expect(engine.queryMore(locator, V)).resolves.toMatchObject({ totalSize: 4500 });
    clock = new Date(clock.getTime() + 2 * 60 * 1000);
    const err = await engine.queryMore(locator, V).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceApiError);
    expect(err).toMatchObject({ errorCode: 'INVALID_QUERY_LOCATOR' });
  });

  it('should keep a locator usable by a second engine on the same database (survives between requests)', async () => {
    const page = await engine.query('SELECT Id FROM Lead', { includeDeleted: false, apiVersion: V });
    const other = createQueryEngine({ db, schema, now: () => clock });
    const next = await other.queryMore(locatorOf(page.nextRecordsUrl), '60.0');
    expect(next.records).toHaveLength(2000);
    expect(next.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\//);
  });
});

describe('aggregate results', () => {
  it('should refuse more than 2000 groups, as aggregate queries cannot use queryMore', async () => {
    await expect(
      engine.query('SELECT LastName, COUNT(Id) FROM Lead GROUP BY LastName', {
        includeDeleted: false,
        apiVersion: V
      })
    ).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: expect.stringContaining('does not support queryMore')
    });
    const limited = await engine.query(
      'SELECT LastName, COUNT(Id) FROM Lead GROUP BY LastName ORDER BY LastName LIMIT 2000',
      { includeDeleted: false, apiVersion: V }
    );
    expect([limited.totalSize, limited.done]).toEqual([2000, true]);
  });
});

describe('cursor snapshots while data changes', () => {
  const q = (soql: string) => engine.query(soql, { includeDeleted: false, apiVersion: V });

  afterEach(async () => {
    await db.exec(
      `DELETE FROM sobj_lead WHERE lastname LIKE 'Late %'; UPDATE sobj_lead SET isdeleted = false WHERE lastname BETWEEN 'Lead 04000' AND 'Lead 04499'`
    );
  });

  it('should not page in rows created after an ORDER BY query ran (ids are snapshotted)', async () => {
    const first = await q('SELECT Id FROM Lead ORDER BY LastName');
    await db.exec(
      `INSERT INTO sobj_lead (id, lastname, isdeleted) SELECT '00Q9' || lpad(g::text, 11, '0') || 'AAA', 'Late ' || g, false FROM generate_series(1, 100) g`
    );
    const second = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    const third = await engine.queryMore(locatorOf(second.nextRecordsUrl), V);
    expect([first.records.length, second.records.length, third.records.length, third.done]).toEqual([
      2000,
      2000,
      500,
      true
    ]);
  });

  it('should cap an id-ordered (keyset) cursor at the counted total even when rows are added', async () => {
    const first = await q('SELECT Id FROM Lead');
    await db.exec(
      `INSERT INTO sobj_lead (id, lastname, isdeleted) SELECT '00Q9' || lpad(g::text, 11, '0') || 'AAA', 'Late ' || g, false FROM generate_series(1, 100) g`
    );
    const second = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    const third = await engine.queryMore(locatorOf(second.nextRecordsUrl), V);
    expect([first.totalSize, third.records.length, third.done]).toEqual([4500, 500, true]);
    expect(third.records.some((r) => String(r.Id).startsWith('00Q9'))).toBe(false);
  });

  it('should end a keyset cursor early when rows were deleted meanwhile', async () => {
    const first = await q('SELECT Id FROM Lead');
    await db.exec(
      `UPDATE sobj_lead SET isdeleted = true WHERE lastname BETWEEN 'Lead 04000' AND 'Lead 04499'`
    );
    const second = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    expect([second.records.length, second.done, second.nextRecordsUrl]).toEqual([
      2000,
      false,
      expect.any(String)
    ]);
    const third = await engine.queryMore(locatorOf(second.nextRecordsUrl), V);
    expect([third.records.length, third.done, third.nextRecordsUrl]).toEqual([0, true, undefined]);
  });

  it('should let a client re-read the same keyset page', async () => {
    const first = await q('SELECT Id FROM Lead');
    const again = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    const once = await engine.queryMore(locatorOf(first.nextRecordsUrl), V);
    expect(once.records.map((r) => r.Id)).toEqual(again.records.map((r) => r.Id));
  });
});

describe('effectiveBatchSize', () => {
  it.each([
    [undefined, 2000],
    [100, 200],
    [200, 200],
    [1000, 1000],
    [5000, 2000]
  ])('should map %s to %s', (requested, expected) => {
    expect(effectiveBatchSize(requested)).toBe(expected);
  });
});
