/**
 * The org's schema: standard objects plus the project's package (custom fields, custom objects,
 * custom metadata types, validation rules, field history tracking). Every formula is proven to
 * evaluate with formulon here, so an unsupported formula stops the emulator at start-up.
 */
import path from 'node:path';
import { READ_ONLY, addField, makeField, makeObject, ownerField, systemFields, text } from './field-builders';
import { FormulaError, checkFormula } from './formulas';
import { customKeyPrefix } from './ids';
import {
  loadPackageMetadata,
  type CustomMetadataRecord,
  type LoadedPackage,
  type PackageObject,
  type PackagePermissionSet
} from './metadata-loader';
import { PERMISSION_CHILD_RELATIONSHIPS, permissionObjects } from './permission-objects';
import { ALWAYS_HISTORY_OBJECTS, fieldHistoryObject, historyObjectName, standardObjects } from './standard-objects';
import type { ChildRelationshipDef, FieldDef, SObjectDef, Schema } from './types';

/** The repo's package folder, used when loadSchema gets no forceAppDir. */
export const DEFAULT_FORCE_APP_DIR = path.resolve(__dirname, '..', '..', 'force-app', 'main', 'default');

export interface LoadedSchema extends Schema {
  /** Custom metadata records from the package, seeded as read-only rows of their __mdt object by syncTables. */
  customMetadataRecords: CustomMetadataRecord[];
  /** Permission sets from the package (rows of PermissionSet/ObjectPermissions/FieldPermissions, see emulator/metadata). */
  permissionSets?: PackagePermissionSet[];
}

