/**
 * Field-path resolution for one FROM object: `Name`, `Owner.Name`, `ConvertedOpportunity.Account.Name`.
 * Each parent relationship becomes one LEFT JOIN (shared by every path through it). Polymorphic lookups
 * (OwnerId -> User|Group, WhoId -> Contact|Lead) join every target the schema models (Owner: User only,
 * since the emulator has no queues) and coalesce their columns.
 */
import { compoundComponents } from '../core/field-builders';
import type { FieldDef, Schema, SObjectDef } from '../core/types';
import { malformedQuery, noSuchColumn, unknownRelationship } from './errors';
import { familyOf, quoteIdent, type ValueFamily } from './sql';

export interface JoinTarget {
  obj: SObjectDef;
  alias: string;
}

export interface ParentJoin {
  /** lowercase dotted path, e.g. 'owner' or 'convertedopportunity.account' */
  key: string;
  /** canonical relationship name, e.g. 'Owner', 'Lead__r' */
  name: string;
  targets: JoinTarget[];
  /** SQL for the parent's id (null when there is no parent) */
  idExpr: string;
  /** SQL for the parent's sObject type (only differs from targets[0] when polymorphic) */
  typeExpr: string;
  /** API name of the lookup field, e.g. 'OwnerId' */
  foreignKey: string;
}

export interface ResolvedField {
  field: FieldDef;
  family: ValueFamily;
  expr: string;
  /** Parent joins walked, outermost first (empty for a field on the FROM object). */
  path: ParentJoin[];
}

/** Allocates table aliases unique across a whole statement (outer query and semi-joins). */
export class AliasCounter {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
}

export class Scope {
  readonly alias: string;
  private readonly joins = new Map<string, ParentJoin>();
  private readonly joinSql: string[] = [];

  constructor(
    readonly soql: string,
    readonly schema: Schema,
    readonly root: SObjectDef,
    readonly aliases: AliasCounter,
    /** `FROM Lead l` lets fields be written `l.Name`. */
    readonly objectAlias?: string
  ) {
    this.alias = aliases.next('t');
  }

  get fromSql(): string {
    return `${quoteIdent(this.root.table)} ${this.alias}`;
  }

  get joinsSql(): string {
    return this.joinSql.join(' ');
  }

  get idExpr(): string {
    return `${this.alias}."id"`;
  }

  /** Resolves a (possibly dotted) field reference; `token` is the text to point at in errors. */
  resolve(path: string, token = path): ResolvedField {
    const parts = path.split('.');
    if (parts.length > 1 && this.objectAlias && parts[0]?.toLowerCase() === this.objectAlias.toLowerCase())
      parts.shift();
    const head = parts[0]?.toLowerCase() ?? '';
    if (parts.length > 1 && head === this.root.name.toLowerCase() && !this.root.relationshipMap.has(head))
      parts.shift();
    const fieldName = parts.pop() as string;
    let targets: JoinTarget[] = [{ obj: this.root, alias: this.alias }];
    const walked: ParentJoin[] = [];
    let key = '';
    for (const rel of parts) {
      if (targets.length > 1) {
        throw malformedQuery(
          `Relationship path '${path}' goes through the polymorphic relationship '${walked[walked.length - 1]?.name}'; the emulator resolves polymorphic relationships only one level deep (use TYPEOF in Salesforce)`
        );
      }
      const from = targets[0] as JoinTarget;
      key = key ? `${key}.${rel.toLowerCase()}` : rel.toLowerCase();
      const join = this.joins.get(key) ?? this.addJoin(key, from, rel, token);
      walked.push(join);
      targets = join.targets;
    }
    return this.resolveField(targets, fieldName, token, walked);
  }

  private resolveField(
    targets: JoinTarget[],
    fieldName: string,
    token: string,
    path: ParentJoin[]
  ): ResolvedField {
    const lower = fieldName.toLowerCase();
    const hits = targets.flatMap((t) => {
      const field = t.obj.fieldMap.get(lower);
      return field ? [{ t, field }] : [];
    });
    const first = hits[0];
    if (!first)
      throw noSuchColumn(this.soql, token, targets.length > 1 ? 'Name' : (targets[0] as JoinTarget).obj.name);
    if (first.field.type === 'address') {
      return { field: first.field, family: 'compound', expr: compoundExpr(first.t, first.field), path };
    }
    const exprs = hits.map((h) => `${h.t.alias}.${quoteIdent(h.field.column)}`);
    const expr = exprs.length === 1 ? (exprs[0] as string) : `COALESCE(${exprs.join(', ')})`;
    return { field: first.field, family: familyOf(first.field), expr, path };
  }

  private addJoin(key: string, from: JoinTarget, rel: string, token: string): ParentJoin {
    const refField = from.obj.relationshipMap.get(rel.toLowerCase());
    if (!refField) throw unknownRelationship(this.soql, token, rel, 'field path');
    const objs = this.targetObjects(refField);
    if (objs.length === 0) {
      throw malformedQuery(
        `Relationship '${refField.relationshipName}' points to ${refField.referenceTo.join(', ')}, which the emulator does not model`
      );
    }
    const targets = objs.map((obj) => ({ obj, alias: this.aliases.next('j') }));
    for (const t of targets) {
      this.joinSql.push(
        `LEFT JOIN ${quoteIdent(t.obj.table)} ${t.alias} ON ${t.alias}."id" = ${from.alias}.${quoteIdent(refField.column)}`
      );
    }
    const idExpr =
      targets.length === 1
        ? `${targets[0]?.alias}."id"`
        : `COALESCE(${targets.map((t) => `${t.alias}."id"`).join(', ')})`;
    const typeExpr =
      targets.length === 1
        ? `'${targets[0]?.obj.name}'`
        : `CASE ${targets.map((t) => `WHEN ${t.alias}."id" IS NOT NULL THEN '${t.obj.name}'`).join(' ')} END`;
    const join: ParentJoin = {
      key,
      name: refField.relationshipName ?? rel,
      targets,
      idExpr,
      typeExpr,
      foreignKey: refField.name
    };
    this.joins.set(key, join);
    return join;
  }

  /** Objects a lookup can point to, as far as the schema models them (OwnerId: User, not queues). */
  private targetObjects(refField: FieldDef): SObjectDef[] {
    const modelled = refField.referenceTo.flatMap((name) => {
      const obj = this.schema.get(name);
      return obj ? [obj] : [];
    });
    const user = modelled.find((o) => o.name === 'User');
    if (user && refField.referenceTo.includes('Group')) return [user];
    return modelled;
  }
}

/**
 * A compound address selected in SOQL: a JSON object of its components (numbers stay numbers),
 * or NULL when all of them are blank, as the REST API returns it.
 */
function compoundExpr(target: JoinTarget, field: FieldDef): string {
  const parts = compoundComponents(target.obj, field);
  const col = (f: FieldDef) => `${target.alias}.${quoteIdent(f.column)}`;
  const pairs = parts.map(({ key, field: f }) => `'${key}', ${f.type === 'double' ? `(${col(f)})::float8` : col(f)}`);
  const anySet = parts.map(({ field: f }) => `${col(f)} IS NOT NULL`).join(' OR ');
  return `CASE WHEN ${anySet || 'false'} THEN json_build_object(${pairs.join(', ')}) END`;
}
