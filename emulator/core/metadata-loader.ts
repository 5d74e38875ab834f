/**
 * Reads the package's metadata into field/object definitions, from either format:
 * - source format on disk (force-app/main/default, read at start-up): objects/<Obj>/fields/*.field-meta.xml,
 *   objects/<X>__c|__mdt/<X>.object-meta.xml, objects/<Obj>/validationRules/*.validationRule-meta.xml,
 *   customMetadata/*.md-meta.xml, permissionsets/*.permissionset-meta.xml;
 * - metadata format (a Metadata API deploy zip, see emulator/metadata/): the same components, parsed by the
 *   deploy module into RawComponents.
 * Both become RawComponents first and one function (packageFromComponents) turns them into the package the
 * schema is built from, so start-up loading and a deploy cannot disagree. Only the metadata the record layer
 * needs is interpreted; everything else is kept as stored metadata by the deploy module.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
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
  /** Field API name -> the xsi:type the record declared (for type checks at deploy). */
  declaredTypes?: Record<string, string | null>;
}

export interface PermissionSetObjectAccess {
  object: string;
  allowCreate: boolean;
  allowRead: boolean;
  allowEdit: boolean;
  allowDelete: boolean;
  viewAllRecords: boolean;
  modifyAllRecords: boolean;
}

export interface PermissionSetFieldAccess {
  /** 'Lead.Budget_Amount__c' */
  field: string;
  readable: boolean;
  editable: boolean;
}

export interface PackagePermissionSet {
  name: string;
  label: string;
  description: string | null;
  objectPermissions: PermissionSetObjectAccess[];
  fieldPermissions: PermissionSetFieldAccess[];
}

export interface PackageMetadata {
  objects: PackageObject[];
  customMetadataRecords: CustomMetadataRecord[];
  permissionSets: PackagePermissionSet[];
}

/** Where a metadata problem is: the component (Metadata API type + fullName) and its file, as a DeployMessage names it. */
export interface ComponentRef {
  type: string;
  fullName: string;
  fileName: string;
  lineNumber?: number;
  columnNumber?: number;
}

export class MetadataLoadError extends Error {
  constructor(
    message: string,
    /** Set when the problem belongs to one component (a deploy reports it as that component's failure). */
    public readonly component?: ComponentRef
  ) {
    super(message);
    this.name = 'MetadataLoadError';
  }
}

/**
 * One metadata component as parsed from its XML, in either format: source format (one file per field)
 * or metadata format (fields inline in objects/X.object).
 */
export interface RawComponent {
  /** Metadata API type: CustomObject, CustomField, ValidationRule, CustomMetadata, PermissionSet ... */
  type: string;
  /** e.g. 'Lead', 'Lead.Budget_Amount__c', 'Lead.Require_Qualification_To_Convert', 'Scoring_Threshold.Default' */
  fullName: string;
  /** File the component came from (for error messages). */
  fileName: string;
  /** Content of the root element, as parsed by metadataXml (attributes under '@_'). */
  body: Record<string, unknown>;
  /** Text of the file, when line numbers in it mean something to the user (not for decomposed children). */
  text?: string;
}

const byCodepoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Repeated elements, by path from the root (both formats), so a single entry still parses as an array. */
const REPEATED_PATHS = new Set([
  'CustomField.valueSet.valueSetDefinition.value',
  'CustomField.referenceTo',
  'CustomMetadata.values',
  'CustomObject.fields',
  'CustomObject.validationRules',
  'CustomObject.fields.valueSet.valueSetDefinition.value',
  'CustomObject.fields.referenceTo',
  'PermissionSet.objectPermissions',
  'PermissionSet.fieldPermissions',
  'PermissionSet.classAccesses',
  'PermissionSet.customPermissions',
  'PermissionSet.customMetadataTypeAccesses',
  'PermissionSet.tabSettings',
  'PermissionSet.userPermissions',
  'PermissionSet.applicationVisibilities',
  'PermissionSet.pageAccesses',
  'PermissionSet.recordTypeVisibilities',
  'Package.types',
  'Package.types.members',
  'CustomLabels.labels'
]);

