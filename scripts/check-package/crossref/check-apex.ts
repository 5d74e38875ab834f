import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseQuery, type FieldType, type Query, type WhereClause } from '@jetstreamapp/soql-parser-js';
import { packageFiles } from '../project';
import type { ObjectInfo, PackageSchema } from './schema';
import type { FindingSink } from './report';

/**
 * What apex-ls leaves out: field names inside static SOQL ([SELECT ... FROM ...]) on standard objects,
 * custom permissions named in FeatureManagement.checkPermission('...'), and the trigger's object.
 */
export async function checkApex(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of packageFiles(schema.projectDir, ['.cls', '.trigger'])) {
    const source = stripComments(readFileSync(file, 'utf8'));
    for (const { soql, offset } of staticQueries(source)) {
      const line = source.slice(0, offset).split('\n').length;
      let query: Query;
      try {
        query = parseQuery(soql.replace(/\b(LIMIT|OFFSET)\s*:\s*[\w.]+/gi, '$1 1'), {
          allowApexBindVariables: true
        });
      } catch (error) {
        sink.add(
          file,
          'apex-soql-syntax',
          `SOQL does not parse: ${(error as Error).message.split('\n')[0]}`,
          line
        );
        continue;
      }
      await checkQuery(schema, sink, file, line, query);
    }
    for (const m of source.matchAll(/FeatureManagement\.checkPermission\(\s*'([^']+)'\s*\)/g)) {
      const name = m[1] as string;
      if (!schema.customPermissions.has(name)) {
        sink.add(
          file,
          'apex-custom-permission',
          `FeatureManagement.checkPermission('${name}'): no such custom permission in the package`,
          source.slice(0, m.index).split('\n').length
        );
      }
    }
    if (file.endsWith('.trigger')) {
      const m = /trigger\s+\w+\s+on\s+(\w+)/i.exec(source);
      if (m && !(await schema.object(m[1] as string)))
        sink.add(file, 'apex-trigger-object', `trigger on ${m[1]}: object does not exist`);
    }
  }
}

function stripComments(source: string): string {
  // Same length, so offsets (and line numbers) stay right.
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
}

/** Static SOQL blocks: "[SELECT ... ]" with nested brackets and string literals respected. */
export function staticQueries(source: string): Array<{ soql: string; offset: number }> {
  const out: Array<{ soql: string; offset: number }> = [];
  const re = /\[\s*SELECT\b/gi;
  for (const m of source.matchAll(re)) {
    const start = m.index as number;
    let depth = 0;
    let inString = false;
    for (let i = start; i < source.length; i++) {
      const ch = source[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === "'") inString = false;
        continue;
      }
      if (ch === "'") inString = true;
      else if (ch === '[') depth++;
      else if (ch === ']' && --depth === 0) {
        out.push({ soql: source.slice(start + 1, i).trim(), offset: start });
        break;
      }
    }
  }
  return out;
}

async function checkQuery(
  schema: PackageSchema,
  sink: FindingSink,
  file: string,
  line: number,
  query: Query,
  from?: ObjectInfo
): Promise<void> {
  const object = from ?? (query.sObject ? await schema.object(query.sObject) : undefined);
  if (!object) {
    sink.add(file, 'apex-soql-object', `SOQL FROM ${query.sObject}: object does not exist`, line);
    return;
  }
  const paths: string[] = [];
  for (const field of query.fields ?? []) await collectField(schema, sink, file, line, object, field, paths);
  collectWhere(query.where, paths);
  const orderBy = (
    Array.isArray(query.orderBy) ? query.orderBy : query.orderBy ? [query.orderBy] : []
  ) as Array<{ field?: string }>;
  for (const order of orderBy) if (order.field) paths.push(order.field);
  for (const p of paths) await checkPath(schema, sink, file, line, object, p);
}

async function collectField(
  schema: PackageSchema,
  sink: FindingSink,
  file: string,
  line: number,
  object: ObjectInfo,
  field: FieldType,
  paths: string[]
): Promise<void> {
  switch (field.type) {
    case 'Field':
      paths.push(field.field);
      break;
    case 'FieldRelationship':
      paths.push([...field.relationships, field.field].join('.'));
      break;
    case 'FieldFunctionExpression':
      for (const p of field.parameters ?? [])
        if (typeof p === 'string' && /^[A-Za-z]\w*(\.\w+)*$/.test(p)) paths.push(p);
      break;
    case 'FieldSubquery': {
      const rel = field.subquery.relationshipName;
      const childName = object.children.get(rel.toLowerCase());
      // Standard child relationships (Contacts, OpportunityLineItems) are not in the stubs: only package ones are checked.
      if (childName) {
        const child = await schema.object(childName);
        if (child) await checkQuery(schema, sink, file, line, field.subquery as Query, child);
      } else if (rel.endsWith('__r')) {
        sink.add(
          file,
          'apex-soql-field',
          `SOQL subquery ${rel}: no such child relationship on ${object.name}`,
          line
        );
      }
      break;
    }
    default:
      break;
  }
}

function collectWhere(where: WhereClause | undefined, paths: string[]): void {
  if (!where) return;
  const left = where.left as { field?: string } | null;
  if (left?.field) paths.push(left.field);
  if ('right' in where && where.right) collectWhere(where.right, paths);
}

/** "Name", "Account.Owner.Name", "Lead__r.Funnel_Stage__c" resolved from `object`. */
async function checkPath(
  schema: PackageSchema,
  sink: FindingSink,
  file: string,
  line: number,
  object: ObjectInfo,
  dotted: string
): Promise<void> {
  const parts = dotted.split('.');
  let current: ObjectInfo | undefined = object;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (!current) return;
    if (i < parts.length - 1) {
      const rel = await schema.relationship(current.name, part);
      if (!rel) {
        sink.add(
          file,
          'apex-soql-field',
          `SOQL ${dotted}: ${part} is not a relationship on ${current.name} (${path.basename(file)})`,
          line
        );
        return;
      }
      // Polymorphic lookups (Owner, Who) resolve to Name only: stop checking there.
      current = rel.referenceTo ? await schema.object(rel.referenceTo) : undefined;
    } else if (!current.fields.has(part.toLowerCase())) {
      sink.add(
        file,
        'apex-soql-field',
        `SOQL ${dotted}: field ${part} does not exist on ${current.name}`,
        line
      );
    }
  }
}
