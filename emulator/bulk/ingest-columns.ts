/**
 * Maps an ingest CSV header onto an object's fields (case-insensitively, like Salesforce) and turns
 * CSV rows into records for the record layer. Relationship columns such as `Owner.Username` or
 * `Account.Ext__c` name a lookup by an idLookup/external-id field of the referenced object.
 */
import type { FieldDef, Schema, SObjectDef, SObjectRecord } from '../core/types';
import { BulkCsvError, NULL_MARKER } from './csv';

export interface FieldColumn {
  kind: 'field';
  index: number;
  field: FieldDef;
}

export interface RelationshipColumn {
  kind: 'relationship';
  index: number;
  /** The lookup field the resolved id is written to, e.g. OwnerId. */
  referenceField: FieldDef;
  target: SObjectDef;
  /** The field of the target matched against the CSV value, e.g. User.Username. */
  targetField: FieldDef;
}

export type ColumnPlan = FieldColumn | RelationshipColumn;

function fieldNotFound(name: string): BulkCsvError {
  return new BulkCsvError(`InvalidBatch : Field name not found : ${name}`);
}

/** Relationship header: `Rel.Field`, or for polymorphic lookups `Type:Rel.Field` / `Rel:Type.Field`. */
function planRelationship(
  header: string,
  index: number,
  object: SObjectDef,
  schema: Schema
): RelationshipColumn {
  const dot = header.indexOf('.');
  const path = header.slice(0, dot);
  const targetFieldName = header.slice(dot + 1);
  const [first, second] = path.split(':');
  let referenceField = first ? object.relationshipMap.get(first.toLowerCase()) : undefined;
  let targetType: string | undefined = second;
  if (!referenceField && second) {
    referenceField = object.relationshipMap.get(second.toLowerCase());
    targetType = first;
  }
  if (!referenceField || targetFieldName.includes('.')) throw fieldNotFound(header);
  const candidates = targetType
    ? referenceField.referenceTo.filter((t) => t.toLowerCase() === targetType.toLowerCase())
    : referenceField.referenceTo;
  for (const candidate of candidates) {
    const target = schema.get(candidate);
    const targetField = target?.fieldMap.get(targetFieldName.toLowerCase());
    if (
      target &&
      targetField &&
      (targetField.idLookup || targetField.externalId || targetField.type === 'id')
    ) {
      return { kind: 'relationship', index, referenceField, target, targetField };
    }
  }
  throw fieldNotFound(header);
}

/** Validates the header; an unknown or repeated column fails the whole job as Salesforce does. */
export function planColumns(header: readonly string[], object: SObjectDef, schema: Schema): ColumnPlan[] {
  const seen = new Set<string>();
  return header.map((rawName, index) => {
    const name = rawName.trim();
    const key = name.toLowerCase();
    if (name === '') throw new BulkCsvError('InvalidBatch : Field name not found : (empty column name)');
    if (seen.has(key)) throw new BulkCsvError(`InvalidBatch : Duplicate field name : ${name}`);
    seen.add(key);
    if (name.includes('.')) return planRelationship(name, index, object, schema);
    const field = object.fieldMap.get(key);
    if (!field) throw fieldNotFound(name);
    return { kind: 'field', index, field };
  });
}

/** Lookup values still to be resolved for one row: relationship column index -> CSV value. */
export type PendingLookups = Map<number, string>;

export interface ConvertedRow {
  record: SObjectRecord;
  lookups: PendingLookups;
}

/**
 * Builds a record from a CSV row: empty cells are left out (Salesforce leaves the field unchanged),
 * `#N/A` becomes null. Values stay text: the record layer types them (true/1, numbers, dates) with the
 * same checks and error messages as for REST. Relationship cells are returned for batch resolution.
 */
export function convertRow(row: readonly string[], plans: readonly ColumnPlan[]): ConvertedRow {
  const record: SObjectRecord = {};
  const lookups: PendingLookups = new Map();
  for (const plan of plans) {
    const raw = row[plan.index] ?? '';
    if (raw === '') continue;
    if (plan.kind === 'relationship') {
      if (raw === NULL_MARKER) record[plan.referenceField.name] = null;
      else lookups.set(plan.index, raw);
      continue;
    }
    record[plan.field.name] = raw === NULL_MARKER ? null : raw;
  }
  return { record, lookups };
}
