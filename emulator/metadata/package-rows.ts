/**
 * PermissionSet, ObjectPermissions and FieldPermissions rows for the package's permission sets. A permission
 * set keeps its Id across deploys and restarts (looked up by Name), so PermissionSetAssignment rows stay valid;
 * its ObjectPermissions/FieldPermissions rows are rewritten from the metadata on every sync.
 */
import { insertRows, quoteIdent, recordToRow, type SqlRunner } from '../core/database';
import { newId } from '../core/ids';
import { ADMIN_USER_ID } from '../core/reference-data';
import type { LoadedSchema } from '../core/schema';
import { METADATA_MIRROR_OBJECTS } from '../core/permission-objects';
import type { SObjectRecord } from '../core/types';
import type { OrgComponent } from './components';

export async function writePermissionSetRows(db: SqlRunner, schema: LoadedSchema, now: Date): Promise<void> {
  const permissionSet = schema.get('PermissionSet');
  const objectPerms = schema.get('ObjectPermissions');
  const fieldPerms = schema.get('FieldPermissions');
  if (!permissionSet || !objectPerms || !fieldPerms) return;
  const sets = schema.permissionSets ?? [];
  const existing = await db.query<{ id: string; name: string }>(`SELECT "id", "name" FROM ${quoteIdent(permissionSet.table)}`);
  const idByName = new Map(existing.rows.map((r) => [r.name.toLowerCase(), r.id]));
  const stamp = now.toISOString();
  const audit = (): SObjectRecord => ({
    IsDeleted: false,
    CreatedDate: stamp,
    CreatedById: ADMIN_USER_ID,
    LastModifiedDate: stamp,
    LastModifiedById: ADMIN_USER_ID,
    SystemModstamp: stamp
  });

  const setRows: SObjectRecord[] = [];
  const objectRows: SObjectRecord[] = [];
  const fieldRows: SObjectRecord[] = [];
  const ids: string[] = [];
  for (const set of sets) {
    const id = idByName.get(set.name.toLowerCase()) ?? newId(permissionSet.keyPrefix);
    ids.push(id);
    setRows.push({
      Id: id,
      ...audit(),
      Name: set.name,
      Label: set.label,
      Description: set.description,
      IsOwnedByProfile: false,
      IsCustom: true,
      NamespacePrefix: null,
      Type: 'Regular'
    });
    for (const o of set.objectPermissions) {
      const type = schema.get(o.object);
      if (!type) continue;
      objectRows.push({
        Id: newId(objectPerms.keyPrefix),
        ...audit(),
        ParentId: id,
        SobjectType: type.name,
        PermissionsCreate: o.allowCreate,
        PermissionsRead: o.allowRead,
        PermissionsEdit: o.allowEdit,
        PermissionsDelete: o.allowDelete,
        PermissionsViewAllRecords: o.viewAllRecords,
        PermissionsModifyAllRecords: o.modifyAllRecords
      });
    }
    for (const f of set.fieldPermissions) {
      const [objectName = '', fieldName = ''] = f.field.split('.');
      const type = schema.get(objectName);
      const field = type?.fieldMap.get(fieldName.toLowerCase());
      // Standard fields the local org does not model are accepted by a deploy but get no row.
      if (!type || !field) continue;
      fieldRows.push({
        Id: newId(fieldPerms.keyPrefix),
        ...audit(),
        ParentId: id,
        SobjectType: type.name,
        Field: `${type.name}.${field.name}`,
        PermissionsRead: f.readable || f.editable,
        PermissionsEdit: f.editable
      });
    }
  }
  const keep = sets.map((s) => s.name);
  await db.query(`DELETE FROM ${quoteIdent(objectPerms.table)}`);
  await db.query(`DELETE FROM ${quoteIdent(fieldPerms.table)}`);
  // Permission sets that are no longer in the metadata are removed with their assignments.
  const removed = existing.rows.filter((r) => !keep.some((k) => k.toLowerCase() === r.name.toLowerCase())).map((r) => r.id);
  if (removed.length > 0) {
    const assignment = schema.get('PermissionSetAssignment');
    if (assignment) await db.query(`DELETE FROM ${quoteIdent(assignment.table)} WHERE "permissionsetid" = ANY($1)`, [removed]);
    await db.query(`DELETE FROM ${quoteIdent(permissionSet.table)} WHERE "id" = ANY($1)`, [removed]);
  }
  if (ids.length > 0) await db.query(`DELETE FROM ${quoteIdent(permissionSet.table)} WHERE "id" = ANY($1)`, [ids]);
  await insertRows(db, permissionSet, setRows.map((r) => recordToRow(permissionSet, r)));
  await insertRows(db, objectPerms, objectRows.map((r) => recordToRow(objectPerms, r)));
  await insertRows(db, fieldPerms, fieldRows.map((r) => recordToRow(fieldPerms, r)));
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** `trigger LeadTrigger on Lead (...)` -> 'Lead'. */
function triggerObject(c: OrgComponent): string | null {
  for (const [file, base64] of Object.entries(c.files ?? {})) {
    if (!file.endsWith('.trigger')) continue;
    const match = /\btrigger\s+\w+\s+on\s+(\w+)/i.exec(Buffer.from(base64, 'base64').toString('utf8'));
    if (match?.[1]) return match[1];
  }
  return null;
}

/**
 * Rows of the metadata mirror objects (CustomPermission, SetupEntityAccess, PermissionSetGroup, ApexClass,
 * ApexTrigger, Report, Dashboard) for the org's components, rewritten on every sync. Run after
 * writePermissionSetRows (SetupEntityAccess points at permission set rows).
 */
export async function writeMetadataMirrorRows(db: SqlRunner, schema: LoadedSchema, components: OrgComponent[], now: Date): Promise<void> {
  const stamp = now.toISOString();
  const audit = (): SObjectRecord => ({
    IsDeleted: false,
    CreatedDate: stamp,
    CreatedById: ADMIN_USER_ID,
    LastModifiedDate: stamp,
    LastModifiedById: ADMIN_USER_ID,
    SystemModstamp: stamp
  });
  const rows = new Map<string, SObjectRecord[]>(METADATA_MIRROR_OBJECTS.map((name) => [name, []]));
  const add = (type: string, record: SObjectRecord) => {
    const object = schema.get(type);
    if (!object) return;
    rows.get(type)?.push({ Id: newId(object.keyPrefix), ...audit(), NamespacePrefix: null, ...record });
  };
  const permissionIds = new Map<string, string>();
  for (const c of components) {
    const body = c.body ?? {};
    const [folder, name] = c.fullName.includes('/') ? c.fullName.split('/') : [null, c.fullName];
    switch (c.type) {
      case 'CustomPermission':
        add('CustomPermission', { DeveloperName: c.fullName, MasterLabel: text(body.label) ?? c.fullName });
        permissionIds.set(c.fullName.toLowerCase(), String(rows.get('CustomPermission')?.at(-1)?.Id));
        break;
      case 'PermissionSetGroup':
        // Salesforce recalculates a group after a deploy; the local org has nothing to recalculate.
        add('PermissionSetGroup', { DeveloperName: c.fullName, MasterLabel: text(body.label) ?? c.fullName, Status: 'Updated' });
        break;
      case 'ApexClass':
        add('ApexClass', { Name: c.fullName, Status: text(body.status) ?? 'Active', ApiVersion: text(body.apiVersion) });
        break;
      case 'ApexTrigger':
        add('ApexTrigger', { Name: c.fullName, Status: text(body.status) ?? 'Active', ApiVersion: text(body.apiVersion), TableEnumOrId: triggerObject(c) });
        break;
      case 'Report':
        add('Report', { DeveloperName: name, Name: text(body.name) ?? name, FolderName: folder });
        break;
      case 'Dashboard':
        add('Dashboard', { DeveloperName: name, Title: text(body.title) ?? name, FolderName: folder });
        break;
      default:
        break;
    }
  }
  const permissionSet = schema.get('PermissionSet');
  if (permissionSet) {
    const sets = await db.query<{ id: string; name: string }>(`SELECT "id", "name" FROM ${quoteIdent(permissionSet.table)}`);
    const setIds = new Map(sets.rows.map((r) => [r.name.toLowerCase(), r.id]));
    for (const c of components) {
      if (c.type !== 'PermissionSet') continue;
      const parentId = setIds.get(c.fullName.toLowerCase());
      for (const entry of list(c.body?.customPermissions)) {
        if (!entry || typeof entry !== 'object') continue;
        const e = entry as Record<string, unknown>;
        const permissionId = permissionIds.get((text(e.name) ?? '').toLowerCase());
        if (!parentId || !permissionId || text(e.enabled) !== 'true') continue;
        add('SetupEntityAccess', { ParentId: parentId, SetupEntityId: permissionId, SetupEntityType: 'CustomPermission' });
      }
    }
  }
  for (const [type, records] of rows) {
    const object = schema.get(type);
    if (!object) continue;
    await db.query(`DELETE FROM ${quoteIdent(object.table)}`);
    await insertRows(db, object, records.map((r) => recordToRow(object, r)));
  }
}
