/**
 * Setup objects of permission sets: PermissionSet, PermissionSetAssignment, ObjectPermissions and FieldPermissions.
 * A deployed (or start-up loaded) PermissionSet becomes one PermissionSet row plus its ObjectPermissions and
 * FieldPermissions rows, so `sf org assign permset` (query PermissionSet by Name, create PermissionSetAssignment)
 * and `leadflow doctor` (PermissionSetAssignment with PermissionSet.Name) work as in a real org.
 * Key prefixes are Salesforce's: 0PS, 0Pa, 110, 01k.
 */
import { READ_ONLY, bool, makeObject, reference, systemFields, text, textArea } from './field-builders';
import type { FieldDef, SObjectDef } from './types';

export const PERMISSION_SET_OBJECTS = ['PermissionSet', 'PermissionSetAssignment', 'ObjectPermissions', 'FieldPermissions'] as const;

/** Permission set rows are metadata: only a deploy writes them, API clients cannot. */
const METADATA_ONLY = { createable: false, updateable: false, deletable: false };

function permissionSet(): SObjectDef {
  return makeObject(
    'PermissionSet',
    '0PS',
    [
      ...systemFields(),
      text('Name', 80, { ...READ_ONLY, nillable: false, label: 'Name', idLookup: true }),
      text('Label', 80, { ...READ_ONLY, nillable: false }),
      textArea('Description', 255, READ_ONLY),
      bool('IsOwnedByProfile', READ_ONLY),
      bool('IsCustom', READ_ONLY),
      text('NamespacePrefix', 15, READ_ONLY),
      text('Type', 40, READ_ONLY)
    ],
    { ...METADATA_ONLY, label: 'Permission Set', labelPlural: 'Permission Sets', custom: false }
  );
}

function permissionSetAssignment(): SObjectDef {
  return makeObject(
    'PermissionSetAssignment',
    '0Pa',
    [
      ...systemFields(),
      reference('AssigneeId', ['User'], { nillable: false, updateable: false, relationshipName: 'Assignee' }),
      reference('PermissionSetId', ['PermissionSet'], { nillable: false, updateable: false, relationshipName: 'PermissionSet' }),
      bool('IsActive', { ...READ_ONLY, defaultValue: true, defaultedOnCreate: true })
    ],
    { label: 'Permission Set Assignment', labelPlural: 'Permission Set Assignments', updateable: false, custom: false }
  );
}

function objectPermissions(): SObjectDef {
  return makeObject(
    'ObjectPermissions',
    '110',
    [
      ...systemFields(),
      reference('ParentId', ['PermissionSet'], { ...READ_ONLY, nillable: false, relationshipName: 'Parent' }),
      text('SobjectType', 40, { ...READ_ONLY, nillable: false }),
      bool('PermissionsCreate', READ_ONLY),
      bool('PermissionsRead', READ_ONLY),
      bool('PermissionsEdit', READ_ONLY),
      bool('PermissionsDelete', READ_ONLY),
      bool('PermissionsViewAllRecords', READ_ONLY),
      bool('PermissionsModifyAllRecords', READ_ONLY)
    ],
    { ...METADATA_ONLY, label: 'Object Permissions', labelPlural: 'Object Permissions', custom: false }
  );
}

function fieldPermissions(): SObjectDef {
  return makeObject(
    'FieldPermissions',
    '01k',
    [
      ...systemFields(),
      reference('ParentId', ['PermissionSet'], { ...READ_ONLY, nillable: false, relationshipName: 'Parent' }),
      text('SobjectType', 40, { ...READ_ONLY, nillable: false }),
      text('Field', 255, { ...READ_ONLY, nillable: false }),
      bool('PermissionsRead', READ_ONLY),
      bool('PermissionsEdit', READ_ONLY)
    ],
    { ...METADATA_ONLY, label: 'Field Permissions', labelPlural: 'Field Permissions', custom: false }
  );
}

/** Child relationship names Salesforce gives these objects (PermissionSet.Assignments, .ObjectPerms, .FieldPerms). */
export const PERMISSION_CHILD_RELATIONSHIPS: Readonly<Record<string, string>> = {
  'PermissionSetAssignment.PermissionSetId': 'Assignments',
  'PermissionSetAssignment.AssigneeId': 'PermissionSetAssignments',
  'ObjectPermissions.ParentId': 'ObjectPerms',
  'FieldPermissions.ParentId': 'FieldPerms'
};

/** A query-only setup object whose rows mirror deployed metadata (ApexTrigger, Report, CustomPermission ...). */
function setupObject(name: string, keyPrefix: string, label: string, fields: FieldDef[]): SObjectDef {
  return makeObject(name, keyPrefix, [...systemFields(), ...fields], { ...METADATA_ONLY, label, labelPlural: `${label}s`, custom: false });
}

const ro = (f: FieldDef): FieldDef => ({ ...f, createable: false, updateable: false });

/**
 * Rows the org keeps for other deployed metadata, so clients can check an install with SOQL as in a real org
 * (leadflow doctor): custom permissions and their grants, permission set groups, Apex classes and triggers
 * (stored, never run: Status is what the metadata says), reports and dashboards.
 */
function metadataMirrorObjects(): SObjectDef[] {
  return [
    setupObject('CustomPermission', '0CP', 'Custom Permission', [
      ro(text('DeveloperName', 80, { nillable: false })),
      ro(text('MasterLabel', 80)),
      ro(text('NamespacePrefix', 15))
    ]),
    setupObject('SetupEntityAccess', '0J0', 'Setup Entity Access', [
      ro(reference('ParentId', ['PermissionSet'], { nillable: false, relationshipName: 'Parent' })),
      ro(text('SetupEntityId', 18, { nillable: false })),
      ro(text('SetupEntityType', 40))
    ]),
    setupObject('PermissionSetGroup', '0PG', 'Permission Set Group', [
      ro(text('DeveloperName', 80, { nillable: false })),
      ro(text('MasterLabel', 80)),
      ro(text('Status', 40)),
      ro(text('NamespacePrefix', 15))
    ]),
    setupObject('ApexClass', '01p', 'Apex Class', [
      ro(text('Name', 255, { nillable: false })),
      ro(text('Status', 40)),
      ro(text('ApiVersion', 10)),
      ro(text('NamespacePrefix', 15))
    ]),
    setupObject('ApexTrigger', '01q', 'Apex Trigger', [
      ro(text('Name', 255, { nillable: false })),
      ro(text('Status', 40)),
      ro(text('TableEnumOrId', 40)),
      ro(text('ApiVersion', 10)),
      ro(text('NamespacePrefix', 15))
    ]),
    setupObject('Report', '00O', 'Report', [
      ro(text('DeveloperName', 80, { nillable: false })),
      ro(text('Name', 80)),
      ro(text('FolderName', 80)),
      ro(text('NamespacePrefix', 15))
    ]),
    setupObject('Dashboard', '01Z', 'Dashboard', [
      ro(text('DeveloperName', 80, { nillable: false })),
      ro(text('Title', 80)),
      ro(text('FolderName', 80)),
      ro(text('NamespacePrefix', 15))
    ])
  ];
}

export const METADATA_MIRROR_OBJECTS = ['CustomPermission', 'SetupEntityAccess', 'PermissionSetGroup', 'ApexClass', 'ApexTrigger', 'Report', 'Dashboard'] as const;

export function permissionObjects(): SObjectDef[] {
  return [permissionSet(), permissionSetAssignment(), objectPermissions(), fieldPermissions(), ...metadataMirrorObjects()];
}
