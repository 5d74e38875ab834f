/**
 * Per-record phase of a save, in memory: which fields a record sets and whether it may, type
 * coercion, defaults, required fields, derived values, formulas and validation rules. The batch
 * checks that need the database are in record-checks.ts.
 */
import { applyDerivedFields } from './derived-fields';
import { convertedLead, entityIsDeleted, err, invalidCrossReference, noSuchColumn, notWritable, requiredMissing } from './dml-errors';
import { evaluateFormula } from './formulas';
import { isValidIdFormat, keyPrefixOf, newId } from './ids';
import type { DmlOptions, FieldDef, SObjectDef, SObjectRecord, SfError } from './types';
import { checkStoredValue, coerceInput } from './values';

export type Row = Record<string, unknown>;

/** Keys of an API record that are envelope, not fields. */
const ENVELOPE_KEYS = new Set(['attributes']);

/** One record of a call on its way through the save. */
export interface Pending {
  index: number;
  /** Row in stored form (full row: for updates merged over the existing one). */
  row: Row;
  previous?: Row;
  /** Columns the caller set in this call. */
  supplied: Set<string>;
  errors: SfError[];
  /** Upsert only. */
  created?: boolean;
  /** Update of an existing record: its id, reported even when the update fails. */
  targetId?: string;
}

/** 'system' is an org-internal update (lead conversion): read-only fields allowed, converted leads writable. */
export type Mode = 'insert' | 'update' | 'system';

export function failedPending(index: number, error: SfError): Pending {
  return { index, row: {}, supplied: new Set(), errors: [error] };
}

/** Field assignments of one input record, checked against the object and the operation. */
export function readInput(object: SObjectDef, input: SObjectRecord, mode: Mode, pending: Pending): void {
  const forbidden: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    const field = object.fieldMap.get(key.toLowerCase());
    if (!field) {
      pending.errors.push(noSuchColumn(object, key));
      continue;
    }
    if (field.type === 'id') {
      if (mode === 'insert' && raw !== null && raw !== undefined && raw !== '') {
        pending.errors.push(err('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']));
      }
      continue;
    }
    const writable = mode === 'system' || (mode === 'insert' ? field.createable : field.updateable);
    if (!writable) {
      forbidden.push(field.name);
      continue;
    }
    const coerced = coerceInput(field, raw);
    if (!coerced.ok) {
      pending.errors.push(coerced.error);
      continue;
    }
    const problem = checkStoredValue(field, coerced.value);
    if (problem) pending.errors.push(problem);
    pending.row[field.column] = coerced.value;
    pending.supplied.add(field.column);
  }
  if (forbidden.length > 0) pending.errors.push(notWritable(forbidden));
}

export function applyDefaults(object: SObjectDef, row: Row, userId: string, now: Date): void {
  for (const field of object.fields) {
    if (row[field.column] !== undefined && row[field.column] !== null) continue;
    if (field.defaultValueFormula) {
      const value = evaluateFormula(object, field.defaultValueFormula, row, { now });
      row[field.column] = value instanceof Date ? (field.type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString()) : value;
    } else if (field.defaultValue !== undefined && field.defaultValue !== null) {
      row[field.column] = field.defaultValue;
    } else if (field.name === 'OwnerId') {
      row[field.column] = userId;
    } else if (field.type === 'boolean') {
      row[field.column] = false;
    }
  }
  const nowIso = now.toISOString();
  Object.assign(row, {
    isdeleted: false,
    createddate: nowIso,
    createdbyid: userId,
    lastmodifieddate: nowIso,
    lastmodifiedbyid: userId,
    systemmodstamp: nowIso
  });
}

export function missingRequired(object: SObjectDef, row: Row): string[] {
  return object.fields
    .filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean')
    .filter((f) => row[f.column] === null || row[f.column] === undefined || row[f.column] === '')
    .map((f) => f.name);
}

export function runValidationRules(object: SObjectDef, row: Row, now: Date, previous?: Row): SfError[] {
  const errors: SfError[] = [];
  for (const rule of object.validationRules) {
    if (!rule.active) continue;
    let fires = false;
    try {
      fires = evaluateFormula(object, rule.errorConditionFormula, row, { now, kind: 'validationRule', context: { previous } }) === true;
    } catch {
      fires = false;
    }
    if (fires) {
      const field = rule.errorDisplayField ? object.fieldMap.get(rule.errorDisplayField.toLowerCase()) : undefined;
      errors.push(err('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.errorMessage, field ? [field.name] : []));
    }
  }
  return errors;
}

export function prepareInsert(object: SObjectDef, input: SObjectRecord, index: number, opts: DmlOptions, now: Date): Pending {
  const pending: Pending = { index, row: {}, supplied: new Set(), errors: [] };
  readInput(object, input, 'insert', pending);
  pending.row.id = newId(object.keyPrefix);
  if (pending.errors.length > 0) return pending;
  applyDefaults(object, pending.row, opts.userId, now);
  if (object.custom && object.fieldMap.get('name')?.createable && pending.row.name == null) pending.row.name = pending.row.id;
  const missing = missingRequired(object, pending.row);
  if (missing.length > 0) {
    pending.errors.push(requiredMissing(missing));
    return pending;
  }
  applyDerivedFields(object, pending.row, pending.supplied, undefined, now);
  pending.errors.push(...runValidationRules(object, pending.row, now));
  return pending;
}

export function prepareUpdate(object: SObjectDef, input: SObjectRecord, index: number, existing: Row | undefined, mode: Mode, opts: DmlOptions, now: Date): Pending {
  const pending: Pending = { index, row: {}, supplied: new Set(), errors: [] };
  const rawId = input.Id ?? input.id ?? input.ID;
  if (rawId === undefined || rawId === null || rawId === '') {
    pending.errors.push(err('MISSING_ARGUMENT', 'Id not specified in an update call', []));
    return pending;
  }
  if (!isValidIdFormat(rawId) || keyPrefixOf(rawId) !== object.keyPrefix) {
    pending.errors.push(err('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${String(rawId)}`, ['Id']));
    return pending;
  }
  if (!existing) {
    pending.errors.push(invalidCrossReference());
    return pending;
  }
  pending.targetId = String(existing.id);
  if (existing.isdeleted === true) {
    pending.errors.push(entityIsDeleted());
    return pending;
  }
  if (object.name === 'Lead' && existing.isconverted === true && mode !== 'system') {
    pending.errors.push(convertedLead());
    return pending;
  }
  pending.previous = existing;
  pending.row = { ...existing };
  readInput(object, input, mode, pending);
  if (pending.errors.length > 0) return pending;
  const cleared = [...pending.supplied]
    .map((c) => object.fieldMap.get(c))
    .filter((f): f is FieldDef => !!f && !f.nillable && f.type !== 'boolean' && pending.row[f.column] == null)
    .map((f) => f.name);
  if (cleared.length > 0) {
    pending.errors.push(requiredMissing(cleared));
    return pending;
  }
  const nowIso = now.toISOString();
  Object.assign(pending.row, { lastmodifieddate: nowIso, lastmodifiedbyid: opts.userId, systemmodstamp: nowIso });
  applyDerivedFields(object, pending.row, pending.supplied, existing, now);
  pending.errors.push(...runValidationRules(object, pending.row, now, existing));
  return pending;
}
