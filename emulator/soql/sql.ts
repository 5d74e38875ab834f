/** Small SQL-building helpers: every value goes through SqlParams ($1..), identifiers are quoted. */
import type { FieldDef } from '../core/types';

export class SqlParams {
  readonly values: unknown[] = [];

  /** Copy for a statement that reuses these conditions and binds more values. */
  clone(): SqlParams {
    const copy = new SqlParams();
    copy.values.push(...this.values);
    return copy;
  }

  /** Adds a bound value and returns its placeholder (optionally cast, e.g. `$3::date`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** 'compound': a compound address, selected as a JSON object built from its components. */
export type ValueFamily = 'text' | 'id' | 'boolean' | 'number' | 'date' | 'datetime' | 'compound';

export function familyOf(field: Pick<FieldDef, 'type'>): ValueFamily {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'address':
      return 'compound';
    default:
      return 'text';
  }
}

/** Output style: REST JSON (`2024-05-20T20:49:32.000+0000`) or Bulk 2.0 CSV (`2024-05-20T20:49:32.000Z`). */
export type OutputStyle = 'rest' | 'bulk';

/** SQL that renders a value the way Salesforce returns it, so JS never re-parses dates or numerics. */
export function formatExpr(family: ValueFamily, expr: string, style: OutputStyle): string {
  switch (family) {
    case 'datetime':
      return `to_char((${expr})::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS${style === 'rest' ? '"+0000"' : '"Z"'}')`;
    case 'date':
      return `to_char((${expr})::date, 'YYYY-MM-DD')`;
    case 'number':
      return `(${expr})::float8`;
    case 'boolean':
      return `(${expr})::boolean`;
    case 'compound':
      // REST returns the nested object; a Bulk CSV cell gets its JSON text.
      return style === 'rest' ? expr : `(${expr})::text`;
    default:
      return `(${expr})::text`;
  }
}

/** Postgres cast used for a bound value compared with a field of this family. */
export function castFor(family: ValueFamily): string {
  switch (family) {
    case 'number':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}
