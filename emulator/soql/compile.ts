/**
 * Compiles a parsed SOQL query into a plan: one Postgres statement for the FROM object (parent fields as
 * LEFT JOINs, values formatted in SQL) plus one statement per child-relationship subquery, and the shape
 * that turns result rows into Salesforce records.
 */
import type {
  FieldType as SoqlField,
  FunctionExp,
  OrderByClause,
  Query,
  Subquery
} from '@jetstreamapp/soql-parser-js';
import { SalesforceApiError, type FieldDef, type Schema, type SObjectDef } from '../core/types';
import {
  caretMessage,
  findToken,
  malformedQuery,
  unknownObject,
  unknownRelationship,
  unsupported
} from './errors';
import { functionExpr, isAggregateName, type Expr } from './functions';
import { AliasCounter, Scope, type ParentJoin, type ResolvedField } from './scope';
import { formatExpr, quoteIdent, SqlParams, type OutputStyle, type ValueFamily } from './sql';
import { translateConditions } from './where';

export type OutNode =
  | { kind: 'field'; key: string; col: string }
  | { kind: 'parent'; key: string; joinKey: string; idCol: string; typeCol: string; children: OutNode[] }
  | { kind: 'children'; key: string; child: ChildPlan };

/** One SELECT item in order, for column metadata and flattened (Bulk) output. */
export type SelectItem =
  | { kind: 'field'; path: string; col: string; field: FieldDef; joins: ParentJoin[] }
  | {
      kind: 'aggregate';
      name: string;
      displayName: string;
      col: string;
      family: ValueFamily;
      field: FieldDef | null;
      isAggregate: boolean;
    }
  | { kind: 'children'; name: string; child: ChildPlan };

export interface ChildPlan {
  relationshipName: string;
  plan: SelectPlan;
}

export interface SelectPlan {
  kind: 'records' | 'aggregate' | 'count';
  object: SObjectDef;
  scope: Scope;
  params: SqlParams;
  /** `expr AS "cN"` entries */
  selectSql: string[];
  /** full WHERE condition (includes the IsDeleted filter) */
  whereSql: string;
  groupBySql: string[];
  havingSql: string | null;
  orderSql: string[];
  /** false when the order is only the implicit id order (cursors can then page by id instead of storing ids) */
  userOrdered: boolean;
  limit?: number;
  offset?: number;
  nodes: OutNode[];
  items: SelectItem[];
  /** Column holding the FROM object's id (records plans). */
  idCol: string;
  /** Column (and its SQL) holding the parent id, for child-relationship plans. */
  parentCol?: string;
  parentExpr?: string;
}

export interface CompileOptions {
  schema: Schema;
  now: Date;
  includeDeleted: boolean;
  style: OutputStyle;
}

const MAX_OFFSET = 2000;

export function compileQuery(soql: string, query: Query, opts: CompileOptions): SelectPlan {
  const name = query.sObject ?? '';
  const obj = opts.schema.get(name);
  if (!obj) throw unknownObject(soql, name);
  return compileSelect(soql, query, obj, opts, undefined);
}

class ColumnSet {
  readonly selectSql: string[] = [];
  private readonly byExpr = new Map<string, string>();

  add(expr: string): string {
    const existing = this.byExpr.get(expr);
    if (existing) return existing;
    const col = `c${this.selectSql.length}`;
    this.selectSql.push(`${expr} AS ${quoteIdent(col)}`);
    this.byExpr.set(expr, col);
    return col;
  }
}

