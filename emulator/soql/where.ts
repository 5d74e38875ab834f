/**
 * WHERE / HAVING translation. The parser flattens conditions into a chain (left, operator, right) with
 * open/close parenthesis counts on each condition, so we emit the chain in order with those parentheses.
 *
 * SOQL treats null as a value: `Name != 'x'` and `NOT (Name = 'x')` both include rows where Name is null.
 * Every translated condition is therefore two-valued (never SQL NULL): positive comparisons add
 * `expr IS NOT NULL`, negative ones add `expr IS NULL OR ...`.
 */
import type {
  Condition,
  FunctionExp,
  HavingClause,
  LiteralType,
  Query,
  WhereClause
} from '@jetstreamapp/soql-parser-js';
import { dateLiteralRange } from './dateLiterals';
import {
  badFilterValue,
  caretMessage,
  findToken,
  malformedQuery,
  unknownObject,
  unsupported
} from './errors';
import { functionExpr, type Expr } from './functions';
import { toId18 } from './ids';
import { decodeDateLiteral, decodeDateTimeLiteral, decodeStringLiteral } from './literals';
import { Scope } from './scope';
import { castFor, type SqlParams, type ValueFamily } from './sql';

export interface ConditionContext {
  scope: Scope;
  params: SqlParams;
  now: Date;
  /** HAVING allows aggregate functions on the left side. */
  allowAggregates: boolean;
}

type AnyCondition = Condition & {
  field?: string;
  fn?: FunctionExp;
  operator?: string;
  value?: string | string[];
  literalType?: LiteralType | LiteralType[];
  dateLiteralVariable?: number | number[];
  valueQuery?: Query;
  openParen?: number;
  closeParen?: number;
};

type Chain = { left: AnyCondition | null; operator?: string; right?: Chain };

export function translateConditions(clause: WhereClause | HavingClause, ctx: ConditionContext): string {
  const parts: string[] = [];
  // Salesforce refuses AND and OR mixed at one nesting level without parentheses.
  const opAtDepth: (string | undefined)[] = [undefined];
  let node: Chain | undefined = clause as unknown as Chain;
  while (node) {
    if (node.operator === 'NOT') {
      const open = node.left?.openParen ?? 0;
      for (let i = 0; i < open; i++) opAtDepth.push(undefined);
      parts.push('('.repeat(open), 'NOT ');
      node = node.right;
      continue;
    }
    const cond = node.left;
    if (!cond) throw malformedQuery('unexpected token in WHERE clause');
    const open = cond.openParen ?? 0;
    const close = cond.closeParen ?? 0;
    for (let i = 0; i < open; i++) opAtDepth.push(undefined);
    parts.push('('.repeat(open), translateCondition(cond, ctx), ')'.repeat(close));
    for (let i = 0; i < close; i++) opAtDepth.pop();
    if (!node.operator || !node.right) break;
    const depth = opAtDepth.length - 1;
    const seen = opAtDepth[depth];
    if (seen && seen !== node.operator) {
      const soql = ctx.scope.soql;
      throw malformedQuery(
        caretMessage(soql, findToken(soql, node.operator), `unexpected token: '${node.operator}'`)
      );
    }
    opAtDepth[depth] = node.operator;
    parts.push(` ${node.operator} `);
    node = node.right;
  }
  return parts.join('');
}

function leftSide(cond: AnyCondition, ctx: ConditionContext): { expr: Expr; token: string } {
  if (cond.fn)
    return { expr: functionExpr(ctx.scope, cond.fn, ctx.allowAggregates), token: cond.fn.functionName ?? '' };
  const field = cond.field as string;
  const r = ctx.scope.resolve(field);
  return { expr: { sql: r.expr, family: r.family, resolved: r, aggregate: false }, token: field };
}