export class SchemaError extends Error {
  constructor(
    message: string,
    /** The metadata component at fault (Metadata API type + fullName), when there is one: a deploy reports it there. */
    public readonly component?: { type: string; fullName: string }
  ) {
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
  'OpportunityHistory.OpportunityId': 'OpportunityHistories',
  ...PERMISSION_CHILD_RELATIONSHIPS
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
      deletable: false,
      // Enforced on the type's records when they are deployed (emulator/metadata/validate.ts).
      validationRules: pkg.validationRules
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
  const fail = (what: string, formula: string, error: unknown, component: { type: string; fullName: string }): never => {
    const reason = error instanceof FormulaError ? error.message : String(error);
    throw new SchemaError(
      `${object.name}.${what}: formula ${JSON.stringify(formula)} cannot be evaluated by the emulator (${reason}); refusing to start`,
      component
    );
  };
  for (const field of object.fields) {
    for (const formula of [field.calculatedFormula, field.defaultValueFormula]) {
      if (!formula) continue;
      try {
        checkFormula(object, formula);
      } catch (error) {
        fail(field.name, formula, error, { type: 'CustomField', fullName: `${object.name}.${field.name}` });
      }
    }
  }
  for (const rule of object.validationRules) {
    try {
      checkFormula(object, rule.errorConditionFormula, 'validationRule');
    } catch (error) {
      fail(`validationRule ${rule.fullName}`, rule.errorConditionFormula, error, {
        type: 'ValidationRule',
        fullName: `${object.name}.${rule.fullName}`
      });
    }
    if (rule.errorDisplayField && !object.fieldMap.has(rule.errorDisplayField.toLowerCase())) {
      throw new SchemaError(`${object.name}.validationRule ${rule.fullName}: errorDisplayField ${rule.errorDisplayField} does not exist`, {
        type: 'ValidationRule',
        fullName: `${object.name}.${rule.fullName}`
      });
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
export function buildSchema(
  objectList: SObjectDef[],
  customMetadataRecords: CustomMetadataRecord[] = [],
  permissionSets: PackagePermissionSet[] = []
): LoadedSchema {
  const byName = new Map(objectList.map((o) => [o.name.toLowerCase(), o]));
  const byPrefix = new Map<string, SObjectDef>();
  for (const o of objectList) if (!byPrefix.has(o.keyPrefix)) byPrefix.set(o.keyPrefix, o);
  return {
    get: (name) => byName.get(name.toLowerCase()),
    all: () => objectList,
    byKeyPrefix: (keyPrefix) => byPrefix.get(keyPrefix.slice(0, 3)),
    customMetadataRecords,
    permissionSets
  };
}

export interface BuildSchemaOptions {
  /**
   * Key prefixes of custom objects already in the running org (lowercase name -> prefix). A deploy keeps them,
   * so ids of existing records keep pointing at their object whatever else the deploy adds.
   */
  keyPrefixes?: ReadonlyMap<string, string>;
}

/** Standard objects (incl. the permission set setup objects) plus a package. Throws SchemaError on the first problem. */
export function buildOrgSchema(pkg: LoadedPackage, opts: BuildSchemaOptions = {}): LoadedSchema {
  const objects = new Map<string, SObjectDef>();
  for (const o of [...standardObjects(), ...permissionObjects()]) objects.set(o.name.toLowerCase(), o);
  const takenPrefixes = new Set([...objects.values()].map((o) => o.keyPrefix));
  for (const prefix of opts.keyPrefixes?.values() ?? []) takenPrefixes.add(prefix);

  for (const p of pkg.objects) {
    const existing = objects.get(p.name.toLowerCase());
    if (existing) {
      mergeIntoStandard(existing, p);
    } else if (p.definition) {
      const kept = opts.keyPrefixes?.get(p.name.toLowerCase());
      const keyPrefix = kept ?? customKeyPrefix(p.name, takenPrefixes);
      takenPrefixes.add(keyPrefix);
      objects.set(p.name.toLowerCase(), customObjectFromPackage(p, keyPrefix));
    } else {
      const field = p.fields[0]?.name ?? p.validationRules[0]?.fullName ?? '';
      throw new SchemaError(
        `package adds fields to ${p.name}, a standard object the emulator does not model`,
        p.fields[0] ? { type: 'CustomField', fullName: `${p.name}.${field}` } : { type: 'CustomObject', fullName: p.name }
      );
    }
  }

  for (const o of [...objects.values()]) {
    if (o.trackedFields.length === 0 && !ALWAYS_HISTORY_OBJECTS.has(o.name)) continue;
    const historyName = historyObjectName(o.name);
    if (!objects.has(historyName.toLowerCase())) objects.set(historyName.toLowerCase(), fieldHistoryObject(o));
  }

  for (const o of objects.values()) {
    for (const field of o.fields) {
      if (!field.custom || field.type !== 'reference') continue;
      for (const target of field.referenceTo) {
        if (!objects.has(target.toLowerCase())) {
          throw new SchemaError(`${o.name}.${field.name}: the lookup refers to ${target}, an object that does not exist in the org`, {
            type: 'CustomField',
            fullName: `${o.name}.${field.name}`
          });
        }
      }
    }
  }
  for (const o of objects.values()) verifyFormulas(o);
  linkChildRelationships(objects, pkg);

  for (const record of pkg.customMetadataRecords) {
    const component = { type: 'CustomMetadata', fullName: `${record.type.replace(/__mdt$/, '')}.${record.developerName}` };
    const type = objects.get(record.type.toLowerCase());
    if (!type) throw new SchemaError(`custom metadata record ${record.developerName} is of unknown type ${record.type}`, component);
    for (const fieldName of Object.keys(record.values)) {
      if (!type.fieldMap.has(fieldName.toLowerCase())) {
        throw new SchemaError(`custom metadata record ${record.type}.${record.developerName} sets unknown field ${fieldName}`, component);
      }
    }
  }
  return buildSchema([...objects.values()], pkg.customMetadataRecords, pkg.permissionSets);
}

/**
 * Standard objects plus the package at forceAppDir (default: the repo's force-app/main/default);
 * forceAppDir null = no package (an empty org, for `--seed none`).
 */
export async function loadSchema(opts: { forceAppDir?: string | null } = {}): Promise<LoadedSchema> {
  const pkg: LoadedPackage =
    opts.forceAppDir === null
      ? { objects: [], customMetadataRecords: [], permissionSets: [], childRelationshipNames: new Map() }
      : await loadPackageMetadata(opts.forceAppDir ?? DEFAULT_FORCE_APP_DIR);
  return buildOrgSchema(pkg);
}

/** A schema whose content a deploy can replace while the org runs: every module keeps the same object. */
export interface MutableSchema extends LoadedSchema {
  current(): LoadedSchema;
  replace(next: LoadedSchema): void;
}

export function mutableSchema(initial: LoadedSchema): MutableSchema {
  let current = initial;
  return {
    get: (name) => current.get(name),
    all: () => current.all(),
    byKeyPrefix: (prefix) => current.byKeyPrefix(prefix),
    get customMetadataRecords() {
      return current.customMetadataRecords;
    },
    get permissionSets() {
      return current.permissionSets;
    },
    current: () => current,
    replace: (next) => {
      current = next;
    }
  };
}
