/**
 * The org's schema: standard objects plus the project's package (custom fields, custom objects,
 * custom metadata types, validation rules, field history tracking). Every formula is proven to
 * evaluate with formulon here, so an unsupported formula stops the emulator at start-up.
 */
import path from 'node:path';
import { READ_ONLY, addField, makeField, makeObject, ownerField, systemFields, text } from './field-builders';
import { FormulaError, checkFormula } from './formulas';
import { customKeyPrefix } from './ids';
import { loadPackageMetadata, type CustomMetadataRecord, type LoadedPackage, type PackageObject } from './metadata-loader';
import { ALWAYS_HISTORY_OBJECTS, fieldHistoryObject, historyObjectName, standardObjects } from './standard-objects';
import type { ChildRelationshipDef, FieldDef, SObjectDef, Schema } from './types';

/** The repo's package folder, used when loadSchema gets no forceAppDir. */
export const DEFAULT_FORCE_APP_DIR = path.resolve(__dirname, '..', '..', 'force-app', 'main', 'default');

export interface LoadedSchema extends Schema {
  /** Custom metadata records from the package, seeded as read-only rows of their __mdt object by syncTables. */
  customMetadataRecords: CustomMetadataRecord[];
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** Postgres column type for a field (see the storage layout in types.ts). */
export function sqlTypeFor(field: Pick<FieldDef, 'type'>): string {
  switch (field.type) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'bigint';
    case 'double':
    case 'currency':
    case 'percent':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    default:
      return 'text';
  }
}

/** Standard child relationship names (Account.Contacts, Lead.Histories ...); others have none. */
const STANDARD_CHILD_RELATIONSHIPS: Record<string, string> = {
  'Contact.AccountId': 'Contacts',
  'Opportunity.AccountId': 'Opportunities',
  'Opportunity.ContactId': 'Opportunities',
  'Opportunity.CampaignId': 'Opportunities',
  'Account.ParentId': 'ChildAccounts',
  'Campaign.ParentId': 'ChildCampaigns',
  'Contact.ReportsToId': 'ReportsTo',
  'Task.WhatId': 'Tasks',
  'Task.WhoId': 'Tasks',
  'CampaignMember.CampaignId': 'CampaignMembers',
  'CampaignMember.LeadId': 'CampaignMembers',
  'CampaignMember.ContactId': 'CampaignMembers',
  'LeadHistory.LeadId': 'Histories',
  'OpportunityFieldHistory.OpportunityId': 'Histories',
  'AccountHistory.AccountId': 'Histories',
  'ContactHistory.ContactId': 'Histories',
  'OpportunityHistory.OpportunityId': 'OpportunityHistories'
};
const CASCADE_DELETE = new Set(['CampaignMember.CampaignId', 'CampaignMember.LeadId', 'CampaignMember.ContactId']);

function customObjectFromPackage(pkg: PackageObject, keyPrefix: string): SObjectDef {
  const def = pkg.definition;
  if (!def) throw new SchemaError(`custom object ${pkg.name} has no definition`);
  if (pkg.name.endsWith('__mdt')) {
    const fields = [
      ...systemFields(),
      text('DeveloperName', 40, { ...READ_ONLY, nillable: false, label: 'Custom Metadata Record Name' }),
      text('MasterLabel', 40, { ...READ_ONLY, nillable: false, label: 'Label' }),
      text('Label', 40, READ_ONLY),
      text('QualifiedApiName', 70, { ...READ_ONLY, nillable: false, idLookup: true }),
      text('Language', 40, READ_ONLY),
      text('NamespacePrefix', 15, READ_ONLY),
      ...pkg.fields.map((f) => ({ ...f, createable: false, updateable: false }))
    ];
    return makeObject(pkg.name, keyPrefix, fields, {
      label: def.label,
      labelPlural: def.pluralLabel,
      createable: false,
      updateable: false,
      deletable: false
    });
  }
  const nameField =
    def.nameField?.type === 'AutoNumber'
      ? makeField('Name', 'string', {
          ...READ_ONLY,
          length: 30,
          nillable: false,
          defaultedOnCreate: true,
          label: def.nameField.label,
          autoNumberFormat: def.nameField.displayFormat ?? '{0}',
          custom: false
        })
      : text('Name', 80, { label: def.nameField?.label ?? `${def.label} Name`, custom: false });
  const isDetail = pkg.fields.some((f) => f.type === 'reference' && !f.nillable);
  return makeObject(
    pkg.name,
    keyPrefix,
    [...systemFields(), nameField, ...(isDetail ? [] : [ownerField()]), ...pkg.fields],
    { label: def.label, labelPlural: def.pluralLabel, validationRules: pkg.validationRules, trackedFields: pkg.trackedFields }
  );
}

function mergeIntoStandard(object: SObjectDef, pkg: PackageObject): void {
  for (const field of pkg.fields) addField(object, field);
  object.validationRules.push(...pkg.validationRules);
  for (const tracked of pkg.trackedFields) {
    const field = object.fieldMap.get(tracked.toLowerCase());
    if (!field) throw new SchemaError(`${object.name}: history tracking is enabled on unknown field ${tracked}`);
    if (!object.trackedFields.includes(field.name)) object.trackedFields.push(field.name);
  }
}

