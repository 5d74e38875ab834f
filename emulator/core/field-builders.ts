/**
 * Small constructors for FieldDef/SObjectDef so standard objects and the metadata loader describe
 * fields the same way (soapType, lengths, flags) as Salesforce's describe does.
 */
import type { FieldDef, FieldType, PicklistEntry, SObjectDef, ValidationRuleDef } from './types';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  anyType: 'xsd:anyType',
  address: 'urn:address'
};

export type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type' | 'column' | 'soapType'>>;

/** A field with Salesforce's defaults for its type: createable/updateable, nillable unless boolean. */
export function makeField(name: string, type: FieldType, opts: FieldOptions = {}): FieldDef {
  const isBoolean = type === 'boolean';
  const calculated = opts.calculated ?? false;
  return {
    name,
    label: opts.label ?? defaultLabel(name),
    type,
    soapType: SOAP_TYPES[type],
    length: opts.length ?? 0,
    precision: opts.precision ?? 0,
    scale: opts.scale ?? 0,
    nillable: opts.nillable ?? !isBoolean,
    createable: opts.createable ?? !calculated,
    updateable: opts.updateable ?? !calculated,
    defaultedOnCreate: opts.defaultedOnCreate ?? isBoolean,
    unique: opts.unique ?? false,
    externalId: opts.externalId ?? false,
    idLookup: opts.idLookup ?? (type === 'id' || (opts.externalId ?? false)),
    calculated,
    custom: opts.custom ?? name.endsWith('__c'),
    caseSensitive: opts.caseSensitive ?? false,
    calculatedFormula: opts.calculatedFormula ?? null,
    defaultValue: opts.defaultValue ?? (isBoolean ? false : undefined),
    picklistValues: opts.picklistValues ?? [],
    restrictedPicklist: opts.restrictedPicklist ?? false,
    referenceTo: opts.referenceTo ?? [],
    relationshipName: opts.relationshipName ?? null,
    inlineHelpText: opts.inlineHelpText ?? null,
    column: name.toLowerCase(),
    autoNumberFormat: opts.autoNumberFormat ?? null,
    defaultValueFormula: opts.defaultValueFormula ?? null,
    compoundFieldName: opts.compoundFieldName ?? null
  };
}

/** 'LastModifiedById' -> 'Last Modified By ID', 'Budget_Amount__c' -> 'Budget Amount'. */
function defaultLabel(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\bId$/, 'ID')
    .trim();
}

