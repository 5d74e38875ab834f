/** SOQL functions: date functions (usable in SELECT, WHERE, GROUP BY, ORDER BY) and aggregates. */
import type { FunctionExp } from '@jetstreamapp/soql-parser-js';
import { malformedQuery, unsupported } from './errors';
import type { ResolvedField, Scope } from './scope';
import type { ValueFamily } from './sql';

export interface Expr {
  sql: string;
  family: ValueFamily;
  /** The field underneath (for naming and column metadata); absent for COUNT(). */
  resolved?: ResolvedField;
  aggregate: boolean;
}

const DATE_PARTS: Record<string, string> = {
  CALENDAR_MONTH: 'month',
  CALENDAR_QUARTER: 'quarter',
  CALENDAR_YEAR: 'year',
  FISCAL_MONTH: 'month',
  FISCAL_QUARTER: 'quarter',
  FISCAL_YEAR: 'year',
  DAY_IN_MONTH: 'day',
  DAY_IN_YEAR: 'doy',
  HOUR_IN_DAY: 'hour'
};

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name.toUpperCase());
}

function singleParam(soql: string, fn: FunctionExp): string | FunctionExp {
  const params = fn.parameters ?? [];
  if (params.length !== 1)
    throw malformedQuery(`${fn.functionName} expects exactly one argument: ${fn.rawValue ?? ''}`);
  return params[0] as string | FunctionExp;
}

/** Timestamp (without zone, in UTC) for date-part extraction. */
function asUtcTimestamp(r: ResolvedField): string {
  return r.family === 'datetime' ? `((${r.expr}) AT TIME ZONE 'UTC')` : `(${r.expr})::timestamp`;
}

export function dateFunctionExpr(scope: Scope, fn: FunctionExp): Expr {
  const name = (fn.functionName ?? '').toUpperCase();
  const arg = singleParam(scope.soql, fn);
  if (typeof arg !== 'string')
    throw unsupported(scope.soql, `Nested function ${fn.rawValue ?? name}`, fn.functionName);
  const r = scope.resolve(arg);
  if (r.family !== 'date' && r.family !== 'datetime') {
    throw malformedQuery(`${name} can only be applied to date or dateTime fields, not '${r.field.name}'`);
  }
  if (name === 'DAY_ONLY') {
    if (r.family !== 'datetime')
      throw malformedQuery(`DAY_ONLY can only be applied to dateTime fields, not '${r.field.name}'`);
    return { sql: `(${asUtcTimestamp(r)})::date`, family: 'date', resolved: r, aggregate: false };
  }
  const ts = asUtcTimestamp(r);
  if (name === 'DAY_IN_WEEK')
    return { sql: `(extract(dow from ${ts})::int + 1)`, family: 'number', resolved: r, aggregate: false };
  if (name === 'WEEK_IN_MONTH')
    return {
      sql: `((extract(day from ${ts})::int - 1) / 7 + 1)`,
      family: 'number',
      resolved: r,
      aggregate: false
    };
  if (name === 'WEEK_IN_YEAR')
    return {
      sql: `((extract(doy from ${ts})::int - 1) / 7 + 1)`,
      family: 'number',
      resolved: r,
      aggregate: false
    };
  const part = DATE_PARTS[name];
  if (!part) throw unsupported(scope.soql, `The function ${fn.functionName}()`, fn.functionName);
  if (part === 'hour' && r.family !== 'datetime')
    throw malformedQuery(`HOUR_IN_DAY can only be applied to dateTime fields, not '${r.field.name}'`);
  return { sql: `extract(${part} from ${ts})::int`, family: 'number', resolved: r, aggregate: false };
}

/** Any function expression: aggregates (only when allowed) or date functions. */
export function functionExpr(scope: Scope, fn: FunctionExp, allowAggregate: boolean): Expr {
  const name = (fn.functionName ?? '').toUpperCase();
  if (!isAggregateName(name)) return dateFunctionExpr(scope, fn);
  if (!allowAggregate)
    throw malformedQuery(`Aggregate function ${name} cannot be used here: ${fn.rawValue ?? name}`);
  const params = fn.parameters ?? [];
  if (name === 'COUNT' && params.length === 0)
    return { sql: 'count(*)::int', family: 'number', aggregate: true };
  const arg = singleParam(scope.soql, fn);
  const inner: Expr =
    typeof arg === 'string'
      ? { sql: '', family: 'text', aggregate: false, resolved: scope.resolve(arg) }
      : dateFunctionExpr(scope, arg);
  const r = inner.resolved as ResolvedField;
  const argSql = typeof arg === 'string' ? r.expr : inner.sql;
  const argFamily = typeof arg === 'string' ? r.family : inner.family;
  switch (name) {
    case 'COUNT':
      return { sql: `count(${argSql})::int`, family: 'number', resolved: r, aggregate: true };
    case 'COUNT_DISTINCT':
      return { sql: `count(DISTINCT ${argSql})::int`, family: 'number', resolved: r, aggregate: true };
    case 'SUM':
    case 'AVG':
      if (argFamily !== 'number')
        throw malformedQuery(`field ${r.field.name} does not support aggregate operator ${name}`);
      return { sql: `${name.toLowerCase()}(${argSql})`, family: 'number', resolved: r, aggregate: true };
    default:
      if (argFamily === 'boolean')
        throw malformedQuery(`field ${r.field.name} does not support aggregate operator ${name}`);
      return { sql: `${name.toLowerCase()}(${argSql})`, family: argFamily, resolved: r, aggregate: true };
  }
}
