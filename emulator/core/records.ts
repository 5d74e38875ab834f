/**
 * The record layer (RecordStore): Salesforce DML semantics over the sobj_* tables. Each call works
 * in three phases so that large batches cost a handful of SQL statements: (1) per-record checks in
 * memory (fields, types, required, picklists, defaults, formulas, validation rules), (2) batch
 * checks with one query per concern (existing rows, references, unique values), (3) one multi-row
 * INSERT/UPDATE per object plus history rows, in one transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { insertRows, quoteIdent, tableColumns, updateRows, type SqlRunner } from './database';
import { ROLLED_BACK, entityIsDeleted, err, invalidCrossReference } from './dml-errors';
import { historyRowsFor, sameValue } from './history';
import { isValidIdFormat, keyPrefixOf, to18 } from './ids';
import { checkReferences, checkUnique, fillAutoNumbers, loadRows } from './record-checks';
import { prepareInsert, prepareUpdate, type Mode, type Pending, type Row } from './record-prepare';
import {
  SalesforceApiError,
  type DmlOptions,
  type RecordStore,
  type SObjectDef,
  type SObjectRecord,
  type SaveResult,
  type Schema,
  type SfError
} from './types';
import { rowToApiRecord } from './values';

export { formatAutoNumber } from './record-checks';

export interface RecordStoreDeps {
  db: PGlite;
  schema: Schema;
  now: () => Date;
  orgId: string;
  defaultUserId: string;
}

export function createRecordStore(deps: RecordStoreDeps): RecordStore {
  const { db, schema } = deps;
  const txStorage = new AsyncLocalStorage<Transaction>();

  const sql = (): SqlRunner => txStorage.getStore() ?? db;

  async function inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    if (txStorage.getStore()) return fn();
    return db.transaction((tx) => txStorage.run(tx, fn));
  }

  function objectFor(type: string): SObjectDef {
    const object = schema.get(type);
    if (!object) throw new SalesforceApiError('INVALID_TYPE', `sObject type '${type}' is not supported.`, 400);
    return object;
  }

  /** Shared tail of insert/update: results with allOrNone handling, then the writes. */
  async function commit(object: SObjectDef, pendings: Pending[], opts: DmlOptions, kind: 'insert' | 'update' | 'mixed'): Promise<SaveResult[]> {
    const failed = pendings.some((p) => p.errors.length > 0);
    const results = pendings.map<SaveResult>((p) => {
      // Failed updates keep the record's id (as Salesforce reports them); failed inserts have none.
      const idOnFailure = p.targetId ?? null;
      const base: SaveResult =
        p.errors.length > 0
          ? { id: idOnFailure, success: false, errors: p.errors }
          : opts.allOrNone && failed
            ? { id: idOnFailure, success: false, errors: [ROLLED_BACK] }
            : { id: String(p.row.id), success: true, errors: [] };
      if (p.created !== undefined) base.created = p.created;
      return base;
    });
    if (opts.allOrNone && failed) return results;
    const good = pendings.filter((p) => p.errors.length === 0);
    const inserts = good.filter((p) => !p.previous);
    const updates = good.filter((p) => p.previous);
    if (kind !== 'update') await insertRows(sql(), object, inserts.map((p) => p.row));
    if (kind !== 'insert' && updates.length > 0) {
      // Only columns that changed in some row are sent and set (bulk updates touch a few of ~70 columns).
      const changed = new Set(['lastmodifieddate', 'lastmodifiedbyid', 'systemmodstamp']);
      for (const p of updates) for (const column of Object.keys(p.row)) if (!sameValue(p.row[column], p.previous?.[column])) changed.add(column);
      const columns = tableColumns(object).filter((c) => changed.has(c));
      const slim = updates.map((p) => Object.fromEntries(['id', ...columns].map((c) => [c, p.row[c] ?? null])));
      await updateRows(sql(), object, slim, columns);
    }
    const history = historyRowsFor(schema, object, good.map((p) => p.row), good.map((p) => p.previous), opts.userId, deps.now());
    for (const h of history) await insertRows(sql(), h.object, h.rows);
    return results;
  }

  /** The running user: the caller's, or the org's default (admin) user when none is given. */
  const withUser = (opts: DmlOptions): DmlOptions => (opts.userId ? opts : { ...opts, userId: deps.defaultUserId });

  async function insert(type: string, records: SObjectRecord[], givenOpts: DmlOptions): Promise<SaveResult[]> {
    const opts = withUser(givenOpts);
    const object = objectFor(type);
    if (!object.createable) return records.map(() => ({ id: null, success: false, errors: [cannotDo(object, 'inserted')] }));
    return inTransaction(async () => {
      const now = deps.now();
      const pendings = records.map((r, i) => prepareInsert(object, r, i, opts, now));
      await checkReferences(sql(), schema, object, pendings);
      await checkUnique(sql(), object, pendings);
      await fillAutoNumbers(sql(), object, pendings);
      return commit(object, pendings, opts, 'insert');
    });
  }

  async function updateWithMode(type: string, records: SObjectRecord[], givenOpts: DmlOptions, mode: Mode): Promise<SaveResult[]> {
    const opts = withUser(givenOpts);
    const object = objectFor(type);
    if (!object.updateable && mode !== 'system') {
      return records.map(() => ({ id: null, success: false, errors: [cannotDo(object, 'updated')] }));
    }
    return inTransaction(async () => {
      const now = deps.now();
      const ids = records.map((r) => r.Id ?? r.id ?? r.ID).filter(isValidIdFormat).map(to18);
      const existing = await loadRows(sql(), object, ids);
      const seen = new Set<string>();
      const pendings = records.map((r, i) => {
        const rawId = r.Id ?? r.id ?? r.ID;
        const id = isValidIdFormat(rawId) ? to18(rawId) : undefined;
        if (id && seen.has(id)) {
          return { index: i, row: {}, supplied: new Set<string>(), errors: [err('DUPLICATE_VALUE', `Duplicate id in list: ${id}`, [])] };
        }
        if (id) seen.add(id);
        return prepareUpdate(object, r, i, id ? existing.get(id) : undefined, mode, opts, now);
      });
      await checkReferences(sql(), schema, object, pendings);
      await checkUnique(sql(), object, pendings);
      return commit(object, pendings, opts, 'update');
    });
  }

  async function upsert(type: string, externalIdField: string, records: SObjectRecord[], givenOpts: DmlOptions): Promise<SaveResult[]> {
    const opts = withUser(givenOpts);
    const object = objectFor(type);
    const keyField = object.fieldMap.get(externalIdField.toLowerCase());
    if (!keyField || !(keyField.externalId || keyField.type === 'id' || keyField.idLookup)) {
      throw new SalesforceApiError(
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${externalIdField}`,
        404
      );
    }
    return inTransaction(async () => {
      const now = deps.now();
      const keyOf = (r: SObjectRecord): unknown => {
        const entry = Object.entries(r).find(([k]) => k.toLowerCase() === keyField.column);
        return entry?.[1];
      };
      // Find matches: by Id, or by external id value (case-insensitive unless the field is case-sensitive).
      const values = records.map(keyOf).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
      const matches = new Map<string, string[]>();
      const norm = (v: string) => (keyField.type === 'id' ? (isValidIdFormat(v) ? to18(v) : v) : keyField.caseSensitive ? v : v.toLowerCase());
      if (values.length > 0) {
        const col = quoteIdent(keyField.column);
        const expr = keyField.type === 'id' || keyField.caseSensitive ? `${col}::text` : `lower(${col}::text)`;
        const result = await sql().query<{ id: string; v: string }>(
          `SELECT "id", ${expr} AS v FROM ${quoteIdent(object.table)} WHERE ${expr} = ANY($1) AND NOT "isdeleted"`,
          [[...new Set(values.map(norm))]]
        );
        for (const row of result.rows) matches.set(row.v, [...(matches.get(row.v) ?? []), row.id]);
      }
      const existing = await loadRows(sql(), object, [...matches.values()].flat());
      const seenKeys = new Set<string>();
      const pendings: Pending[] = records.map((record, i) => {
        const raw = keyOf(record);
        const fail = (e: SfError): Pending => ({ index: i, row: {}, supplied: new Set(), errors: [e] });
        if (keyField.type !== 'id' && (raw === undefined || raw === null || raw === '')) {
          return fail(err('MISSING_ARGUMENT', `${keyField.name} not specified`, [keyField.name]));
        }
        const k = raw === undefined || raw === null || raw === '' ? '' : norm(String(raw));
        if (k !== '' && seenKeys.has(k)) return fail(err('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${String(raw)}`, [keyField.name]));
        if (k !== '') seenKeys.add(k);
        const hits = k === '' ? [] : (matches.get(k) ?? []);
        if (hits.length > 1) {
          return fail(err('DUPLICATE_EXTERNAL_ID', `${keyField.name}: more than one record found for external id field: ${hits.join(', ')}`, [keyField.name]));
        }
        const { [Object.keys(record).find((key) => key.toLowerCase() === keyField.column) ?? '']: _key, ...rest } = record;
        if (hits.length === 1) {
          const id = hits[0] as string;
          const pending = prepareUpdate(object, { ...stripIds(rest), Id: id }, i, existing.get(id), 'update', opts, now);
          pending.created = false;
          return pending;
        }
        if (keyField.type === 'id' && k !== '') return fail(invalidCrossReference(['Id']));
        const pending = prepareInsert(object, keyField.type === 'id' ? stripIds(rest) : { ...stripIds(rest), [keyField.name]: raw }, i, opts, now);
        pending.created = true;
        return pending;
      });
      await checkReferences(sql(), schema, object, pendings);
      await checkUnique(sql(), object, pendings);
      await fillAutoNumbers(sql(), object, pendings.filter((p) => p.created));
      return commit(object, pendings, opts, 'mixed');
    });
  }

  async function remove(ids: string[], givenOpts: DmlOptions): Promise<SaveResult[]> {
    const opts = withUser(givenOpts);
    return inTransaction(async () => {
      const now = deps.now();
      const byObject = new Map<SObjectDef, string[]>();
      for (const id of ids) {
        const object = isValidIdFormat(id) ? schema.byKeyPrefix(keyPrefixOf(id)) : undefined;
        if (object) byObject.set(object, [...(byObject.get(object) ?? []), to18(id)]);
      }
      const existing = new Map<string, { object: SObjectDef; row: Row }>();
      for (const [object, list] of byObject) for (const [id, row] of await loadRows(sql(), object, list)) existing.set(id, { object, row });
      const seen = new Set<string>();
      const outcomes = ids.map((raw): { id: string; error?: SfError; object?: SObjectDef } => {
        if (!isValidIdFormat(raw)) return { id: raw, error: err('MALFORMED_ID', `malformed id ${raw}`, []) };
        const id = to18(raw);
        const hit = existing.get(id);
        if (!hit) return { id, error: invalidCrossReference() };
        if (hit.row.isdeleted === true) return { id, error: entityIsDeleted() };
        if (!hit.object.deletable) return { id, error: cannotDo(hit.object, 'deleted') };
        if (seen.has(id)) return { id, error: err('DUPLICATE_VALUE', `Duplicate id in list: ${id}`, []) };
        seen.add(id);
        return { id, object: hit.object };
      });
      const failed = outcomes.some((o) => o.error);
      const results = outcomes.map<SaveResult>((o) =>
        o.error ? { id: null, success: false, errors: [o.error] } : opts.allOrNone && failed ? { id: null, success: false, errors: [ROLLED_BACK] } : { id: o.id, success: true, errors: [] }
      );
      if (opts.allOrNone && failed) return results;
      const nowIso = now.toISOString();
      const toDelete = new Map<SObjectDef, string[]>();
      for (const o of outcomes) if (!o.error && o.object) toDelete.set(o.object, [...(toDelete.get(o.object) ?? []), o.id]);
      for (const [object, list] of toDelete) {
        await sql().query(
          `UPDATE ${quoteIdent(object.table)} SET "isdeleted" = true, "systemmodstamp" = $2, "lastmodifieddate" = $2, "lastmodifiedbyid" = $3 WHERE "id" = ANY($1)`,
          [list, nowIso, opts.userId]
        );
        await cascadeDelete(object, list, nowIso, opts.userId);
      }
      return results;
    });
  }

  /** Children of a cascade-delete relationship (master-detail, campaign members) go to the recycle bin too. */
  async function cascadeDelete(object: SObjectDef, ids: string[], nowIso: string, userId: string): Promise<void> {
    for (const rel of object.childRelationships.filter((r) => r.cascadeDelete)) {
      const child = schema.get(rel.childSObject);
      if (!child) continue;
      const column = child.fieldMap.get(rel.field.toLowerCase())?.column;
      if (!column) continue;
      await sql().query(
        `UPDATE ${quoteIdent(child.table)} SET "isdeleted" = true, "systemmodstamp" = $2, "lastmodifieddate" = $2, "lastmodifiedbyid" = $3 WHERE ${quoteIdent(column)} = ANY($1) AND NOT "isdeleted"`,
        [ids, nowIso, userId]
      );
    }
  }

  async function retrieve(type: string, id: string, fields?: string[]): Promise<SObjectRecord | null> {
    const object = objectFor(type);
    const selected = fields?.map((name) => {
      const field = object.fieldMap.get(name.trim().toLowerCase());
      if (!field) throw new SalesforceApiError('INVALID_FIELD', `No such column '${name.trim()}' on sobject of type ${object.name}`, 400, [name.trim()]);
      return field;
    });
    if (!isValidIdFormat(id) || keyPrefixOf(id) !== object.keyPrefix) return null;
    const rows = await loadRows(sql(), object, [to18(id)]);
    const row = rows.get(to18(id));
    if (!row || row.isdeleted === true) return null;
    return rowToApiRecord(object, row, selected);
  }

  return {
    insert,
    update: (type, records, opts) => updateWithMode(type, records, opts, 'update'),
    systemUpdate: (type, records, opts) => updateWithMode(type, records, opts, 'system'),
    upsert,
    delete: remove,
    retrieve,
    transaction: inTransaction
  };
}

function stripIds(record: SObjectRecord): SObjectRecord {
  const copy: SObjectRecord = {};
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() !== 'id') copy[k] = v;
  return copy;
}

function cannotDo(object: SObjectDef, verb: 'inserted' | 'updated' | 'deleted'): SfError {
  return err('INVALID_TYPE_FOR_OPERATION', `entity type cannot be ${verb}: ${object.label}`);
}