export function picklistEntries(values: readonly string[], defaultValue?: string): PicklistEntry[] {
  return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

export const text = (name: string, length: number, opts: FieldOptions = {}) => makeField(name, 'string', { length, ...opts });
export const textArea = (name: string, length: number, opts: FieldOptions = {}) => makeField(name, 'textarea', { length, ...opts });
export const email = (name: string, opts: FieldOptions = {}) => makeField(name, 'email', { length: 80, ...opts });
export const phone = (name: string, opts: FieldOptions = {}) => makeField(name, 'phone', { length: 40, ...opts });
export const url = (name: string, opts: FieldOptions = {}) => makeField(name, 'url', { length: 255, ...opts });
export const bool = (name: string, opts: FieldOptions = {}) => makeField(name, 'boolean', opts);
export const int = (name: string, digits: number, opts: FieldOptions = {}) => makeField(name, 'int', { precision: digits, ...opts });
export const double = (name: string, precision: number, scale: number, opts: FieldOptions = {}) =>
  makeField(name, 'double', { precision, scale, ...opts });
export const currency = (name: string, precision: number, scale: number, opts: FieldOptions = {}) =>
  makeField(name, 'currency', { precision, scale, ...opts });
export const percent = (name: string, precision: number, scale: number, opts: FieldOptions = {}) =>
  makeField(name, 'percent', { precision, scale, ...opts });
export const date = (name: string, opts: FieldOptions = {}) => makeField(name, 'date', opts);
export const dateTime = (name: string, opts: FieldOptions = {}) => makeField(name, 'datetime', opts);

export function picklist(name: string, values: readonly string[], opts: FieldOptions & { defaultPick?: string } = {}): FieldDef {
  const { defaultPick, ...rest } = opts;
  return makeField(name, 'picklist', {
    length: 255,
    picklistValues: picklistEntries(values, defaultPick),
    defaultValue: defaultPick,
    defaultedOnCreate: defaultPick !== undefined,
    ...rest
  });
}

export function multiPicklist(name: string, values: readonly string[], opts: FieldOptions = {}): FieldDef {
  return makeField(name, 'multipicklist', { length: 4099, picklistValues: picklistEntries(values), ...opts });
}

/** Lookup field: `AccountId` -> relationship `Account` unless given. */
export function reference(name: string, referenceTo: string[], opts: FieldOptions = {}): FieldDef {
  const relationshipName = name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');
  return makeField(name, 'reference', { length: 18, referenceTo, relationshipName, ...opts });
}

const readOnly: FieldOptions = { createable: false, updateable: false };

export const GEOCODE_ACCURACIES = [
  'Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'Neighborhood', 'City', 'County', 'State', 'Unknown'
] as const;

/**
 * A standard compound address (`Address`, `BillingAddress`, `MailingAddress` ...) with its components,
 * as the object reference describes them for an org without state and country picklists (the
 * default: no StateCode/CountryCode). The compound field is read-only; its value is built from the
 * components when read.
 */
export function addressFields(prefix: string, labelPrefix = prefix): FieldDef[] {
  const compound = `${prefix}Address`;
  const label = (part: string) => (labelPrefix ? `${labelPrefix} ${part}` : part);
  const part = { compoundFieldName: compound };
  return [
    textArea(`${prefix}Street`, 255, { ...part, label: label('Street') }),
    text(`${prefix}City`, 40, { ...part, label: label('City') }),
    text(`${prefix}State`, 80, { ...part, label: label('State/Province') }),
    text(`${prefix}PostalCode`, 20, { ...part, label: label('Zip/Postal Code') }),
    text(`${prefix}Country`, 80, { ...part, label: label('Country') }),
    double(`${prefix}Latitude`, 18, 15, { ...part, label: label('Latitude') }),
    double(`${prefix}Longitude`, 18, 15, { ...part, label: label('Longitude') }),
    picklist(`${prefix}GeocodeAccuracy`, GEOCODE_ACCURACIES, { ...part, length: 40, restrictedPicklist: true, label: label('Geocode Accuracy') }),
    makeField(compound, 'address', { ...readOnly, label: label('Address') })
  ];
}

/** Components of a compound field with their key in the compound value ('BillingPostalCode' -> 'postalCode'). */
export function compoundComponents(object: Pick<SObjectDef, 'fields'>, compound: Pick<FieldDef, 'name'>): Array<{ key: string; field: FieldDef }> {
  const prefix = compound.name.replace(/Address$/, '');
  return object.fields
    .filter((f) => f.compoundFieldName === compound.name)
    .map((field) => {
      const rest = field.name.slice(prefix.length);
      return { key: rest.charAt(0).toLowerCase() + rest.slice(1), field };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Id, IsDeleted and the audit fields every object has. `history` objects lack the LastModified* fields. */
export function systemFields(opts: { history?: boolean; systemModstamp?: boolean } = {}): FieldDef[] {
  const fields: FieldDef[] = [
    makeField('Id', 'id', { length: 18, nillable: false, defaultedOnCreate: true, ...readOnly, label: 'Record ID' }),
    bool('IsDeleted', { ...readOnly, label: 'Deleted' }),
    dateTime('CreatedDate', { ...readOnly, nillable: false, defaultedOnCreate: true }),
    reference('CreatedById', ['User'], { ...readOnly, nillable: false, defaultedOnCreate: true, relationshipName: 'CreatedBy' })
  ];
  if (!opts.history) {
    fields.push(
      dateTime('LastModifiedDate', { ...readOnly, nillable: false, defaultedOnCreate: true }),
      reference('LastModifiedById', ['User'], { ...readOnly, nillable: false, defaultedOnCreate: true, relationshipName: 'LastModifiedBy' })
    );
  }
  if (!opts.history || opts.systemModstamp) {
    fields.push(dateTime('SystemModstamp', { ...readOnly, nillable: false, defaultedOnCreate: true, label: 'System Modstamp' }));
  }
  return fields;
}

export function ownerField(): FieldDef {
  return reference('OwnerId', ['User'], { nillable: false, defaultedOnCreate: true, relationshipName: 'Owner', label: 'Owner ID' });
}

export interface ObjectOptions {
  label?: string;
  labelPlural?: string;
  custom?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  validationRules?: ValidationRuleDef[];
  trackedFields?: string[];
}

/** Builds an SObjectDef with its lookup maps. Child relationships are filled in by the schema once all objects are known. */
export function makeObject(name: string, keyPrefix: string, fields: FieldDef[], opts: ObjectOptions = {}): SObjectDef {
  const object: SObjectDef = {
    name,
    label: opts.label ?? name.replace(/__c$|__mdt$/, '').replace(/_/g, ' '),
    labelPlural: opts.labelPlural ?? `${opts.label ?? name.replace(/__c$|__mdt$/, '').replace(/_/g, ' ')}s`,
    keyPrefix,
    custom: opts.custom ?? /__(c|mdt)$/.test(name),
    createable: opts.createable ?? true,
    updateable: opts.updateable ?? true,
    deletable: opts.deletable ?? true,
    queryable: true,
    table: tableNameFor(name),
    fields: [],
    fieldMap: new Map(),
    relationshipMap: new Map(),
    childRelationships: [],
    validationRules: opts.validationRules ?? [],
    trackedFields: opts.trackedFields ?? []
  };
  for (const field of fields) addField(object, field);
  return object;
}

/** Adds (or replaces, by case-insensitive name) a field and refreshes the lookup maps. */
export function addField(object: SObjectDef, field: FieldDef): void {
  const key = field.name.toLowerCase();
  const existing = object.fieldMap.get(key);
  if (existing) object.fields[object.fields.indexOf(existing)] = field;
  else object.fields.push(field);
  object.fieldMap.set(key, field);
  if (field.type === 'reference' && field.relationshipName) object.relationshipMap.set(field.relationshipName.toLowerCase(), field);
}

export function tableNameFor(objectName: string): string {
  return `sobj_${objectName.toLowerCase()}`;
}

export const READ_ONLY = readOnly;
