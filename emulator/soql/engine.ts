/**
 * The emulator's SOQL engine: parse, compile to Postgres SQL over the sobj_* tables, run, shape, page.
 * Work happens in SQL (filters, joins, sorting, aggregation, cursors); JS only shapes one page of rows.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  SalesforceApiError,
  type QueryEngine,
  type QueryOptions,
  type QueryPage,
  type Schema,
  type SObjectRecord
} from '../core/types';
import { buildColumns } from './columns';
import { compileQuery, type SelectPlan } from './compile';
import {
  CURSOR_DDL,
  loadCursor,
  loadMark,
  locatorFor,
  newCursorId,
  parseLocator,
  purgeExpiredCursors,
  saveMark,
  type CursorMode,
  type CursorRow
} from './cursors';
import { malformedQuery } from './errors';
import { parseSoql } from './parse';
import { buildAggregate, buildRecord, type ChildResults, type Row } from './shape';
import { quoteIdent, type OutputStyle } from './sql';

export interface QueryEngineDeps {
  db: PGlite;
  schema: Schema;
  now: () => Date;
}

export const DEFAULT_BATCH_SIZE = 2000;
const MIN_BATCH_SIZE = 200;

/** Sforce-Query-Options batchSize: 200..2000, default 2000 (out-of-range values are clamped, as Salesforce does). */
export function effectiveBatchSize(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Math.floor(requested)));
}

