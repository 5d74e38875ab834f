/**
 * Resolves relationship-column values (e.g. `Account.Ext__c` = 'acme-1') to record ids with one
 * SQL query per column and chunk, reading the sobj_* tables directly (layout fixed by core/types).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SfError } from '../core/types';
import type { RelationshipColumn } from './ingest-columns';

export type LookupOutcome = { id: string } | { error: SfError };

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Resolves the distinct `values` of one relationship column; the result is keyed by the raw value. */
export async function resolveLookupValues(
  db: PGlite,
  column: RelationshipColumn,
  values: readonly string[]
): Promise<Map<string, LookupOutcome>> {
  const outcomes = new Map<string, LookupOutcome>();
  const distinct = [...new Set(values)];
  if (distinct.length === 0) return outcomes;
  const { target, targetField, referenceField } = column;
  const caseSensitive = targetField.caseSensitive || targetField.type === 'id';
  const col = `${quoteIdent(targetField.column)}::text`;
  const matchExpr = caseSensitive ? col : `lower(${col})`;
  const keys = distinct.map((v) => (caseSensitive ? v : v.toLowerCase()));
  const res = await db.query<{ id: string; v: string }>(
    `SELECT id, ${col} AS v FROM ${quoteIdent(target.table)} WHERE NOT isdeleted AND ${matchExpr} = ANY($1::text[])`,
    [keys]
  );
  const idsByKey = new Map<string, string[]>();
  for (const row of res.rows) {
    const key = caseSensitive ? row.v : row.v.toLowerCase();
    idsByKey.set(key, [...(idsByKey.get(key) ?? []), row.id]);
  }
  for (const value of distinct) {
    const ids = idsByKey.get(caseSensitive ? value : value.toLowerCase()) ?? [];
    if (ids.length === 1 && ids[0]) {
      outcomes.set(value, { id: ids[0] });
    } else if (ids.length === 0) {
      outcomes.set(value, {
        error: {
          statusCode: 'INVALID_FIELD',
          message: `Foreign key external ID: ${value} not found for field ${targetField.name} in entity ${target.name}`,
          fields: [referenceField.name]
        }
      });
    } else {
      outcomes.set(value, {
        error: {
          statusCode: 'DUPLICATE_EXTERNAL_ID',
          message: `More than 1 record found for external id field: ${targetField.name} in entity ${target.name}`,
          fields: [referenceField.name]
        }
      });
    }
  }
  return outcomes;
}