function translateCondition(cond: AnyCondition, ctx: ConditionContext): string {
  const soql = ctx.scope.soql;
  const op = (cond.operator ?? '').toUpperCase();
  const { expr, token } = leftSide(cond, ctx);
  if (cond.valueQuery) return semiJoin(cond.valueQuery, op, expr, token, ctx);
  const values = Array.isArray(cond.value) ? cond.value : [cond.value ?? ''];
  const types: (LiteralType | undefined)[] = Array.isArray(cond.literalType)
    ? cond.literalType
    : values.map(() => cond.literalType as LiteralType | undefined);
  const nVars = Array.isArray(cond.dateLiteralVariable)
    ? cond.dateLiteralVariable
    : values.map(() => cond.dateLiteralVariable);

  if (op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES') {
    const decoded = values.map((v, i) =>
      decodeValue(expr, token, v, types[i], nVars[i] as number | undefined, ctx)
    );
    if (op === 'INCLUDES' || op === 'EXCLUDES') return multiPicklist(op, expr, token, decoded, ctx);
    if (decoded.some((d) => d.kind === 'range'))
      throw unsupported(soql, 'Date literals inside IN lists', token);
    const hasNull = decoded.some((d) => d.kind === 'null');
    const list = decoded.flatMap((d) => (d.kind === 'value' ? [comparable(expr.family, d.value)] : []));
    const lhs = lhsComparable(expr);
    const arr = ctx.params.add(list, `${castFor(expr.family)}[]`);
    if (op === 'IN')
      return `((${lhs} = ANY(${arr}) AND ${expr.sql} IS NOT NULL)${hasNull ? ` OR ${expr.sql} IS NULL` : ''})`;
    return `(${hasNull ? '' : `${expr.sql} IS NULL OR `}(${expr.sql} IS NOT NULL AND NOT (${lhs} = ANY(${arr}))))`;
  }

  const decoded = decodeValue(
    expr,
    token,
    values[0] as string,
    types[0],
    nVars[0] as number | undefined,
    ctx,
    op === 'LIKE'
  );
  if (decoded.kind === 'null') {
    if (op === '=') return `(${expr.sql} IS NULL)`;
    if (op === '!=' || op === '<>') return `(${expr.sql} IS NOT NULL)`;
    throw malformedQuery(caretMessage(soql, findToken(soql, token), `invalid operator on null: ${op}`));
  }
  if (op === 'LIKE') {
    if (decoded.kind !== 'value' || (expr.family !== 'text' && expr.family !== 'id')) {
      throw badFilterValue(soql, token, `invalid operator on field ${token}: LIKE`);
    }
    return `(${expr.sql} ILIKE ${ctx.params.add(decoded.value, 'text')} AND ${expr.sql} IS NOT NULL)`;
  }
  if (decoded.kind === 'range') return dateRange(op, expr, decoded, ctx);
  const lhs = lhsComparable(expr);
  const rhs = ctx.params.add(comparable(expr.family, decoded.value), castFor(expr.family));
  switch (op) {
    case '=':
      return `(${lhs} = ${rhs} AND ${expr.sql} IS NOT NULL)`;
    case '!=':
    case '<>':
      return `(${expr.sql} IS NULL OR ${lhs} <> ${rhs})`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (expr.family === 'boolean')
        throw badFilterValue(soql, token, `invalid operator on boolean field ${token}: ${op}`);
      return `(${lhs} ${op} ${rhs} AND ${expr.sql} IS NOT NULL)`;
    default:
      throw malformedQuery(caretMessage(soql, findToken(soql, op), `unexpected token: '${op}'`));
  }
}

/** Strings (text, picklists, emails ...) compare case-insensitively in SOQL. */
function lhsComparable(expr: Expr): string {
  return expr.family === 'text' ? `lower(${expr.sql})` : expr.sql;
}

function comparable(family: ValueFamily, value: unknown): unknown {
  return family === 'text' && typeof value === 'string' ? value.toLowerCase() : value;
}

type Decoded =
  { kind: 'value'; value: unknown } | { kind: 'null' } | { kind: 'range'; start: string; end: string };

function decodeValue(
  expr: Expr,
  token: string,
  raw: string,
  literalType: LiteralType | undefined,
  n: number | undefined,
  ctx: ConditionContext,
  forLike = false
): Decoded {
  const soql = ctx.scope.soql;
  const fieldName = expr.resolved?.field.name ?? token;
  if (literalType === 'NULL') return { kind: 'null' };
  if (literalType === 'APEX_BIND_VARIABLE')
    throw malformedQuery(`Bind variables are only allowed in Apex code: :${raw}`);
  if (literalType === 'INTEGER_WITH_CURRENCY_PREFIX' || literalType === 'DECIMAL_WITH_CURRENCY_PREFIX') {
    throw unsupported(soql, 'Currency-prefixed literals (multi-currency)', raw);
  }
  const mustBe = (typeName: string, quoted: boolean) =>
    badFilterValue(
      soql,
      raw,
      `value of filter criterion for field '${fieldName}' must be of type ${typeName} and should ${quoted ? '' : 'not '}be enclosed in quotes`
    );
  switch (expr.family) {
    case 'compound':
      // Salesforce filters on the components (BillingCity), never on the compound field itself.
      throw malformedQuery(caretMessage(soql, findToken(soql, fieldName), `field '${fieldName}' can not be filtered in a query call`));
    case 'text':
    case 'id': {
      if (literalType !== 'STRING') throw mustBe(expr.family === 'id' ? 'id' : 'string', true);
      const text = decodeStringLiteral(raw, forLike);
      if (text === null)
        throw malformedQuery(
          caretMessage(
            soql,
            findToken(soql, raw),
            `Invalid string literal '${raw}'. Illegal character sequence in escape`
          )
        );
      // Salesforce stores blank text as null, so '' in a filter means null (`Email = ''` finds empty emails).
      if (text === '' && !forLike) return { kind: 'null' };
      if (expr.family === 'id' && !forLike) {
        const id = toId18(text);
        if (!id) throw badFilterValue(soql, raw, `invalid ID field: ${text}`);
        return { kind: 'value', value: id };
      }
      return { kind: 'value', value: text };
    }
    case 'boolean':
      if (literalType !== 'BOOLEAN') throw mustBe('boolean', false);
      return { kind: 'value', value: raw.toUpperCase() === 'TRUE' };
    case 'number':
      if (literalType !== 'INTEGER' && literalType !== 'DECIMAL') throw mustBe('number', false);
      return { kind: 'value', value: raw };
    case 'date':
    case 'datetime': {
      if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') {
        const range = dateLiteralRange(raw, n, ctx.now);
        if (!range)
          throw malformedQuery(
            caretMessage(soql, findToken(soql, raw.split(':')[0] as string), `unexpected token: '${raw}'`)
          );
        return { kind: 'range', ...range };
      }
      if (expr.family === 'date') {
        const date = literalType === 'DATE' ? decodeDateLiteral(raw) : null;
        if (!date) throw mustBe('date', false);
        return { kind: 'value', value: date };
      }
      const dt = literalType === 'DATETIME' ? decodeDateTimeLiteral(raw) : null;
      if (!dt) throw mustBe('dateTime', false);
      return { kind: 'value', value: dt };
    }
  }
}