function verifyFormulas(object: SObjectDef): void {
  const fail = (what: string, formula: string, error: unknown): never => {
    const reason = error instanceof FormulaError ? error.message : String(error);
    throw new SchemaError(
      `${object.name}.${what}: formula ${JSON.stringify(formula)} cannot be evaluated by the emulator (${reason}); refusing to start`
    );
  };
  for (const field of object.fields) {
    for (const formula of [field.calculatedFormula, field.defaultValueFormula]) {
      if (!formula) continue;
      try {
        checkFormula(object, formula);
      } catch (error) {
        fail(field.name, formula, error);
      }
    }
  }
  for (const rule of object.validationRules) {
    try {
      checkFormula(object, rule.errorConditionFormula, 'validationRule');
    } catch (error) {
      fail(`validationRule ${rule.fullName}`, rule.errorConditionFormula, error);
    }
    if (rule.errorDisplayField && !object.fieldMap.has(rule.errorDisplayField.toLowerCase())) {
      throw new SchemaError(`${object.name}.validationRule ${rule.fullName}: errorDisplayField ${rule.errorDisplayField} does not exist`);
    }
  }
}

function linkChildRelationships(objects: Map<string, SObjectDef>, pkg: LoadedPackage): void {
  for (const child of objects.values()) {
    for (const field of child.fields) {
      if (field.type !== 'reference' || field.name === 'CreatedById' || field.name === 'LastModifiedById') continue;
      const key = `${child.name}.${field.name}`;
      const relationshipName = pkg.childRelationshipNames.get(child.name)?.get(field.name) ?? STANDARD_CHILD_RELATIONSHIPS[key] ?? null;
      for (const target of field.referenceTo) {
        const parent = objects.get(target.toLowerCase());
        if (!parent) continue;
        const relationship: ChildRelationshipDef = {
          childSObject: child.name,
          field: field.name,
          relationshipName,
          cascadeDelete: CASCADE_DELETE.has(key) || (field.custom && !field.nillable)
        };
        parent.childRelationships.push(relationship);
      }
    }
  }
}

/** Builds a Schema from definitions (exported for tests and tools that build objects by hand). */
export function buildSchema(objectList: SObjectDef[], customMetadataRecords: CustomMetadataRecord[] = []): LoadedSchema {
  const byName = new Map(objectList.map((o) => [o.name.toLowerCase(), o]));
  const byPrefix = new Map<string, SObjectDef>();
  for (const o of objectList) if (!byPrefix.has(o.keyPrefix)) byPrefix.set(o.keyPrefix, o);
  return {
    get: (name) => byName.get(name.toLowerCase()),
    all: () => objectList,
    byKeyPrefix: (keyPrefix) => byPrefix.get(keyPrefix.slice(0, 3)),
    customMetadataRecords
  };
}

/** Standard objects plus the package at forceAppDir (default: the repo's force-app/main/default). */
export async function loadSchema(opts: { forceAppDir?: string } = {}): Promise<LoadedSchema> {
  const pkg = await loadPackageMetadata(opts.forceAppDir ?? DEFAULT_FORCE_APP_DIR);
  const objects = new Map<string, SObjectDef>();
  for (const o of standardObjects()) objects.set(o.name.toLowerCase(), o);
  const takenPrefixes = new Set([...objects.values()].map((o) => o.keyPrefix));

  for (const p of pkg.objects) {
    const existing = objects.get(p.name.toLowerCase());
    if (existing) {
      mergeIntoStandard(existing, p);
    } else if (p.definition) {
      const keyPrefix = customKeyPrefix(p.name, takenPrefixes);
      takenPrefixes.add(keyPrefix);
      objects.set(p.name.toLowerCase(), customObjectFromPackage(p, keyPrefix));
    } else {
      throw new SchemaError(`package adds fields to ${p.name}, a standard object the emulator does not model`);
    }
  }

  for (const o of [...objects.values()]) {
    if (o.trackedFields.length === 0 && !ALWAYS_HISTORY_OBJECTS.has(o.name)) continue;
    const historyName = historyObjectName(o.name);
    if (!objects.has(historyName.toLowerCase())) objects.set(historyName.toLowerCase(), fieldHistoryObject(o));
  }

  for (const o of objects.values()) verifyFormulas(o);
  linkChildRelationships(objects, pkg);

  for (const record of pkg.customMetadataRecords) {
    const type = objects.get(record.type.toLowerCase());
    if (!type) throw new SchemaError(`custom metadata record ${record.developerName} is of unknown type ${record.type}`);
    for (const fieldName of Object.keys(record.values)) {
      if (!type.fieldMap.has(fieldName.toLowerCase())) {
        throw new SchemaError(`custom metadata record ${record.type}.${record.developerName} sets unknown field ${fieldName}`);
      }
    }
  }
  return buildSchema([...objects.values()], pkg.customMetadataRecords);
}

