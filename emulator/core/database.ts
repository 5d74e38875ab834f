/**
 * PGlite storage: one sobj_<object> table per sObject (see the layout in types.ts), created and
 * widened idempotently on every start so data in a persisted data dir survives schema growth.
 */
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock';
import { referenceRows, DEFAULT_ORG_ID } from './reference-data';
import { sqlTypeFor, type LoadedSchema } from './schema';
import type { FieldDef, SObjectDef, SObjectRecord, Schema } from './types';

/** Something that runs SQL: the database or an open transaction. */
export type SqlRunner = Pick<PGlite, 'query' | 'exec'> | Transaction;

/**
 * Opens PGlite persisted to dataDir (created if missing), or in memory when dataDir is undefined.
 * initialDataDir: a tarball from PGlite's dumpDataDir() to start from instead of running initdb (about
 * 1.5 s of a 2 s start); test/helpers/emulator.ts uses it to start every test org from one prepared snapshot.
 */
export async function openDatabase(dataDir?: string, opts: { initialDataDir?: Blob } = {}): Promise<PGlite> {
  // One process per data dir (data-dir-lock.ts): a second emulator fails here, before touching the files.
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const loadDataDir = opts.initialDataDir ? { loadDataDir: opts.initialDataDir } : {};
    const db = dataDir ? new PGlite(dataDir, loadDataDir) : new PGlite(loadDataDir);
    await db.waitReady;
    const close = db.close.bind(db);
    db.close = async () => {
      try {
        await close();
      } finally {
        await unlock();
      }
    };
    return db;
  } catch (err) {
    await unlock();
    throw err;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Columns every sobj_ table has, whatever the object's describe says (history objects lack some fields). */
const SYSTEM_COLUMNS: Array<[string, string]> = [
  ['id', 'text primary key'],
  ['isdeleted', 'boolean not null default false'],
  ['createddate', 'timestamptz'],
  ['createdbyid', 'text'],
  ['lastmodifieddate', 'timestamptz'],
  ['lastmodifiedbyid', 'text'],
  ['systemmodstamp', 'timestamptz']
];
const SYSTEM_COLUMN_NAMES = new Set(SYSTEM_COLUMNS.map(([name]) => name));

function columnsOf(object: SObjectDef): Array<[string, string]> {
  const columns = [...SYSTEM_COLUMNS];
  for (const field of object.fields) if (!SYSTEM_COLUMN_NAMES.has(field.column)) columns.push([field.column, sqlTypeFor(field)]);
  return columns;
}

function indexName(table: string, what: string): string {
  // Postgres truncates identifiers at 63 bytes; keep names short and deterministic.
  return `ix_${table.replace(/^sobj_/, '')}_${what}`.slice(0, 63);
}

/**
 * References worth an index (child lookups, subqueries, history by parent). Every index slows bulk
 * inserts, so audit/owner/merge/conversion pointers, which are rarely filtered on, get none.
 */
function isJoinedReference(object: SObjectDef, field: FieldDef): boolean {
  if (['createdbyid', 'lastmodifiedbyid', 'ownerid', 'masterrecordid'].includes(field.column)) return false;
  return field.custom || field.createable || !object.createable;
}

function indexStatements(object: SObjectDef): string[] {
  const table = quoteIdent(object.table);
  const statements = [
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, 'systemmodstamp'))} ON ${table} ("systemmodstamp")`
  ];
  // Salesforce indexes CreatedDate on every object; history objects are read in CreatedDate order.
  if (object.fields.some((f) => f.column === 'createddate')) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, 'createddate'))} ON ${table} ("createddate")`);
  }
  for (const field of object.fields) {
    const col = quoteIdent(field.column);
    if (field.unique) {
      // Salesforce compares unique text case-insensitively unless the field is case-sensitive; deleted rows do not block.
      const expr = field.caseSensitive || sqlTypeFor(field) !== 'text' ? col : `lower(${col})`;
      statements.push(
        `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, `u_${field.column}`))} ON ${table} ((${expr})) WHERE NOT "isdeleted"`
      );
    } else if (field.externalId) {
      statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, `x_${field.column}`))} ON ${table} (lower(${col}))`);
    } else if (field.type === 'email') {
      statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, `e_${field.column}`))} ON ${table} (lower(${col}))`);
    } else if (field.type === 'reference' && isJoinedReference(object, field)) {
      statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(indexName(object.table, `r_${field.column}`))} ON ${table} (${col})`);
    }
  }
  return statements;
}

/**
 * Creates missing tables, adds columns for new fields, creates indexes, the emulator_meta table
 * and the reference rows (Organization, users, LeadStatus, OpportunityStage, custom metadata).
 * Safe to run on every start: existing rows are kept (reference rows are only inserted when absent,
 * custom metadata rows are replaced because the package is their source of truth).
 */
export async function syncTables(db: PGlite, schema: Schema | LoadedSchema, opts: { orgId?: string } = {}): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS emulator_meta (key text PRIMARY KEY, value bigint NOT NULL DEFAULT 0, text_value text)`);
  const existing = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'sobj\\_%'`
  );
  const columnsByTable = new Map<string, Set<string>>();
  for (const row of existing.rows) {
    const set = columnsByTable.get(row.table_name) ?? new Set<string>();
    set.add(row.column_name);
    columnsByTable.set(row.table_name, set);
  }
  const statements: string[] = [];
  for (const object of schema.all()) {
    const present = columnsByTable.get(object.table);
    const columns = columnsOf(object);
    if (!present) {
      statements.push(`CREATE TABLE ${quoteIdent(object.table)} (${columns.map(([c, t]) => `${quoteIdent(c)} ${t}`).join(', ')})`);
    } else {
      for (const [column, type] of columns) {
        if (!present.has(column)) statements.push(`ALTER TABLE ${quoteIdent(object.table)} ADD COLUMN ${quoteIdent(column)} ${type}`);
      }
    }
    statements.push(...indexStatements(object));
  }
  await db.transaction(async (tx) => {
    for (const statement of statements) await tx.exec(statement);
    for (const [typeName, rows] of referenceRows(schema, opts.orgId ?? DEFAULT_ORG_ID)) {
      const object = schema.get(typeName);
      if (!object) continue;
      if (object.name.endsWith('__mdt')) await tx.query(`DELETE FROM ${quoteIdent(object.table)}`);
      await insertRows(tx, object, rows.map((r) => recordToRow(object, r)), { ignoreExisting: true });
    }
  });
}

/** Canonical-name record -> row keyed by column (unknown names are dropped). */
export function recordToRow(object: SObjectDef, record: SObjectRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const field: FieldDef | undefined = object.fieldMap.get(key.toLowerCase());
    if (field) row[field.column] = value;
    else if (SYSTEM_COLUMN_NAMES.has(key.toLowerCase())) row[key.toLowerCase()] = value;
  }
  return row;
}

/** All column names of an object's table, in table order. */
export function tableColumns(object: SObjectDef): string[] {
  return columnsOf(object).map(([c]) => c);
}

/**
 * Serialises rows for json_populate_recordset (one parameter, so no bind-parameter limit). Keys that
 * are not columns are ignored by Postgres and absent columns become NULL, so rows go out as they are;
 * Dates serialise to ISO strings through their toJSON.
 */
export function rowsJson(rows: Array<Record<string, unknown>>): string {
  return JSON.stringify(rows);
}

/** One multi-row INSERT for many rows. */
export async function insertRows(
  db: SqlRunner,
  object: SObjectDef,
  rows: Array<Record<string, unknown>>,
  opts: { ignoreExisting?: boolean } = {}
): Promise<void> {
  if (rows.length === 0) return;
  const columns = tableColumns(object);
  const list = columns.map(quoteIdent).join(', ');
  const conflict = opts.ignoreExisting ? ' ON CONFLICT ("id") DO NOTHING' : '';
  await db.query(
    `INSERT INTO ${quoteIdent(object.table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${quoteIdent(object.table)}, $1)${conflict}`,
    [rowsJson(rows)]
  );
}

/** One UPDATE for many rows: every listed column of each row is overwritten (rows are full merged rows). */
export async function updateRows(db: SqlRunner, object: SObjectDef, rows: Array<Record<string, unknown>>, columns: string[]): Promise<void> {
  if (rows.length === 0) return;
  const set = columns.filter((c) => c !== 'id').map((c) => `${quoteIdent(c)} = v.${quoteIdent(c)}`).join(', ');
  await db.query(
    `UPDATE ${quoteIdent(object.table)} AS t SET ${set} FROM json_populate_recordset(NULL::${quoteIdent(object.table)}, $1) AS v WHERE t."id" = v."id"`,
    [rowsJson(rows)]
  );
}

/** Next values of a named sequence kept in emulator_meta (e.g. an AutoNumber counter). Returns the first of `count`. */
export async function reserveSequence(db: SqlRunner, key: string, count: number): Promise<number> {
  const result = await db.query<{ value: number | string }>(
    `INSERT INTO emulator_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = emulator_meta.value + $2 RETURNING value`,
    [key, count]
  );
  const last = Number(result.rows[0]?.value ?? count);
  return last - count + 1;
}