/** A date literal is a day range [start, end) in UTC; operators compare against its bounds. */
function dateRange(
  op: string,
  expr: Expr,
  range: { start: string; end: string },
  ctx: ConditionContext
): string {
  const cast = castFor(expr.family);
  const bound = (day: string) => ctx.params.add(expr.family === 'datetime' ? `${day}T00:00:00Z` : day, cast);
  const e = expr.sql;
  switch (op) {
    case '=':
      return `(${e} >= ${bound(range.start)} AND ${e} < ${bound(range.end)})`;
    case '!=':
    case '<>':
      return `(${e} IS NULL OR ${e} < ${bound(range.start)} OR ${e} >= ${bound(range.end)})`;
    case '<':
      return `(${e} < ${bound(range.start)})`;
    case '<=':
      return `(${e} < ${bound(range.end)})`;
    case '>':
      return `(${e} >= ${bound(range.end)})`;
    case '>=':
      return `(${e} >= ${bound(range.start)})`;
    default:
      throw malformedQuery(`invalid operator ${op} with a date literal`);
  }
}

/** INCLUDES ('a;b','c') means (has a AND has b) OR has c; EXCLUDES is its negation (nulls excluded from nothing). */
function multiPicklist(
  op: string,
  expr: Expr,
  token: string,
  decoded: Decoded[],
  ctx: ConditionContext
): string {
  if (expr.resolved?.field.type !== 'multipicklist') {
    throw badFilterValue(
      ctx.scope.soql,
      token,
      `invalid operator on field ${token}: ${op} is only valid on multi-select picklists`
    );
  }
  const items = `regexp_split_to_array(lower(${expr.sql}), '\\s*;\\s*')`;
  const terms = decoded.map((d) => {
    if (d.kind !== 'value') throw malformedQuery(`${op} values must be strings`);
    const wanted = String(d.value)
      .toLowerCase()
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return `${items} @> ${ctx.params.add(wanted, 'text[]')}`;
  });
  const any = `(${expr.sql} IS NOT NULL AND (${terms.join(' OR ')}))`;
  return op === 'INCLUDES' ? any : `(NOT ${any})`;
}

/** `Id IN (SELECT LeadId FROM X WHERE ...)`: a semi-join compiled into the same statement. */
function semiJoin(query: Query, op: string, expr: Expr, token: string, ctx: ConditionContext): string {
  const soql = ctx.scope.soql;
  if (op !== 'IN' && op !== 'NOT IN')
    throw malformedQuery(caretMessage(soql, findToken(soql, token), `unexpected token: '${op}'`));
  if (expr.family !== 'id')
    throw malformedQuery(
      `Semi-join sub-selects are only supported on Id or reference fields, not '${token}'`
    );
  const objName = query.sObject ?? '';
  const obj = ctx.scope.schema.get(objName);
  if (!obj) throw unknownObject(soql, objName);
  const fields = query.fields ?? [];
  const only = fields[0];
  if (fields.length !== 1 || !only || only.type !== 'Field') {
    throw malformedQuery(
      'The selected field in a semi-join sub-select must be a single Id or reference field'
    );
  }
  if (query.groupBy || query.having || query.orderBy || query.offset !== undefined) {
    throw unsupported(soql, 'GROUP BY, HAVING, ORDER BY or OFFSET in a semi-join sub-select', objName);
  }
  const inner = new Scope(soql, ctx.scope.schema, obj, ctx.scope.aliases, query.sObjectAlias);
  const selected = inner.resolve(only.field);
  if (selected.family !== 'id')
    throw malformedQuery(
      `The selected field in a semi-join sub-select must be an Id or reference field, not '${only.field}'`
    );
  const where = query.where
    ? ` AND (${translateConditions(query.where, { ...ctx, scope: inner, allowAggregates: false })})`
    : '';
  const limit = query.limit !== undefined ? ` LIMIT ${ctx.params.add(query.limit, 'int')}` : '';
  const sub = `SELECT ${selected.expr} FROM ${inner.fromSql} ${inner.joinsSql} WHERE ${inner.alias}."isdeleted" = false AND ${selected.expr} IS NOT NULL${where}${limit}`;
  if (op === 'IN') return `(${expr.sql} IN (${sub}))`;
  return `(${expr.sql} IS NULL OR ${expr.sql} NOT IN (${sub}))`;
}