function checkClauses(soql: string, query: Query | Subquery): void {
  if (query.withDataCategory) throw unsupported(soql, 'WITH DATA CATEGORY', 'DATA');
  if (query.usingScope && query.usingScope.toLowerCase() !== 'everything')
    throw unsupported(soql, `USING SCOPE ${query.usingScope}`, 'SCOPE');
  if (query.offset !== undefined && query.offset > MAX_OFFSET) {
    throw new SalesforceApiError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`
    );
  }
  // FOR VIEW / FOR REFERENCE / FOR UPDATE, UPDATE TRACKING|VIEWSTAT, WITH SECURITY_ENFORCED and
  // WITH USER_MODE|SYSTEM_MODE change locking, statistics or sharing only: the emulator runs every query as admin.
}

function isAggregateQuery(query: Query | Subquery): boolean {
  if (query.groupBy) return true;
  return (query.fields ?? []).some(
    (f) => f.type === 'FieldFunctionExpression' && isAggregateName(f.functionName)
  );
}

function compileSelect(
  soql: string,
  query: Query | Subquery,
  obj: SObjectDef,
  opts: CompileOptions,
  parentFk: FieldDef | undefined
): SelectPlan {
  checkClauses(soql, query);
  const scope = new Scope(soql, opts.schema, obj, new AliasCounter(), query.sObjectAlias);
  const params = new SqlParams();
  const cols = new ColumnSet();
  const fields = query.fields ?? [];
  if (fields.length === 0)
    throw malformedQuery(caretMessage(soql, findToken(soql, 'FROM'), "unexpected token: 'FROM'"));
  const aggregate = isAggregateQuery(query);
  const isCount = fields.some(
    (f) =>
      f.type === 'FieldFunctionExpression' &&
      f.functionName.toUpperCase() === 'COUNT' &&
      f.parameters.length === 0
  );
  if (isCount && (fields.length > 1 || query.groupBy)) {
    throw malformedQuery(
      caretMessage(
        soql,
        findToken(soql, 'COUNT'),
        'COUNT() must be the only element in the SELECT list and cannot be used with GROUP BY'
      )
    );
  }
  const kind: SelectPlan['kind'] = isCount ? 'count' : aggregate ? 'aggregate' : 'records';

  const conditions: string[] = [];
  if (!opts.includeDeleted) conditions.push(`${scope.alias}."isdeleted" = false`);
  if (query.where)
    conditions.push(
      `(${translateConditions(query.where, { scope, params, now: opts.now, allowAggregates: false })})`
    );

  const idCol = kind === 'aggregate' ? '' : cols.add(scope.idExpr);
  const parentExpr = parentFk ? `${scope.alias}.${quoteIdent(parentFk.column)}` : undefined;
  const parentCol = parentExpr ? cols.add(parentExpr) : undefined;
  const nodes: OutNode[] = [];
  const items: SelectItem[] = [];
  let groupBySql: string[] = [];
  let havingSql: string | null = null;

  if (kind === 'records') {
    for (const f of expandFieldsFunction(soql, fields, obj, query.limit))
      compileRecordField(soql, f, scope, cols, nodes, items, opts);
  } else if (kind === 'aggregate') {
    groupBySql = compileGroupBy(soql, query, scope);
    compileAggregateFields(soql, fields, scope, cols, nodes, items, groupBySql, opts.style);
    if (query.having) {
      havingSql = translateConditions(query.having, { scope, params, now: opts.now, allowAggregates: true });
    }
  } else if (query.having) {
    throw malformedQuery('HAVING requires GROUP BY');
  }

  const orderSql = compileOrderBy(soql, query, scope, params, kind === 'aggregate');
  const userOrdered = orderSql.length > 0;
  // The id tiebreaker makes paging deterministic (and is the whole order when none is given).
  if (kind === 'records') orderSql.push(`${scope.alias}."id" ASC`);

  return {
    kind,
    object: obj,
    scope,
    params,
    selectSql: cols.selectSql,
    whereSql: conditions.length ? conditions.join(' AND ') : 'TRUE',
    groupBySql,
    havingSql,
    orderSql,
    userOrdered,
    limit: query.limit,
    offset: query.offset,
    nodes,
    items,
    idCol,
    parentCol,
    parentExpr
  };
}

const FIELDS_LIMIT = 200;

/** FIELDS(ALL|STANDARD|CUSTOM) expands to the object's fields; ALL and CUSTOM need LIMIT 200 or less, as in Salesforce. */
function expandFieldsFunction(
  soql: string,
  fields: SoqlField[],
  obj: SObjectDef,
  limit: number | undefined
): SoqlField[] {
  return fields.flatMap((f): SoqlField[] => {
    if (f.type !== 'FieldFunctionExpression' || f.functionName.toUpperCase() !== 'FIELDS') return [f];
    const which = String(f.parameters[0] ?? '').toUpperCase();
    if (!['ALL', 'STANDARD', 'CUSTOM'].includes(which))
      throw malformedQuery(caretMessage(soql, findToken(soql, 'FIELDS'), `unexpected token: '${which}'`));
    if (which !== 'STANDARD' && (limit === undefined || limit > FIELDS_LIMIT)) {
      throw malformedQuery(
        caretMessage(
          soql,
          findToken(soql, 'FIELDS'),
          `The SOQL FIELDS function must have a LIMIT of at most ${FIELDS_LIMIT}`
        )
      );
    }
    return obj.fields
      .filter((d) => which === 'ALL' || (which === 'CUSTOM') === d.custom)
      .map((d): SoqlField => ({ type: 'Field', field: d.name }));
  });
}

function compileRecordField(
  soql: string,
  f: SoqlField,
  scope: Scope,
  cols: ColumnSet,
  nodes: OutNode[],
  items: SelectItem[],
  opts: CompileOptions
): void {
  switch (f.type) {
    case 'Field':
    case 'FieldRelationship': {
      const path = f.type === 'Field' ? f.field : (f.rawValue ?? [...f.relationships, f.field].join('.'));
      const r = scope.resolve(path);
      const col = cols.add(formatExpr(r.family, r.expr, opts.style));
      placeField(nodes, r, col, cols);
      const canonical = [...r.path.map((j) => j.name), r.field.name].join('.');
      if (!items.some((i) => i.kind === 'field' && i.path === canonical))
        items.push({ kind: 'field', path: canonical, col, field: r.field, joins: r.path });
      return;
    }
    case 'FieldSubquery': {
      const child = compileChild(soql, f.subquery, scope.root, opts);
      nodes.push({ kind: 'children', key: child.relationshipName, child });
      items.push({ kind: 'children', name: child.relationshipName, child });
      return;
    }
    case 'FieldFunctionExpression':
      throw unsupported(soql, `The function ${f.functionName}()`, f.functionName);
    case 'FieldTypeof':
      throw unsupported(soql, 'TYPEOF', 'TYPEOF');
  }
}

/** Puts a field under its parent-relationship nodes (created on first use, in SELECT order). */
function placeField(nodes: OutNode[], r: ResolvedField, col: string, cols: ColumnSet): void {
  let level = nodes;
  for (const join of r.path) {
    let parent = level.find(
      (n): n is Extract<OutNode, { kind: 'parent' }> => n.kind === 'parent' && n.joinKey === join.key
    );
    if (!parent) {
      parent = {
        kind: 'parent',
        key: join.name,
        joinKey: join.key,
        idCol: cols.add(join.idExpr),
        typeCol: cols.add(join.typeExpr),
        children: []
      };
      level.push(parent);
    }
    level = parent.children;
  }
  if (!level.some((n) => n.kind === 'field' && n.key === r.field.name))
    level.push({ kind: 'field', key: r.field.name, col });
}

function compileChild(soql: string, sub: Subquery, parent: SObjectDef, opts: CompileOptions): ChildPlan {
  const relName = sub.relationshipName;
  const rel = parent.childRelationships.find(
    (c) => c.relationshipName?.toLowerCase() === relName.toLowerCase()
  );
  if (!rel || !rel.relationshipName)
    throw unknownRelationship(soql, relName, relName, 'FROM part of query call');
  const childObj = opts.schema.get(rel.childSObject);
  const fk = childObj?.fieldMap.get(rel.field.toLowerCase());
  if (!childObj || !fk) throw unknownRelationship(soql, relName, relName, 'FROM part of query call');
  if (isAggregateQuery(sub))
    throw malformedQuery('Aggregate functions and GROUP BY are not allowed in child relationship subqueries');
  if ((sub.fields ?? []).some((f) => f.type === 'FieldSubquery'))
    throw malformedQuery('Nesting of child relationship subqueries is not supported');
  const plan = compileSelect(soql, sub, childObj, opts, fk);
  return { relationshipName: rel.relationshipName, plan };
}

function compileGroupBy(soql: string, query: Query | Subquery, scope: Scope): string[] {
  if (!query.groupBy) return [];
  const clauses = Array.isArray(query.groupBy) ? query.groupBy : [query.groupBy];
  return clauses.map((g) => {
    if ('fn' in g && g.fn) {
      const name = (g.fn.functionName ?? '').toUpperCase();
      if (name === 'ROLLUP' || name === 'CUBE') throw unsupported(soql, `GROUP BY ${name}`, name);
      return functionExpr(scope, g.fn, false).sql;
    }
    return scope.resolve((g as { field: string }).field).expr;
  });
}

function compileAggregateFields(
  soql: string,
  fields: SoqlField[],
  scope: Scope,
  cols: ColumnSet,
  nodes: OutNode[],
  items: SelectItem[],
  groupBySql: string[],
  style: OutputStyle
): void {
  let exprIndex = 0;
  for (const f of fields) {
    let expr: Expr;
    let defaultName: string;
    let displayName: string;
    let alias: string | undefined;
    if (f.type === 'Field' || f.type === 'FieldRelationship') {
      const path = f.type === 'Field' ? f.field : (f.rawValue ?? [...f.relationships, f.field].join('.'));
      const r = scope.resolve(path);
      expr = { sql: r.expr, family: r.family, resolved: r, aggregate: false };
      defaultName = r.field.name;
      displayName = r.field.name;
      alias = 'alias' in f ? f.alias : undefined;
    } else if (f.type === 'FieldFunctionExpression') {
      expr = functionExpr(scope, f as FunctionExp, true);
      alias = f.alias;
      defaultName = `expr${exprIndex}`;
      if (!alias) exprIndex++;
      displayName = (f.rawValue ?? f.functionName).replace(
        /^([A-Za-z_]+)\(/,
        (_m, n: string) => `${n.toLowerCase()}(`
      );
    } else {
      throw malformedQuery(
        f.type === 'FieldSubquery'
          ? 'Child relationship subqueries are not allowed in aggregate queries'
          : 'TYPEOF is not allowed in aggregate queries'
      );
    }
    if (!expr.aggregate && !groupBySql.includes(expr.sql)) {
      const token = f.type === 'FieldFunctionExpression' ? f.functionName : (expr.resolved?.field.name ?? '');
      throw malformedQuery(
        caretMessage(
          soql,
          findToken(soql, token),
          `Field must be grouped or aggregated: ${expr.resolved?.field.name ?? token}`
        )
      );
    }
    const name = alias ?? defaultName;
    const col = cols.add(formatExpr(expr.family, expr.sql, style));
    nodes.push({ kind: 'field', key: name, col });
    items.push({
      kind: 'aggregate',
      name,
      displayName,
      col,
      family: expr.family,
      field: expr.resolved?.field ?? null,
      isAggregate: expr.aggregate
    });
  }
}

function compileOrderBy(
  soql: string,
  query: Query | Subquery,
  scope: Scope,
  params: SqlParams,
  aggregate: boolean
): string[] {
  if (!query.orderBy) return [];
  const clauses: OrderByClause[] = Array.isArray(query.orderBy) ? query.orderBy : [query.orderBy];
  return clauses.flatMap((c) => {
    let expr: Expr;
    if ('fn' in c && c.fn) {
      expr = functionExpr(scope, c.fn, aggregate);
    } else {
      const r = scope.resolve((c as { field: string }).field);
      if ((r.field.type === 'textarea' && r.field.length > 255) || r.field.type === 'address') {
        throw malformedQuery(
          caretMessage(
            soql,
            findToken(soql, r.field.name),
            `field '${r.field.name}' can not be sorted in a query call`
          )
        );
      }
      expr = { sql: r.expr, family: r.family, resolved: r, aggregate: false };
    }
    const dir = c.order === 'DESC' ? 'DESC' : 'ASC';
    // Salesforce puts nulls first for ASC and last for DESC unless told otherwise.
    const nulls = c.nulls ?? (dir === 'ASC' ? 'FIRST' : 'LAST');
    const picklist = expr.aggregate ? undefined : expr.resolved?.field;
    if (
      picklist &&
      (picklist.type === 'picklist' || picklist.type === 'multipicklist') &&
      picklist.picklistValues.length
    ) {
      // Picklists sort in their defined value order; values not in the list sort after the known ones.
      const order = params.add(
        picklist.picklistValues.map((v) => v.value),
        'text[]'
      );
      const position = `CASE WHEN ${expr.sql} IS NULL THEN NULL ELSE COALESCE(array_position(${order}, ${expr.sql}), 2147483647) END`;
      return [`${position} ${dir} NULLS ${nulls}`, `lower(${expr.sql}) ${dir}`];
    }
    // Text sorts case-insensitively in Salesforce.
    const sortExpr = expr.family === 'text' ? `lower(${expr.sql})` : expr.sql;
    // A required field on the FROM object has no nulls: leaving out NULLS lets Postgres walk a plain btree index
    // (CreatedDate, SystemModstamp ...), which Salesforce's defaults (ASC NULLS FIRST) would otherwise prevent.
    const neverNull =
      !expr.aggregate &&
      expr.resolved?.path.length === 0 &&
      !expr.resolved.field.nillable &&
      !('fn' in c && c.fn);
    return [neverNull ? `${sortExpr} ${dir}` : `${sortExpr} ${dir} NULLS ${nulls}`];
  });
}