export function createQueryEngine(deps: QueryEngineDeps): QueryEngine {
  const { db, schema, now } = deps;
  // Cursor tables are created on first use (idempotent DDL); a failed attempt is retried by the next call.
  let ready: Promise<void> | undefined;
  const ensureReady = () =>
    (ready ??= db.exec(CURSOR_DDL).then(
      () => undefined,
      (err: unknown) => {
        ready = undefined;
        throw err;
      }
    ));

  function compile(soql: string, includeDeleted: boolean, style: OutputStyle): SelectPlan {
    return compileQuery(soql, parseSoql(soql), { schema, now: now(), includeDeleted, style });
  }

  async function run(sql: string, params: unknown[]): Promise<Row[]> {
    const res = await db.query<Row>(sql, params);
    return res.rows;
  }

  async function fetchChildren(
    plan: SelectPlan,
    parentIds: string[],
    apiVersion: string
  ): Promise<Map<string, ChildResults>> {
    const byParent = new Map<string, ChildResults>();
    if (parentIds.length === 0) return byParent;
    for (const node of plan.nodes) {
      if (node.kind !== 'children') continue;
      const child = node.child.plan;
      const params = child.params.clone();
      const ids = params.add(parentIds, 'text[]');
      const parentCol = quoteIdent(child.parentCol as string);
      const fkExpr = child.parentExpr as string;
      const offset = child.offset ?? 0;
      const window = `row_number() OVER (PARTITION BY ${fkExpr} ORDER BY ${child.orderSql.join(', ')}) AS "__rn"`;
      const bounds = [`x."__rn" > ${params.add(offset, 'int')}`];
      if (child.limit !== undefined) bounds.push(`x."__rn" <= ${params.add(offset + child.limit, 'int')}`);
      const sql =
        `SELECT * FROM (SELECT ${child.selectSql.join(', ')}, ${window} FROM ${child.scope.fromSql} ${child.scope.joinsSql} ` +
        `WHERE ${child.whereSql} AND ${fkExpr} = ANY(${ids})) x WHERE ${bounds.join(' AND ')} ORDER BY x.${parentCol}, x."__rn"`;
      for (const row of await run(sql, params.values)) {
        const parentId = String(row[child.parentCol as string]);
        const results = byParent.get(parentId) ?? new Map<string, SObjectRecord[]>();
        byParent.set(parentId, results);
        const list = results.get(node.key) ?? [];
        results.set(node.key, list);
        list.push(buildRecord(child.nodes, row, child.object.name, String(row[child.idCol]), apiVersion));
      }
    }
    return byParent;
  }

  async function shapeRecords(plan: SelectPlan, rows: Row[], apiVersion: string): Promise<SObjectRecord[]> {
    const ids = rows.map((r) => String(r[plan.idCol]));
    const children = await fetchChildren(plan, ids, apiVersion);
    return rows.map((row, i) =>
      buildRecord(
        plan.nodes,
        row,
        plan.object.name,
        ids[i] as string,
        apiVersion,
        children.get(ids[i] as string)
      )
    );
  }

  /** SELECT ... FROM ... WHERE ... [GROUP BY/HAVING] ORDER BY ... with LIMIT/OFFSET bound as parameters. */
  function statement(
    plan: SelectPlan,
    select: string,
    limit: number | undefined
  ): { sql: string; params: unknown[] } {
    const params = plan.params.clone();
    let sql = `SELECT ${select} FROM ${plan.scope.fromSql} ${plan.scope.joinsSql} WHERE ${plan.whereSql}`;
    if (plan.groupBySql.length) sql += ` GROUP BY ${plan.groupBySql.join(', ')}`;
    if (plan.havingSql) sql += ` HAVING ${plan.havingSql}`;
    if (plan.orderSql.length) sql += ` ORDER BY ${plan.orderSql.join(', ')}`;
    if (limit !== undefined) sql += ` LIMIT ${params.add(limit, 'int')}`;
    if (plan.offset) sql += ` OFFSET ${params.add(plan.offset, 'int')}`;
    return { sql, params: params.values };
  }

  async function countQuery(plan: SelectPlan): Promise<QueryPage> {
    const inner = statement({ ...plan, orderSql: [] }, '1', plan.limit);
    const rows = await run(`SELECT count(*)::int AS "n" FROM (${inner.sql}) x`, inner.params);
    return { totalSize: Number(rows[0]?.n ?? 0), done: true, records: [] };
  }

  async function aggregateQuery(plan: SelectPlan): Promise<QueryPage> {
    const { sql, params } = statement(plan, plan.selectSql.join(', '), plan.limit ?? DEFAULT_BATCH_SIZE + 1);
    const rows = await run(sql, params);
    if (rows.length > DEFAULT_BATCH_SIZE) {
      throw malformedQuery(
        'Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch'
      );
    }
    return { totalSize: rows.length, done: true, records: rows.map((r) => buildAggregate(plan.nodes, r)) };
  }

  async function insertCursor(
    id: string,
    mode: CursorMode,
    soql: string,
    includeDeleted: boolean,
    batchSize: number,
    total: number,
    at: Date
  ) {
    await db.query(
      'INSERT INTO query_cursors (id, mode, soql, include_deleted, batch_size, total_size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)',
      [id, mode, soql, includeDeleted, batchSize, total, at.toISOString()]
    );
  }

  /** ORDER BY given: snapshot the ordered ids of the whole result in SQL. */
  async function openIdsCursor(
    plan: SelectPlan,
    soql: string,
    includeDeleted: boolean,
    batchSize: number
  ): Promise<{ id: string; total: number }> {
    const id = newCursorId();
    const at = now();
    await purgeExpiredCursors(db, at);
    const ordered = statement(plan, `${plan.scope.idExpr} AS "id"`, plan.limit);
    const cursorParam = `$${ordered.params.length + 1}`;
    const batchParam = `$${ordered.params.length + 2}::int`;
    const rows = await run(
      `WITH ins AS (INSERT INTO query_cursor_pages (cursor_id, page, ids) ` +
        `SELECT ${cursorParam}, (rn - 1) / ${batchParam}, array_agg(id ORDER BY rn) ` +
        `FROM (SELECT x."id", row_number() OVER () AS rn FROM (${ordered.sql}) x) numbered GROUP BY (rn - 1) / ${batchParam} ` +
        `RETURNING cardinality(ids) AS n) SELECT coalesce(sum(n), 0)::int AS "n" FROM ins`,
      [...ordered.params, id, batchSize]
    );
    const total = Number(rows[0]?.n ?? 0);
    await insertCursor(id, 'ids', soql, includeDeleted, batchSize, total, at);
    return { id, total };
  }

  /** Id order only: count now, then page by "id greater than the last one returned". */
  async function openKeysetCursor(
    plan: SelectPlan,
    soql: string,
    includeDeleted: boolean,
    batchSize: number,
    lastId: string
  ): Promise<{ id: string; total: number }> {
    const id = newCursorId();
    const at = now();
    await purgeExpiredCursors(db, at);
    const inner = statement({ ...plan, orderSql: [] }, '1', plan.limit);
    const rows = await run(`SELECT count(*)::int AS "n" FROM (${inner.sql}) x`, inner.params);
    const total = Number(rows[0]?.n ?? 0);
    await insertCursor(id, 'keyset', soql, includeDeleted, batchSize, total, at);
    await saveMark(db, id, batchSize, lastId);
    return { id, total };
  }

  async function pageFromIds(plan: SelectPlan, cursor: CursorRow, position: number): Promise<Row[]> {
    // Pages were cut at batch boundaries when the cursor was opened; conditions were applied then.
    if (position % cursor.batchSize !== 0)
      throw new SalesforceApiError('INVALID_QUERY_LOCATOR', 'invalid query locator');
    return run(
      `SELECT ${plan.selectSql.join(', ')} FROM (SELECT unnest(ids) AS record_id, generate_subscripts(ids, 1) AS i FROM query_cursor_pages ` +
        `WHERE cursor_id = $1 AND page = $2::int) qc JOIN ${plan.scope.fromSql} ON ${plan.scope.idExpr} = qc.record_id ${plan.scope.joinsSql} ORDER BY qc.i`,
      [cursor.id, position / cursor.batchSize]
    );
  }

  async function pageFromKeyset(plan: SelectPlan, cursor: CursorRow, position: number): Promise<Row[]> {
    const lastId = await loadMark(db, cursor.id, position);
    const params = plan.params.clone();
    const after = params.add(lastId, 'text');
    const take = params.add(Math.min(cursor.batchSize, cursor.totalSize - position), 'int');
    const rows = await run(
      `SELECT ${plan.selectSql.join(', ')} FROM ${plan.scope.fromSql} ${plan.scope.joinsSql} ` +
        `WHERE ${plan.whereSql} AND ${plan.scope.idExpr} > ${after} ORDER BY ${plan.scope.idExpr} LIMIT ${take}`,
      params.values
    );
    const last = rows[rows.length - 1];
    if (last) await saveMark(db, cursor.id, position + cursor.batchSize, String(last[plan.idCol]));
    return rows;
  }

  function nextUrl(
    apiVersion: string,
    cursorId: string,
    position: number,
    total: number
  ): string | undefined {
    return position < total
      ? `/services/data/v${apiVersion}/query/${locatorFor(cursorId, position)}`
      : undefined;
  }

  return {
    async query(soql: string, opts: QueryOptions): Promise<QueryPage> {
      await ensureReady();
      const plan = compile(soql, opts.includeDeleted, 'rest');
      if (plan.kind === 'count') return countQuery(plan);
      if (plan.kind === 'aggregate') return aggregateQuery(plan);
      const batchSize = effectiveBatchSize(opts.batchSize);
      const firstLimit = plan.limit === undefined ? batchSize + 1 : Math.min(plan.limit, batchSize + 1);
      const { sql, params } = statement(plan, plan.selectSql.join(', '), firstLimit);
      const rows = await run(sql, params);
      if (rows.length <= batchSize) {
        return {
          totalSize: rows.length,
          done: true,
          records: await shapeRecords(plan, rows, opts.apiVersion)
        };
      }
      const lastId = String(rows[batchSize - 1]?.[plan.idCol]);
      const cursor = plan.userOrdered
        ? await openIdsCursor(plan, soql, opts.includeDeleted, batchSize)
        : await openKeysetCursor(plan, soql, opts.includeDeleted, batchSize, lastId);
      const page: QueryPage = {
        totalSize: cursor.total,
        done: false,
        records: await shapeRecords(plan, rows.slice(0, batchSize), opts.apiVersion)
      };
      page.nextRecordsUrl = nextUrl(opts.apiVersion, cursor.id, batchSize, cursor.total);
      if (!page.nextRecordsUrl) page.done = true;
      return page;
    },

    async queryMore(locator: string, apiVersion: string): Promise<QueryPage> {
      await ensureReady();
      const { cursorId, position } = parseLocator(locator);
      const cursor = await loadCursor(db, cursorId, now());
      if (position >= cursor.totalSize)
        throw new SalesforceApiError('INVALID_QUERY_LOCATOR', 'invalid query locator');
      const plan = compile(cursor.soql, cursor.includeDeleted, 'rest');
      const end = position + cursor.batchSize;
      const rows =
        cursor.mode === 'keyset'
          ? await pageFromKeyset(plan, cursor, position)
          : await pageFromIds(plan, cursor, position);
      // A keyset page comes back short only when rows were deleted since the query ran: nothing is left then.
      const exhausted =
        cursor.mode === 'keyset' && rows.length < Math.min(cursor.batchSize, cursor.totalSize - position);
      const next = exhausted ? undefined : nextUrl(apiVersion, cursorId, end, cursor.totalSize);
      const page: QueryPage = {
        totalSize: cursor.totalSize,
        done: next === undefined,
        records: await shapeRecords(plan, rows, apiVersion)
      };
      if (next) page.nextRecordsUrl = next;
      return page;
    },

    async columns(soql: string) {
      return buildColumns(compile(soql, false, 'rest'));
    },

    async queryAllRows(soql: string, opts: { includeDeleted: boolean }) {
      await ensureReady();
      const plan = compile(soql, opts.includeDeleted, 'bulk');
      if (plan.kind !== 'records')
        throw malformedQuery('Aggregate queries and COUNT() are not supported by Bulk API query jobs');
      const items = plan.items.map((item) => {
        if (item.kind === 'children')
          throw malformedQuery(
            `Bulk API query jobs do not support child relationship subqueries (${item.name})`
          );
        if (item.kind !== 'field')
          throw malformedQuery('Aggregate functions are not supported by Bulk API query jobs');
        return item;
      });
      // Only the selected columns, as arrays: Bulk results can be a million rows.
      const { sql, params } = statement(
        plan,
        items.map((i) => selectEntry(plan, i.col)).join(', '),
        plan.limit
      );
      const res = await db.query<unknown[]>(sql, params, { rowMode: 'array' });
      return {
        columns: items.map((i) => i.path),
        rows: res.rows.map((row) => row.map(toCsvValue))
      };
    }
  };
}

/** The `expr AS "cN"` select entry for a column alias. */
function selectEntry(plan: SelectPlan, col: string): string {
  const entry = plan.selectSql.find((e) => e.endsWith(` AS ${quoteIdent(col)}`));
  if (!entry) throw new Error(`internal: no select entry for ${col}`);
  return entry;
}

/** Bulk 2.0 results are CSV: every value is a string, null stays null (the CSV writer renders it empty). */
function toCsvValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}
