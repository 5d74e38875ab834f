/**
 * Reads the project's SFDX package (force-app/main/default) into field/object definitions:
 * objects/<Obj>/fields/*.field-meta.xml, objects/<X>__c|__mdt/<X>.object-meta.xml,
 * objects/<Obj>/validationRules/*.validationRule-meta.xml and customMetadata/*.md-meta.xml.
 * Only the metadata the record layer needs is read; everything else in the package is ignored.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { READ_ONLY, makeField, type FieldOptions } from './field-builders';
import type { FieldDef, FieldType, PicklistEntry, ValidationRuleDef } from './types';

export interface NameFieldDef {
  label: string;
  type: 'Text' | 'AutoNumber';
  displayFormat: string | null;
}

export interface PackageObject {
  name: string;
  /** Present when the package defines the object (custom objects and custom metadata types). */
  definition: { label: string; pluralLabel: string; nameField: NameFieldDef | null } | null;
  fields: FieldDef[];
  /** Fields (custom or standard) with <trackHistory>true</trackHistory>. */
  trackedFields: string[];
  validationRules: ValidationRuleDef[];
}

export interface CustomMetadataRecord {
  /** e.g. Qualification_Criterion__mdt */
  type: string;
  developerName: string;
  label: string;
  /** Field API name -> typed value (xsi:type), null for xsi:nil. */
  values: Record<string, unknown>;
}

export interface PackageMetadata {
  objects: PackageObject[];
  customMetadataRecords: CustomMetadataRecord[];
}

export class MetadataLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataLoadError';
  }
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) =>
    ['CustomField.valueSet.valueSetDefinition.value', 'CustomField.referenceTo', 'CustomMetadata.values'].includes(String(jpath))
});

const xmlText = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const xmlBool = xmlText.transform((v) => v === 'true');

const picklistValueSchema = z.object({
  fullName: xmlText,
  default: xmlBool.optional(),
  label: xmlText.optional(),
  isActive: xmlBool.optional()
});

const fieldSchema = z.object({
  fullName: xmlText,
  label: xmlText.optional(),
  type: xmlText.optional(),
  length: xmlText.optional(),
  precision: xmlText.optional(),
  scale: xmlText.optional(),
  required: xmlBool.optional(),
  unique: xmlBool.optional(),
  externalId: xmlBool.optional(),
  caseSensitive: xmlBool.optional(),
  defaultValue: xmlText.optional(),
  formula: xmlText.optional(),
  trackHistory: xmlBool.optional(),
  inlineHelpText: xmlText.optional(),
  displayFormat: xmlText.optional(),
  referenceTo: z.array(xmlText).optional(),
  relationshipName: xmlText.optional(),
  valueSet: z
    .object({
      restricted: xmlBool.optional(),
      valueSetName: xmlText.optional(),
      valueSetDefinition: z.object({ value: z.array(picklistValueSchema).optional() }).optional()
    })
    .optional()
});
type FieldXml = z.infer<typeof fieldSchema>;

const objectSchema = z.object({
  label: xmlText.optional(),
  pluralLabel: xmlText.optional(),
  nameField: z
    .object({ label: xmlText.optional(), type: xmlText.optional(), displayFormat: xmlText.optional() })
    .optional()
});

const validationRuleSchema = z.object({
  fullName: xmlText,
  active: xmlBool.optional(),
  errorConditionFormula: xmlText,
  errorMessage: xmlText,
  errorDisplayField: xmlText.optional()
});

const metadataValueSchema = z.union([
  z.string(),
  z.object({ '#text': xmlText.optional(), '@_xsi:type': z.string().optional(), '@_xsi:nil': z.string().optional() })
]);
const customMetadataSchema = z.object({
  label: xmlText.optional(),
  values: z.array(z.object({ field: xmlText, value: metadataValueSchema.optional() })).optional()
});

async function parseXmlFile<T>(file: string, root: string, schema: z.ZodType<T>): Promise<T> {
  const raw = await readFile(file, 'utf8');
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(raw) as Record<string, unknown>;
  } catch (error) {
    throw new MetadataLoadError(`${file}: not well-formed XML: ${(error as Error).message}`);
  }
  const body = doc[root] ?? {};
  const parsed = schema.safeParse(body === '' ? {} : body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MetadataLoadError(`${file}: unexpected <${root}> content: ${issues}`);
  }
  return parsed.data;
}

const num = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));

const FORMULA_RETURN_TYPES: Record<string, FieldType> = {
  Text: 'string',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime'
};

