/**
 * `?columns=true` metadata (used by `sf data query`): one entry per SELECT item; parent paths nest under their
 * relationship (`Owner` with joinColumns [Name]), subqueries are aggregate entries with the child columns,
 * and function items are `expr0`-style aggregate columns with a lower-cased displayName like `avg(Amount)`.
 */
import type { ColumnMetadata, FieldDef } from '../core/types';
import type { SelectItem, SelectPlan } from './compile';
import { familyOf, type ValueFamily } from './sql';

const APEX_TYPES: Partial<Record<FieldDef['type'], string>> = {
  id: 'Id',
  reference: 'Id',
  boolean: 'Boolean',
  int: 'Integer',
  double: 'Double',
  currency: 'Double',
  percent: 'Double',
  date: 'Date',
  datetime: 'Datetime',
  anyType: 'Object'
};

function base(columnName: string, displayName: string): ColumnMetadata {
  return {
    aggregate: false,
    apexType: null,
    booleanType: false,
    columnName,
    custom: false,
    displayName,
    foreignKeyName: null,
    insertable: false,
    joinColumns: [],
    numberType: false,
    textType: false,
    updatable: false
  };
}

function typeFlags(family: ValueFamily): Pick<ColumnMetadata, 'booleanType' | 'numberType' | 'textType'> {
  return { booleanType: family === 'boolean', numberType: family === 'number', textType: family === 'text' };
}

function fieldColumn(field: FieldDef): ColumnMetadata {
  return {
    ...base(field.name, field.name),
    ...typeFlags(familyOf(field)),
    apexType: APEX_TYPES[field.type] ?? 'String',
    custom: field.custom,
    insertable: field.createable,
    updatable: field.updateable
  };
}

function itemsToColumns(items: SelectItem[]): ColumnMetadata[] {
  const out: ColumnMetadata[] = [];
  for (const item of items) {
    if (item.kind === 'children') {
      out.push({
        ...base(item.name, item.name),
        aggregate: true,
        joinColumns: itemsToColumns(item.child.plan.items)
      });
    } else if (item.kind === 'aggregate') {
      if (!item.isAggregate && item.field)
        out.push({ ...fieldColumn(item.field), columnName: item.name, displayName: item.name });
      else out.push({ ...base(item.name, item.displayName), ...typeFlags(item.family), aggregate: true });
    } else {
      // Walk (or create) the nested relationship entries, then add the field at the innermost level.
      let level = out;
      for (const join of item.joins) {
        let parent = level.find((c) => c.columnName === join.name && c.apexType === null && !c.aggregate);
        if (!parent) {
          parent = { ...base(join.name, join.name), foreignKeyName: join.foreignKey };
          level.push(parent);
        }
        level = parent.joinColumns;
      }
      if (!level.some((c) => c.columnName === item.field.name)) level.push(fieldColumn(item.field));
    }
  }
  return out;
}

export function buildColumns(plan: SelectPlan): {
  columnMetadata: ColumnMetadata[];
  entityName: string;
  groupBy: boolean;
  idSelected: boolean;
  keyPrefix: string | null;
} {
  return {
    columnMetadata: itemsToColumns(plan.items),
    entityName: plan.object.name,
    groupBy: plan.kind === 'aggregate',
    idSelected: plan.items.some((i) => i.kind === 'field' && i.joins.length === 0 && i.field.type === 'id'),
    keyPrefix: plan.object.keyPrefix || null
  };
}
