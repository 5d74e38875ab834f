/**
 * Batch phase of a save: checks that need the database, one query per concern for the whole call
 * (existing rows, referenced records per target object, each unique field), and AutoNumber values.
 */
import type { SqlRunner } from './database';
import { quoteIdent, reserveSequence } from './database';
import { duplicateValue, err, invalidCrossReference } from './dml-errors';
import { keyPrefixOf } from './ids';
import type { Pending, Row } from './record-prepare';
import type { FieldDef, Schema, SObjectDef } from './types';
import { normalizeRow } from './values';

/** Existing rows by id (deleted ones included), in stored form. */
export async function loadRows(run: SqlRunner, object: SObjectDef, ids: string[]): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (ids.length === 0) return found;
  const result = await run.query<Row>(`SELECT * FROM ${quoteIdent(object.table)} WHERE "id" = ANY($1)`, [ids]);
  for (const row of result.rows) found.set(String(row.id), normalizeRow(object, row));
  return found;
}

/** Reference fields must point at existing, undeleted records of an allowed type. One query per target table. */
export async function checkReferences(run: SqlRunner, schema: Schema, object: SObjectDef, pendings: Pending[]): Promise<void> {
  const wanted = new Map<SObjectDef, Set<string>>();
  const checks: Array<{ pending: Pending; field: FieldDef; id: string; target: SObjectDef }> = [];
  for (const pending of pendings) {
    if (pending.errors.length > 0) continue;
    for (const column of pending.supplied) {
      const field = object.fieldMap.get(column);
      const value = pending.row[column];
      if (!field || field.type !== 'reference' || typeof value !== 'string') continue;
      const target = schema.byKeyPrefix(keyPrefixOf(value));
      const allowed = field.referenceTo.some((t) => t.toLowerCase() === target?.name.toLowerCase());
      if (!target || !allowed) {
        // Targets the emulator does not model (Profile, UserRole, Group) cannot be verified.
        if (field.referenceTo.every((t) => schema.get(t))) {
          pending.errors.push(err('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [field.name]));
        }
        continue;
      }
      checks.push({ pending, field, id: value, target });
      const set = wanted.get(target) ?? new Set<string>();
      set.add(value);
      wanted.set(target, set);
    }
  }
  const state = new Map<string, boolean>();
  for (const [target, ids] of wanted) {
    const result = await run.query<{ id: string; isdeleted: boolean }>(
      `SELECT "id", "isdeleted" FROM ${quoteIdent(target.table)} WHERE "id" = ANY($1)`,
      [[...ids]]
    );
    for (const row of result.rows) state.set(row.id, row.isdeleted);
  }
  for (const check of checks) {
    const deleted = state.get(check.id);
    if (deleted === undefined) check.pending.errors.push(invalidCrossReference([check.field.name]));
    else if (deleted) check.pending.errors.push(err('ENTITY_IS_DELETED', 'entity is deleted', [check.field.name]));
  }
}

/** Unique fields: clashes with other live rows and within the batch. One query per unique field. */
export async function checkUnique(run: SqlRunner, object: SObjectDef, pendings: Pending[]): Promise<void> {
  for (const field of object.fields.filter((f) => f.unique)) {
    const caseless = !field.caseSensitive;
    const key = (v: unknown) => (caseless ? String(v).toLowerCase() : String(v));
    const candidates = pendings.filter((p) => p.errors.length === 0 && p.supplied.has(field.column) && p.row[field.column] != null);
    if (candidates.length === 0) continue;
    const seen = new Map<string, Pending>();
    for (const p of candidates) {
      const k = key(p.row[field.column]);
      const first = seen.get(k);
      if (first) p.errors.push(duplicateValue(field.name, String(first.row.id)));
      else seen.set(k, p);
    }
    const col = quoteIdent(field.column);
    const expr = caseless ? `lower(${col}::text)` : `${col}::text`;
    const result = await run.query<{ id: string; v: string }>(
      `SELECT "id", ${expr} AS v FROM ${quoteIdent(object.table)} WHERE ${expr} = ANY($1) AND NOT "isdeleted"`,
      [[...seen.keys()]]
    );
    for (const hit of result.rows) {
      const p = seen.get(hit.v);
      if (p && p.row.id !== hit.id && p.errors.length === 0) p.errors.push(duplicateValue(field.name, hit.id));
    }
  }
}

export async function fillAutoNumbers(run: SqlRunner, object: SObjectDef, pendings: Pending[]): Promise<void> {
  const live = pendings.filter((p) => p.errors.length === 0);
  for (const field of object.fields) {
    if (!field.autoNumberFormat || live.length === 0) continue;
    let n = await reserveSequence(run, `autonumber:${object.name}.${field.name}`.toLowerCase(), live.length);
    for (const p of live) p.row[field.column] = formatAutoNumber(field.autoNumberFormat, n++);
  }
}

/** 'FSC-{0000000}' + 42 -> 'FSC-0000042'. */
export function formatAutoNumber(format: string, n: number): string {
  return format.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
}
