/**
 * Checks a deploy runs against the schema it would produce, each failure a DeployMessage on the component at
 * fault: custom metadata records (type, fields, value types, picklist values), permission set entries (objects
 * and fields), and the objects layouts, quick actions, Lightning pages and report types point at.
 */
import { lineOf, type CustomMetadataRecord, type PackagePermissionSet } from '../core/metadata-loader';
import { customMetadataFields } from '../core/custom-metadata';
import { runValidationRules } from '../core/record-prepare';
import type { LoadedSchema } from '../core/schema';
import type { FieldDef } from '../core/types';
import type { DeployProblem, OrgComponent } from './components';

function problem(c: OrgComponent, text: string, needle?: string): DeployProblem {
  const lineNumber = needle ? lineOf(c.text, needle) : undefined;
  return {
    componentType: c.type,
    fullName: c.fullName,
    fileName: c.fileName,
    problem: text,
    problemType: 'Error',
    ...(lineNumber !== undefined ? { lineNumber, columnNumber: 1 } : {})
  };
}

const NUMERIC = new Set(['double', 'currency', 'percent', 'int']);

/** Why a custom metadata value does not fit its field, or null when it does. */
function valueProblem(field: FieldDef, value: unknown, declared: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const shown = JSON.stringify(value);
  if (field.type === 'boolean') {
    if (typeof value === 'boolean') return null;
    return `Value ${shown} of ${field.name} is not a Checkbox value (true or false)`;
  }
  if (NUMERIC.has(field.type)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || Number.isNaN(n) || String(value).trim() === '') {
      return `Value ${shown} of ${field.name} is not a valid number`;
    }
    return null;
  }
  if (typeof value !== 'string') {
    return `Value ${shown} of ${field.name} is a ${declared ?? typeof value}, but ${field.name} is a ${field.type} field`;
  }
  if (field.type === 'picklist' && field.picklistValues.length > 0 && !field.picklistValues.some((p) => p.value === value)) {
    return `bad value for restricted picklist field: ${value} (${field.name} has no picklist value ${shown}; values: ${field.picklistValues
      .map((p) => p.value)
      .join(', ')})`;
  }
  if (field.length > 0 && ['string', 'textarea', 'email', 'phone', 'url'].includes(field.type) && value.length > field.length) {
    return `Value of ${field.name} is too long: ${value.length} characters, the field holds ${field.length}`;
  }
  return null;
}

export function checkCustomMetadata(c: OrgComponent, record: CustomMetadataRecord, schema: LoadedSchema): DeployProblem[] {
  const type = schema.get(record.type);
  if (!type || !type.name.endsWith('__mdt')) {
    return [problem(c, `Custom metadata type ${record.type} does not exist in the org (record ${record.developerName})`)];
  }
  const out: DeployProblem[] = [];
  for (const [fieldName, value] of Object.entries(record.values)) {
    const field = type.fieldMap.get(fieldName.toLowerCase());
    if (!field || !field.custom) {
      out.push(problem(c, `No such column '${fieldName}' on entity '${type.name}'`, `<field>${fieldName}</field>`));
      continue;
    }
    const why = valueProblem(field, value, record.declaredTypes?.[fieldName]);
    if (why) out.push(problem(c, why, `<field>${fieldName}</field>`));
  }
  if (out.length > 0) return out;
  // Active validation rules of the type apply to its records on deploy, as on save (API 40.0 and later).
  // The row the record becomes in the org (customMetadataFields), keyed by column as the rules read it.
  const row: Record<string, unknown> = {};
  for (const [fieldName, value] of Object.entries(customMetadataFields(record))) {
    const field = type.fieldMap.get(fieldName.toLowerCase());
    if (field) row[field.column] = value;
  }
  for (const error of runValidationRules(type, row, new Date())) {
    const [fieldName] = error.fields ?? [];
    out.push(problem(c, error.message, fieldName ? `<field>${fieldName}</field>` : undefined));
  }
  return out;
}

export function checkPermissionSet(c: OrgComponent, set: PackagePermissionSet, schema: LoadedSchema): DeployProblem[] {
  const out: DeployProblem[] = [];
  for (const o of set.objectPermissions) {
    if (!schema.get(o.object)) out.push(problem(c, `In field: object - no CustomObject named ${o.object} found`, `<object>${o.object}</object>`));
  }
  for (const f of set.fieldPermissions) {
    const [objectName = '', fieldName = ''] = f.field.split('.');
    const object = schema.get(objectName);
    const needle = `<field>${f.field}</field>`;
    if (!object) {
      out.push(problem(c, `In field: field - no CustomObject named ${objectName} found`, needle));
    } else if (!object.fieldMap.has(fieldName.toLowerCase()) && (fieldName.endsWith('__c') || object.custom)) {
      // A standard field the local org does not model on a standard object is accepted (see docs/emulator.md).
      out.push(problem(c, `In field: field - no CustomField named ${f.field} found`, needle));
    }
  }
  return out;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  return null;
}

/** Object a stored-only component belongs to, when it names one. */
function referencedObject(c: OrgComponent): string | null {
  switch (c.type) {
    case 'Layout':
      return c.fullName.split('-')[0] ?? null;
    case 'QuickAction':
      return c.fullName.includes('.') ? (c.fullName.split('.')[0] ?? null) : null;
    case 'FlexiPage':
      return textOf(c.body?.sobjectType);
    case 'ReportType':
      return textOf(c.body?.baseObject);
    default:
      return null;
  }
}

export function checkReferencedObject(c: OrgComponent, schema: LoadedSchema): DeployProblem[] {
  const object = referencedObject(c);
  if (!object || schema.get(object)) return [];
  return [problem(c, `${c.type} ${c.fullName} refers to ${object}, an object that does not exist in the org`, object)];
}