/** Typed constant default (e.g. <defaultValue>false</defaultValue>, "Open", 10); anything else is evaluated per insert. */
function constantDefault(type: FieldType, expression: string): { value?: unknown; formula?: string } {
  const trimmed = expression.trim();
  if (type === 'boolean') return { value: trimmed.toLowerCase() === 'true' };
  const quoted = /^"((?:[^"\\]|\\.)*)"$|^'((?:[^'\\]|\\.)*)'$/.exec(trimmed);
  if (quoted) return { value: (quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1') };
  if (/^-?\d+(\.\d+)?$/.test(trimmed) && ['int', 'double', 'currency', 'percent'].includes(type)) return { value: Number(trimmed) };
  if (trimmed.toLowerCase() === 'null') return {};
  return { formula: trimmed };
}

/** Maps one <CustomField> to a FieldDef (Salesforce describe semantics for custom fields). */
export function fieldFromXml(x: FieldXml, file = x.fullName): FieldDef {
  const name = x.fullName;
  const xmlType = x.type ?? (x.formula ? 'Text' : undefined);
  if (!xmlType) throw new MetadataLoadError(`${file}: field ${name} has no <type>`);
  const common: FieldOptions = {
    label: x.label ?? name,
    unique: x.unique ?? false,
    externalId: x.externalId ?? false,
    caseSensitive: x.caseSensitive ?? false,
    inlineHelpText: x.inlineHelpText ?? null,
    nillable: !(x.required ?? false),
    custom: name.endsWith('__c')
  };
  if (x.formula !== undefined) {
    const type = FORMULA_RETURN_TYPES[xmlType];
    if (!type) throw new MetadataLoadError(`${file}: formula field ${name} has unsupported return type ${xmlType}`);
    return makeField(name, type, {
      ...common,
      ...READ_ONLY,
      nillable: type !== 'boolean',
      calculated: true,
      calculatedFormula: x.formula,
      length: type === 'string' ? 1300 : 0,
      precision: num(x.precision, 18),
      scale: num(x.scale, type === 'string' ? 0 : 2),
      defaultedOnCreate: false
    });
  }
  const withDefault = (type: FieldType, opts: FieldOptions): FieldDef => {
    const fromXml = x.defaultValue !== undefined ? constantDefault(type, x.defaultValue) : {};
    return makeField(name, type, {
      ...common,
      ...opts,
      ...(fromXml.value !== undefined ? { defaultValue: fromXml.value, defaultedOnCreate: true } : {}),
      ...(fromXml.formula !== undefined ? { defaultValueFormula: fromXml.formula, defaultedOnCreate: true } : {})
    });
  };
  switch (xmlType) {
    case 'Text':
      return withDefault('string', { length: num(x.length, 255) });
    case 'EncryptedText':
      return withDefault('string', { length: num(x.length, 175) });
    case 'TextArea':
      return withDefault('textarea', { length: 255 });
    case 'LongTextArea':
    case 'Html':
      return withDefault('textarea', { length: num(x.length, 32768) });
    case 'Email':
      return withDefault('email', { length: 80 });
    case 'Phone':
      return withDefault('phone', { length: 40 });
    case 'Url':
      return withDefault('url', { length: 255 });
    case 'Number':
      // Custom number fields describe as double whatever their scale.
      return withDefault('double', { precision: num(x.precision, 18), scale: num(x.scale, 0) });
    case 'Currency':
      return withDefault('currency', { precision: num(x.precision, 18), scale: num(x.scale, 2) });
    case 'Percent':
      return withDefault('percent', { precision: num(x.precision, 18), scale: num(x.scale, 0) });
    case 'Checkbox':
      return withDefault('boolean', { nillable: false, defaultedOnCreate: true, defaultValue: false });
    case 'Date':
      return withDefault('date', {});
    case 'DateTime':
      return withDefault('datetime', {});
    case 'Picklist':
    case 'MultiselectPicklist': {
      const values: PicklistEntry[] = (x.valueSet?.valueSetDefinition?.value ?? []).map((v) => ({
        value: v.fullName,
        label: v.label ?? v.fullName,
        active: v.isActive ?? true,
        defaultValue: v.default ?? false
      }));
      const defaultEntry = values.find((v) => v.defaultValue);
      const type: FieldType = xmlType === 'Picklist' ? 'picklist' : 'multipicklist';
      return withDefault(type, {
        length: type === 'picklist' ? 255 : 4099,
        picklistValues: values,
        restrictedPicklist: (x.valueSet?.restricted ?? false) && values.length > 0,
        ...(defaultEntry ? { defaultValue: defaultEntry.value, defaultedOnCreate: true } : {})
      });
    }
    case 'Lookup':
    case 'MasterDetail': {
      const referenceTo = x.referenceTo ?? [];
      if (referenceTo.length === 0) throw new MetadataLoadError(`${file}: ${xmlType} field ${name} has no <referenceTo>`);
      return makeField(name, 'reference', {
        ...common,
        length: 18,
        referenceTo,
        relationshipName: name.replace(/__c$/, '__r'),
        nillable: xmlType === 'Lookup' ? common.nillable : false,
        updateable: true
      });
    }
    case 'AutoNumber':
      return makeField(name, 'string', {
        ...common,
        ...READ_ONLY,
        length: 30,
        nillable: false,
        defaultedOnCreate: true,
        autoNumberFormat: x.displayFormat ?? '{0}'
      });
    default:
      throw new MetadataLoadError(`${file}: field ${name} has type ${xmlType}, which the emulator does not support`);
  }
}

/** Child relationship name as declared on a custom lookup's XML (<relationshipName>), keyed by field name. */
export function childRelationshipNamesFromXml(fields: FieldXml[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of fields) if (f.relationshipName) names.set(f.fullName, `${f.relationshipName}__r`);
  return names;
}

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir);
  return entries.filter((e) => e.endsWith(suffix)).sort().map((e) => path.join(dir, e));
}

