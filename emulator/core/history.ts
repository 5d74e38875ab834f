/**
 * History rows written on save: field history (LeadHistory, OpportunityFieldHistory, X__History)
 * for tracked fields, and OpportunityHistory (always on) for stage/amount/probability/close date.
 */
import { newId } from './ids';
import { historyObjectName, historyParentField } from './standard-objects';
import type { FieldDef, Schema, SObjectDef } from './types';
import { historyText } from './values';

type Row = Record<string, unknown>;

export interface HistoryRows {
  object: SObjectDef;
  rows: Row[];
}

const DATA_TYPES: Partial<Record<FieldDef['type'], string>> = {
  picklist: 'Picklist',
  multipicklist: 'Picklist',
  int: 'Number',
  double: 'Number',
  percent: 'Number',
  currency: 'Currency',
  date: 'Date',
  datetime: 'DateTime',
  boolean: 'Boolean',
  reference: 'EntityId'
};

function audit(userId: string, nowIso: string): Row {
  return {
    isdeleted: false,
    createddate: nowIso,
    createdbyid: userId,
    lastmodifieddate: nowIso,
    lastmodifiedbyid: userId,
    systemmodstamp: nowIso
  };
}

const OPPORTUNITY_HISTORY_TRIGGERS = ['stagename', 'amount', 'probability', 'closedate'] as const;

/**
 * History rows for a batch of saved rows. `previous` is parallel to `rows` (undefined entries for inserts).
 */
export function historyRowsFor(
  schema: Schema,
  object: SObjectDef,
  rows: Row[],
  previous: Array<Row | undefined>,
  userId: string,
  now: Date
): HistoryRows[] {
  const nowIso = now.toISOString();
  const out: HistoryRows[] = [];
  const fieldHistory = object.trackedFields.length > 0 ? schema.get(historyObjectName(object.name)) : undefined;
  if (fieldHistory) {
    const parentColumn = historyParentField(object.name).toLowerCase();
    const tracked = object.trackedFields.map((name) => object.fieldMap.get(name.toLowerCase())).filter((f): f is FieldDef => !!f);
    const historyRows: Row[] = [];
    rows.forEach((row, i) => {
      const before = previous[i];
      const base = { ...audit(userId, nowIso), [parentColumn]: row.id };
      if (!before) {
        historyRows.push({ ...base, id: newId(fieldHistory.keyPrefix), field: 'created', datatype: null, oldvalue: null, newvalue: null });
        return;
      }
      for (const field of tracked) {
        if (sameValue(before[field.column], row[field.column])) continue;
        historyRows.push({
          ...base,
          id: newId(fieldHistory.keyPrefix),
          field: field.name,
          datatype: DATA_TYPES[field.type] ?? 'Text',
          oldvalue: historyText(field, before[field.column]),
          newvalue: historyText(field, row[field.column])
        });
      }
    });
    if (historyRows.length > 0) out.push({ object: fieldHistory, rows: historyRows });
  }
  const opportunityHistory = object.name === 'Opportunity' ? schema.get('OpportunityHistory') : undefined;
  if (opportunityHistory) {
    const historyRows: Row[] = [];
    rows.forEach((row, i) => {
      const before = previous[i];
      if (before && OPPORTUNITY_HISTORY_TRIGGERS.every((c) => sameValue(before[c], row[c]))) return;
      historyRows.push({
        ...audit(userId, nowIso),
        id: newId(opportunityHistory.keyPrefix),
        opportunityid: row.id,
        stagename: row.stagename,
        amount: row.amount ?? null,
        expectedrevenue: row.expectedrevenue ?? null,
        closedate: row.closedate ?? null,
        probability: row.probability ?? null,
        forecastcategory: row.forecastcategory ?? null,
        prevamount: before ? (before.amount ?? null) : null,
        prevclosedate: before ? (before.closedate ?? null) : null
      });
    });
    if (historyRows.length > 0) out.push({ object: opportunityHistory, rows: historyRows });
  }
  return out;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}
