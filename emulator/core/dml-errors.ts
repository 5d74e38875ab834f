/** Salesforce per-record errors used by the record layer (statusCode/message/fields as the API returns them). */
import type { SfError, SObjectDef } from './types';

export const err = (statusCode: string, message: string, fields: string[] = []): SfError => ({ statusCode, message, fields });

export const noSuchColumn = (object: SObjectDef, name: string): SfError =>
  err('INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`, [name]);

export const notWritable = (names: string[]): SfError =>
  err(
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${names.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    names
  );

export const requiredMissing = (names: string[]): SfError =>
  err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);

export const duplicateValue = (field: string, id: string): SfError =>
  err('DUPLICATE_VALUE', `duplicate value found: ${field} duplicates value on record with id: ${id}`, [field]);

export const ROLLED_BACK = err(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header'
);

export const entityIsDeleted = (): SfError => err('ENTITY_IS_DELETED', 'entity is deleted');
export const invalidCrossReference = (fields: string[] = []): SfError => err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', fields);
export const convertedLead = (): SfError => err('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