/** The XML parser for metadata files (shared with the deploy module so both formats parse alike). */
export const metadataXml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => REPEATED_PATHS.has(String(jpath))
});

/** 1-based line of the first occurrence of needle in text, if any. */
export function lineOf(text: string | undefined, needle: string): number | undefined {
  if (!text) return undefined;
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  return text.slice(0, at).split('\n').length;
}

/** Parses one metadata XML document and returns the content of its root element. */
export function parseMetadataXml(text: string, root: string, ref: Omit<ComponentRef, 'lineNumber' | 'columnNumber'>): Record<string, unknown> {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new MetadataLoadError(`${ref.fileName}: not well-formed XML: ${valid.err.msg}`, {
      ...ref,
      lineNumber: valid.err.line,
      columnNumber: valid.err.col
    });
  }
  const doc = metadataXml.parse(text) as Record<string, unknown>;
  const body = doc[root];
  if (body === undefined) {
    const found = Object.keys(doc).find((k) => !k.startsWith('?')) ?? 'nothing';
    throw new MetadataLoadError(`${ref.fileName}: expected a <${root}> document, found <${found}>`, ref);
  }
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

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


const permissionSetSchema = z.object({
  label: xmlText.optional(),
  description: xmlText.optional(),
  objectPermissions: z
    .array(
      z.object({
        object: xmlText,
        allowCreate: xmlBool.optional(),
        allowRead: xmlBool.optional(),
        allowEdit: xmlBool.optional(),
        allowDelete: xmlBool.optional(),
        viewAllRecords: xmlBool.optional(),
        modifyAllRecords: xmlBool.optional()
      })
    )
    .optional(),
  fieldPermissions: z.array(z.object({ field: xmlText, readable: xmlBool.optional(), editable: xmlBool.optional() })).optional()
});

/** zod-checks a component body; a mismatch is that component's problem. */
function parseBody<T>(component: RawComponent, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(component.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MetadataLoadError(`${component.fileName}: unexpected <${component.type}> content: ${issues}`, refOf(component));
  }
  return parsed.data;
}

