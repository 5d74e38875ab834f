/**
 * PermissionSet, ObjectPermissions and FieldPermissions rows for the package's permission sets. A permission
 * set keeps its Id across deploys and restarts (looked up by Name), so PermissionSetAssignment rows stay valid;
 * its ObjectPermissions/FieldPermissions rows are rewritten from the metadata on every sync.
 */
import { insertRows, quoteIdent, recordToRow, type SqlRunner } from '../core/database';
import { newId } from '../core/ids';
import { ADMIN_USER_ID } from '../core/reference-data';
import type { LoadedSchema } from '../core/schema';
import type { SObjectRecord } from '../core/types';

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
