/** Describe payloads built from the schema: global describe, basic info and full describe (§1.2). */
import type { FieldDef, Schema, SObjectDef } from '../core/types';

function objectUrls(
  version: string,
  name: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return {
    ...extra,
    rowTemplate: `${base}/{ID}`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    sobject: base
  };
}

const HISTORY_SUFFIX = /(History|FieldHistory)$/;

function objectFlags(object: SObjectDef): Record<string, unknown> {
  const isHistory = HISTORY_SUFFIX.test(object.name) && !object.createable;
  const isMetadata = object.name.endsWith('__mdt');
  return {
    activateable: false,
    associateEntityType: isHistory ? 'History' : null,
    associateParentEntity: isHistory ? object.name.replace(/(Field)?History$/, '') : null,
    createable: object.createable,
    custom: object.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: object.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: !isHistory && !isMetadata,
    mergeable: ['Lead', 'Contact', 'Account'].includes(object.name),
    mruEnabled: !isHistory && !isMetadata,
    name: object.name,
    queryable: object.queryable,
    replicateable: object.queryable,
    retrieveable: object.queryable,
    searchable: !isHistory && !isMetadata,
    triggerable: !isHistory && !isMetadata,
    undeletable: object.deletable
  };
}

export function globalDescribe(schema: Schema, version: string): Record<string, unknown> {
  const sobjects = [...schema.all()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((object) => ({ ...objectFlags(object), urls: objectUrls(version, object.name) }));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}

export function basicInfo(object: SObjectDef, version: string): Record<string, unknown> {
  return {
    objectDescribe: { ...objectFlags(object), urls: objectUrls(version, object.name) },
    recentItems: []
  };
}

const NUMERIC = new Set(['int', 'double', 'currency', 'percent']);
const TEXTUAL = new Set([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'id',
  'reference'
]);

function describeField(object: SObjectDef, field: FieldDef): Record<string, unknown> {
  const isLongText = field.type === 'textarea' && field.length > 255;
  const filterable = !isLongText && field.type !== 'anyType';
  const nameField = field.name === 'Name' && object.fieldMap.has('name');
  const byteLength = TEXTUAL.has(field.type) ? field.length * 3 : 0;
  return {
    aggregatable: filterable && field.type !== 'boolean',
    aiPredictionField: false,
    autoNumber: Boolean(field.autoNumberFormat),
    byteLength,
    calculated: field.calculated,
    calculatedFormula: field.calculatedFormula ?? null,
    cascadeDelete: false,
    caseSensitive: field.caseSensitive,
    compoundFieldName: field.compoundFieldName ?? null,
    controllerName: null,
    createable: field.createable,
    custom: field.custom,
    defaultValue: field.defaultValue === undefined ? null : field.defaultValue,
    defaultValueFormula: field.defaultValueFormula ?? null,
    defaultedOnCreate: field.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? field.precision : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: field.externalId,
    extraTypeInfo: field.type === 'textarea' ? 'plaintextarea' : null,
    filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: filterable && !NUMERIC.has(field.type) && field.type !== 'datetime',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: field.idLookup,
    inlineHelpText: field.inlineHelpText ?? null,
    label: field.label,
    length: field.length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField,
    namePointing: field.type === 'reference' && field.referenceTo.length > 1,
    nillable: field.nillable,
    permissionable: field.custom && field.nillable,
    picklistValues: field.picklistValues.map((entry) => ({
      active: entry.active,
      defaultValue: entry.defaultValue,
      label: entry.label,
      validFor: null,
      value: entry.value
    })),
    polymorphicForeignKey: field.type === 'reference' && field.referenceTo.length > 1,
    precision: NUMERIC.has(field.type) && field.type !== 'int' ? field.precision : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: field.restrictedPicklist,
    scale: field.scale,
    searchPrefilterable: false,
    soapType: field.soapType,
    sortable: filterable,
    type: field.type,
    unique: field.unique,
    updateable: field.updateable,
    writeRequiresMasterRead: false
  };
}

export function fullDescribe(object: SObjectDef, version: string): Record<string, unknown> {
  return {
    actionOverrides: [],
    ...objectFlags(object),
    childRelationships: object.childRelationships.map((child) => ({
      cascadeDelete: child.cascadeDelete,
      childSObject: child.childSObject,
      deprecatedAndHidden: false,
      field: child.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: child.relationshipName,
      restrictedDelete: false
    })),
    compactLayoutable: object.createable,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: object.fields.map((field) => describeField(object, field)),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: object.queryable,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [{ label: 'All records', name: 'everything' }],
    urls: objectUrls(version, object.name)
  };
}