export function refOf(component: RawComponent, needle?: string): ComponentRef {
  const lineNumber = needle ? lineOf(component.text, needle) : undefined;
  return {
    type: component.type,
    fullName: component.fullName,
    fileName: component.fileName,
    ...(lineNumber !== undefined ? { lineNumber, columnNumber: 1 } : {})
  };
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

async function readComponent(file: string, root: string, type: string, fullName: string): Promise<RawComponent> {
  const text = await readFile(file, 'utf8');
  const ref = { type, fullName, fileName: file };
  return { ...ref, body: parseMetadataXml(text, root, ref), text };
}

/** Source-format components of a package directory (the folder holding objects/, customMetadata/, permissionsets/). */
export async function readSourceComponents(forceAppDir: string): Promise<RawComponent[]> {
  const components: RawComponent[] = [];
  const objectsDir = path.join(forceAppDir, 'objects');
  if (existsSync(objectsDir)) {
    const entries = await readdir(objectsDir, { withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const name = entry.name;
      const dir = path.join(objectsDir, name);
      const objectFile = path.join(dir, `${name}.object-meta.xml`);
      if (existsSync(objectFile)) components.push(await readComponent(objectFile, 'CustomObject', 'CustomObject', name));
      for (const file of await listFiles(path.join(dir, 'fields'), '.field-meta.xml')) {
        const field = await readComponent(file, 'CustomField', 'CustomField', `${name}.${path.basename(file, '.field-meta.xml')}`);
        components.push(field);
      }
      for (const file of await listFiles(path.join(dir, 'validationRules'), '.validationRule-meta.xml')) {
        components.push(await readComponent(file, 'ValidationRule', 'ValidationRule', `${name}.${path.basename(file, '.validationRule-meta.xml')}`));
      }
    }
  }
  for (const file of await listFiles(path.join(forceAppDir, 'customMetadata'), '.md-meta.xml')) {
    components.push(await readComponent(file, 'CustomMetadata', 'CustomMetadata', path.basename(file, '.md-meta.xml')));
  }
  for (const file of await listFiles(path.join(forceAppDir, 'permissionsets'), '.permissionset-meta.xml')) {
    components.push(await readComponent(file, 'PermissionSet', 'PermissionSet', path.basename(file, '.permissionset-meta.xml')));
  }
  return components;
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

function declaredType(raw: z.infer<typeof metadataValueSchema> | undefined): string | null {
  if (raw === undefined || typeof raw === 'string') return null;
  return raw['@_xsi:nil'] === 'true' ? null : (raw['@_xsi:type'] ?? null);
}

function customMetadataRecord(component: RawComponent): CustomMetadataRecord {
  const dot = component.fullName.indexOf('.');
  if (dot < 0) throw new MetadataLoadError(`${component.fileName}: expected <Type>.<Record> as the custom metadata record name`, refOf(component));
  const doc = parseBody(component, customMetadataSchema);
  const values: Record<string, unknown> = {};
  const declaredTypes: Record<string, string | null> = {};
  for (const v of doc.values ?? []) {
    values[v.field] = typedMetadataValue(v.value);
    declaredTypes[v.field] = declaredType(v.value);
  }
  const developerName = component.fullName.slice(dot + 1);
  return { type: `${component.fullName.slice(0, dot)}__mdt`, developerName, label: doc.label ?? developerName, values, declaredTypes };
}

function permissionSet(component: RawComponent): PackagePermissionSet {
  const doc = parseBody(component, permissionSetSchema);
  return {
    name: component.fullName,
    label: doc.label ?? component.fullName,
    description: doc.description ?? null,
    objectPermissions: (doc.objectPermissions ?? []).map((o) => ({
      object: o.object,
      allowCreate: o.allowCreate ?? false,
      allowRead: o.allowRead ?? false,
      allowEdit: o.allowEdit ?? false,
      allowDelete: o.allowDelete ?? false,
      viewAllRecords: o.viewAllRecords ?? false,
      modifyAllRecords: o.modifyAllRecords ?? false
    })),
    fieldPermissions: (doc.fieldPermissions ?? []).map((f) => ({ field: f.field, readable: f.readable ?? false, editable: f.editable ?? false }))
  };
}

/** Attaches the component to errors thrown without one (fieldFromXml knows only the file). */
function withComponent<T>(component: RawComponent, fn: () => T, needle?: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MetadataLoadError && !error.component) throw new MetadataLoadError(error.message, refOf(component, needle));
    throw error;
  }
}

export type LoadedPackage = PackageMetadata & { childRelationshipNames: Map<string, Map<string, string>> };

interface ObjectParts {
  name: string;
  object?: RawComponent;
  fields: RawComponent[];
  rules: RawComponent[];
}

/**
 * Builds the package from components (either format). Every component is interpreted on its own, so one bad
 * component does not hide the others: problems are returned, not thrown (a deploy reports each of them).
 */
export function packageFromComponents(components: RawComponent[]): { pkg: LoadedPackage; problems: MetadataLoadError[] } {
  const problems: MetadataLoadError[] = [];
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof MetadataLoadError) problems.push(error);
      else throw error;
    }
  };
  const byObject = new Map<string, ObjectParts>();
  const partsOf = (name: string): ObjectParts => {
    const key = name.toLowerCase();
    let parts = byObject.get(key);
    if (!parts) {
      parts = { name, fields: [], rules: [] };
      byObject.set(key, parts);
    }
    return parts;
  };
  const customMetadataRecords: CustomMetadataRecord[] = [];
  const permissionSets: PackagePermissionSet[] = [];
  for (const c of components) {
    const dot = c.fullName.indexOf('.');
    switch (c.type) {
      case 'CustomObject': {
        const parts = partsOf(c.fullName);
        parts.name = c.fullName;
        parts.object = c;
        break;
      }
      case 'CustomField':
        partsOf(c.fullName.slice(0, dot)).fields.push(c);
        break;
      case 'ValidationRule':
        partsOf(c.fullName.slice(0, dot)).rules.push(c);
        break;
      case 'CustomMetadata':
        attempt(() => customMetadataRecords.push(customMetadataRecord(c)));
        break;
      case 'PermissionSet':
        attempt(() => permissionSets.push(permissionSet(c)));
        break;
      default:
        break;
    }
  }

  const objects: PackageObject[] = [];
  const childRelationshipNames = new Map<string, Map<string, string>>();
  for (const parts of [...byObject.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = parts.name;
    const isCustom = /__(c|mdt)$/i.test(name);
    let definition: PackageObject['definition'] = null;
    if (isCustom) {
      if (!parts.object) {
        const first = parts.fields[0] ?? parts.rules[0];
        problems.push(
          new MetadataLoadError(
            `custom object ${name} is not defined: deploy its CustomObject (${name}.object) with it or before it`,
            first ? refOf(first) : undefined
          )
        );
        continue;
      }
      const object = parts.object;
      attempt(() => {
        const obj = parseBody(object, objectSchema);
        const label = obj.label ?? name.replace(/__(c|mdt)$/, '').replace(/_/g, ' ');
        const nameType = obj.nameField?.type === 'AutoNumber' ? 'AutoNumber' : 'Text';
        definition = {
          label,
          pluralLabel: obj.pluralLabel ?? `${label}s`,
          nameField: obj.nameField
            ? { label: obj.nameField.label ?? `${label} Name`, type: nameType, displayFormat: obj.nameField.displayFormat ?? null }
            : null
        };
      });
      if (!definition) continue;
    }
    const fieldXmls: FieldXml[] = [];
    const fields: FieldDef[] = [];
    const trackedFields: string[] = [];
    for (const fc of parts.fields.sort((a, b) => byCodepoint(a.fullName, b.fullName))) {
      attempt(() => {
        const fx = parseBody(fc, fieldSchema);
        fieldXmls.push(fx);
        if (fx.trackHistory) trackedFields.push(fx.fullName);
        // Standard field files (e.g. Lead/fields/Status) only switch on history tracking: their definition is standard.
        if (!isCustom && !fx.fullName.endsWith('__c')) return;
        fields.push(withComponent(fc, () => fieldFromXml(fx, fc.fileName)));
      });
    }
    const validationRules: ValidationRuleDef[] = [];
    for (const rc of parts.rules.sort((a, b) => byCodepoint(a.fullName, b.fullName))) {
      attempt(() => {
        const rule = parseBody(rc, validationRuleSchema);
        validationRules.push({
          fullName: rule.fullName,
          active: rule.active ?? false,
          errorConditionFormula: rule.errorConditionFormula,
          errorMessage: rule.errorMessage,
          errorDisplayField: rule.errorDisplayField ?? null
        });
      });
    }
    objects.push({ name, definition, fields, trackedFields, validationRules });
    childRelationshipNames.set(name, childRelationshipNamesFromXml(fieldXmls));
  }
  customMetadataRecords.sort((a, b) => `${a.type}.${a.developerName}`.localeCompare(`${b.type}.${b.developerName}`));
  permissionSets.sort((a, b) => a.name.localeCompare(b.name));
  return { pkg: { objects, customMetadataRecords, permissionSets, childRelationshipNames }, problems };
}

/** Reads a package directory (the folder holding objects/ and customMetadata/). A missing folder is an empty package. */
export async function loadPackageMetadata(forceAppDir: string): Promise<LoadedPackage> {
  const { pkg, problems } = packageFromComponents(await readSourceComponents(forceAppDir));
  if (problems[0]) throw problems[0];
  return pkg;
}