async function loadObject(objectsDir: string, name: string): Promise<PackageObject & { childRelationshipNames: Map<string, string> }> {
  const dir = path.join(objectsDir, name);
  const isCustom = /__(c|mdt)$/.test(name);
  let definition: PackageObject['definition'] = null;
  const objectFile = path.join(dir, `${name}.object-meta.xml`);
  if (isCustom) {
    if (!existsSync(objectFile)) throw new MetadataLoadError(`${dir}: custom object ${name} has no ${name}.object-meta.xml`);
    const obj = await parseXmlFile(objectFile, 'CustomObject', objectSchema);
    const label = obj.label ?? name.replace(/__(c|mdt)$/, '').replace(/_/g, ' ');
    const nameType = obj.nameField?.type === 'AutoNumber' ? 'AutoNumber' : 'Text';
    definition = {
      label,
      pluralLabel: obj.pluralLabel ?? `${label}s`,
      nameField: obj.nameField
        ? { label: obj.nameField.label ?? `${label} Name`, type: nameType, displayFormat: obj.nameField.displayFormat ?? null }
        : null
    };
  }
  const fieldXmls: FieldXml[] = [];
  for (const file of await listFiles(path.join(dir, 'fields'), '.field-meta.xml')) {
    fieldXmls.push(await parseXmlFile(file, 'CustomField', fieldSchema));
  }
  const fields: FieldDef[] = [];
  const trackedFields: string[] = [];
  for (const fx of fieldXmls) {
    if (fx.trackHistory) trackedFields.push(fx.fullName);
    // Standard field files (e.g. Lead/fields/Status) only switch on history tracking: their definition is standard.
    if (!isCustom && !fx.fullName.endsWith('__c')) continue;
    fields.push(fieldFromXml(fx, path.join(dir, 'fields', `${fx.fullName}.field-meta.xml`)));
  }
  const validationRules: ValidationRuleDef[] = [];
  for (const file of await listFiles(path.join(dir, 'validationRules'), '.validationRule-meta.xml')) {
    const rule = await parseXmlFile(file, 'ValidationRule', validationRuleSchema);
    validationRules.push({
      fullName: rule.fullName,
      active: rule.active ?? false,
      errorConditionFormula: rule.errorConditionFormula,
      errorMessage: rule.errorMessage,
      errorDisplayField: rule.errorDisplayField ?? null
    });
  }
  return { name, definition, fields, trackedFields, validationRules, childRelationshipNames: childRelationshipNamesFromXml(fieldXmls) };
}

function typedMetadataValue(raw: z.infer<typeof metadataValueSchema> | undefined): unknown {
  if (raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (raw['@_xsi:nil'] === 'true') return null;
  const text = raw['#text'] ?? '';
  switch (raw['@_xsi:type']) {
    case 'xsd:boolean':
      return text === 'true';
    case 'xsd:double':
    case 'xsd:int':
    case 'xsd:long':
      return text === '' ? null : Number(text);
    default:
      return text;
  }
}

async function loadCustomMetadataRecords(dir: string): Promise<CustomMetadataRecord[]> {
  const records: CustomMetadataRecord[] = [];
  for (const file of await listFiles(dir, '.md-meta.xml')) {
    const base = path.basename(file, '.md-meta.xml');
    const dot = base.indexOf('.');
    if (dot < 0) throw new MetadataLoadError(`${file}: expected <Type>.<Record>.md-meta.xml`);
    const doc = await parseXmlFile(file, 'CustomMetadata', customMetadataSchema);
    const values: Record<string, unknown> = {};
    for (const v of doc.values ?? []) values[v.field] = typedMetadataValue(v.value);
    const developerName = base.slice(dot + 1);
    records.push({ type: `${base.slice(0, dot)}__mdt`, developerName, label: doc.label ?? developerName, values });
  }
  return records;
}

export type LoadedPackage = PackageMetadata & { childRelationshipNames: Map<string, Map<string, string>> };

/** Reads a package directory (the folder holding objects/ and customMetadata/). A missing folder is an empty package. */
export async function loadPackageMetadata(forceAppDir: string): Promise<LoadedPackage> {
  const objectsDir = path.join(forceAppDir, 'objects');
  const objects: PackageObject[] = [];
  const childRelationshipNames = new Map<string, Map<string, string>>();
  if (existsSync(objectsDir)) {
    const entries = await readdir(objectsDir, { withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const { childRelationshipNames: names, ...object } = await loadObject(objectsDir, entry.name);
      objects.push(object);
      childRelationshipNames.set(object.name, names);
    }
  }
  const customMetadataRecords = await loadCustomMetadataRecords(path.join(forceAppDir, 'customMetadata'));
  return { objects, customMetadataRecords, childRelationshipNames };
}

