import path from 'node:path';
import type { FieldKind, PackageSchema } from './schema';
import type { FindingSink } from './report';
import { list, readMetadata, text } from './xml';

/** Qualification_Criterion__mdt operators and the field kinds they can evaluate (docs/qualification-spec.md). */
const OPERATOR_KINDS: Record<string, FieldKind[] | 'any'> = {
  isSet: 'any',
  isNotSet: 'any',
  equals: 'any',
  notEquals: 'any',
  greaterThan: ['number', 'date', 'datetime'],
  greaterOrEqual: ['number', 'date', 'datetime'],
  lessThan: ['number', 'date', 'datetime'],
  lessOrEqual: ['number', 'date', 'datetime'],
  contains: ['text', 'picklist'],
  in: ['text', 'picklist', 'number'],
  notIn: ['text', 'picklist', 'number'],
  isTrue: ['boolean'],
  isFalse: ['boolean'],
  withinNextDays: ['date', 'datetime'],
  withinLastDays: ['date', 'datetime']
};

/** Custom metadata records: the type and every field exist; qualification criteria name Lead fields of a fitting type. */
export async function checkCustomMetadata(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of schema.filesIn('customMetadata', '.md-meta.xml')) {
    const typeName = `${path.basename(file).split('.')[0]}__mdt`;
    const type = await schema.object(typeName);
    if (!type) {
      sink.add(file, 'cmdt-type', `custom metadata type ${typeName} does not exist`);
      continue;
    }
    const node = readMetadata(file, 'CustomMetadata');
    const values = new Map<string, string>();
    for (const v of list(node, 'values')) {
      const field = text(v, 'field');
      if (!type.fields.has(field.toLowerCase()))
        sink.add(file, 'cmdt-field', `values field ${field} does not exist on ${typeName}`);
      values.set(field, text(v, 'value'));
    }
    if (typeName === 'Qualification_Criterion__mdt') {
      const fieldName = values.get('Field__c') ?? '';
      const operator = values.get('Operator__c') ?? '';
      const leadField = await schema.field('Lead', fieldName);
      if (!leadField) {
        sink.add(file, 'criterion-field', `Field__c ${fieldName} does not exist on Lead`);
        continue;
      }
      const kinds = OPERATOR_KINDS[operator];
      if (!kinds)
        sink.add(
          file,
          'criterion-operator',
          `Operator__c ${operator} is not a known operator (docs/qualification-spec.md)`
        );
      else if (kinds !== 'any' && !kinds.includes(leadField.kind)) {
        sink.add(
          file,
          'criterion-operator',
          `Operator__c ${operator} cannot evaluate Lead.${fieldName}, a ${leadField.kind} field (needs ${kinds.join(' or ')})`
        );
      }
    }
  }
}

/** Validation rules: the error display field exists and every $Permission.X names a package custom permission. */
export async function checkValidationRules(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const { file, objectName } of validationRuleFiles(schema)) {
    const node = readMetadata(file, 'ValidationRule');
    const display = text(node, 'errorDisplayField');
    if (display && !(await schema.field(objectName, display)))
      sink.add(file, 'validation-rule-field', `errorDisplayField ${display} does not exist on ${objectName}`);
    const formula = text(node, 'errorConditionFormula');
    for (const m of formula.matchAll(/\$Permission\.(\w+)/g)) {
      if (!schema.customPermissions.has(m[1] as string))
        sink.add(
          file,
          'validation-rule-permission',
          `$Permission.${m[1]}: no such custom permission in the package`
        );
    }
  }
}

function validationRuleFiles(schema: PackageSchema): Array<{ file: string; objectName: string }> {
  const out: Array<{ file: string; objectName: string }> = [];
  for (const objectsDir of schema.metadataDirs('objects')) {
    for (const object of schema.localObjects.values()) {
      for (const file of schema.filesIn(
        path.join('objects', object.name, 'validationRules'),
        '.validationRule-meta.xml'
      )) {
        if (file.startsWith(objectsDir)) out.push({ file, objectName: object.name });
      }
    }
  }
  return out;
}
