import path from 'node:path';
import type { PackageSchema } from './schema';
import type { FindingSink } from './report';
import { list, readMetadata, text } from './xml';

/**
 * Standard objects a permission set may not list under objectPermissions: Salesforce derives their access
 * from user permissions or from their parent records, and a deploy refuses (or silently drops) such entries.
 * Task and Event: "Edit Tasks" / "Edit Events" (userPermissions EditTask / EditEvent). CampaignMember: read on
 * Campaign plus edit on the Lead or Contact. OpportunityLineItem: access of the Opportunity. User/Group: setup.
 */
export const NOT_IN_OBJECT_PERMISSIONS: Record<string, string> = {
  task: 'Task access comes from the user permission "Edit Tasks" (userPermissions EditTask), not objectPermissions',
  event:
    'Event access comes from the user permission "Edit Events" (userPermissions EditEvent), not objectPermissions',
  campaignmember:
    'CampaignMember access comes from read access to Campaign plus edit access to the Lead or Contact, not objectPermissions',
  opportunitylineitem: 'OpportunityLineItem access follows the parent Opportunity, not objectPermissions',
  user: 'User is a setup object; its access comes from user permissions such as "Manage Users"',
  group: 'Group is a setup object; its access comes from user permissions'
};

export async function checkPermissionSets(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of schema.filesIn('permissionsets', '.permissionset-meta.xml')) {
    const node = readMetadata(file, 'PermissionSet');
    for (const entry of list(node, 'fieldPermissions')) {
      const ref = text(entry, 'field');
      const [objectName, fieldName, extra] = ref.split('.');
      if (!objectName || !fieldName || extra !== undefined) {
        sink.add(file, 'permissionset-field', `fieldPermissions field "${ref}" is not Object.Field`);
        continue;
      }
      const object = await schema.object(objectName);
      if (!object) {
        sink.add(file, 'permissionset-field', `fieldPermissions ${ref}: object ${objectName} does not exist`);
        continue;
      }
      const field = object.fields.get(fieldName.toLowerCase());
      if (!field || field.kind === 'relationship') {
        sink.add(
          file,
          'permissionset-field',
          `fieldPermissions ${ref}: field ${fieldName} does not exist on ${objectName}`
        );
        continue;
      }
      if (field.required) {
        sink.add(
          file,
          'permissionset-field',
          `fieldPermissions ${ref}: required fields always have access; Salesforce refuses field permissions on them`
        );
      }
      if (field.readOnly && text(entry, 'editable') === 'true') {
        sink.add(
          file,
          'permissionset-field',
          `fieldPermissions ${ref}: ${fieldName} is calculated (formula, roll-up or auto number) and cannot be editable`
        );
      }
      if (text(entry, 'editable') === 'true' && text(entry, 'readable') !== 'true') {
        sink.add(file, 'permissionset-field', `fieldPermissions ${ref}: editable requires readable`);
      }
    }
    for (const entry of list(node, 'objectPermissions')) {
      const objectName = text(entry, 'object');
      const refused = NOT_IN_OBJECT_PERMISSIONS[objectName.toLowerCase()];
      if (refused) {
        sink.add(file, 'permissionset-object', `objectPermissions ${objectName}: ${refused}`);
        continue;
      }
      if (objectName.endsWith('__mdt')) {
        sink.add(
          file,
          'permissionset-object',
          `objectPermissions ${objectName}: custom metadata types take customMetadataTypeAccesses, not objectPermissions`
        );
        continue;
      }
      if (!(await schema.object(objectName)))
        sink.add(file, 'permissionset-object', `objectPermissions ${objectName}: object does not exist`);
    }
    for (const entry of list(node, 'classAccesses')) {
      const name = text(entry, 'apexClass');
      if (!schema.apexClasses.has(name.toLowerCase()))
        sink.add(file, 'permissionset-class', `classAccesses ${name}: no such Apex class in the package`);
    }
    for (const entry of list(node, 'customMetadataTypeAccesses')) {
      const name = text(entry, 'name');
      if (!name.endsWith('__mdt') || !(await schema.object(name))) {
        sink.add(
          file,
          'permissionset-cmdt',
          `customMetadataTypeAccesses ${name}: no such custom metadata type in the package`
        );
      }
    }
    for (const entry of list(node, 'customPermissions')) {
      const name = text(entry, 'name');
      if (!schema.customPermissions.has(name))
        sink.add(
          file,
          'permissionset-custom-permission',
          `customPermissions ${name}: no such custom permission in the package`
        );
    }
  }
  for (const file of schema.filesIn('permissionsetgroups', '.permissionsetgroup-meta.xml')) {
    const node = readMetadata(file, 'PermissionSetGroup');
    for (const member of list({ m: node.permissionSets }, 'm')) {
      const name = typeof member === 'string' ? member : text(member, '#text');
      if (!schema.permissionSets.has(name)) {
        sink.add(
          file,
          'permissionsetgroup-member',
          `permissionSets ${name}: no such permission set in the package (${path.basename(file)})`
        );
      }
    }
  }
}
