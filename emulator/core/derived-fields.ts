/**
 * Values the org computes on save: person Name, Opportunity stage-driven fields, Task/CampaignMember
 * flags, ExpectedRevenue and formula fields. Rows are in stored form keyed by lowercase column.
 */
import { evaluateFormula, formulaResultFor } from './formulas';
import { CLOSED_TASK_STATUSES, FORECAST_CATEGORY_NAMES, OPPORTUNITY_STAGES } from './standard-objects';
import type { SObjectDef } from './types';

type Row = Record<string, unknown>;

const STAGES_BY_LABEL = new Map(OPPORTUNITY_STAGES.map((s) => [s.label, s]));
const FORECAST_BY_NAME = new Map(Object.entries(FORECAST_CATEGORY_NAMES).map(([api, name]) => [name, api]));
const PERSON_OBJECTS = new Set(['Lead', 'Contact', 'User']);

/**
 * Applies org-computed values. `supplied` holds the columns the caller set in this call, so an
 * explicit Probability/ForecastCategoryName wins over the stage default; `previous` is the row
 * before an update (undefined on insert).
 */
export function applyDerivedFields(object: SObjectDef, row: Row, supplied: ReadonlySet<string>, previous?: Row, now?: Date): void {
  if (PERSON_OBJECTS.has(object.name)) {
    const name = [row.firstname, row.lastname].filter((p) => typeof p === 'string' && p !== '').join(' ');
    row.name = name === '' ? null : name;
  }
  if (object.name === 'Opportunity') applyOpportunityStage(row, supplied, previous);
  if (object.name === 'Task') {
    const closed = typeof row.status === 'string' && CLOSED_TASK_STATUSES.has(row.status);
    if (closed && !row.isclosed && now) row.completeddatetime = now.toISOString();
    if (!closed) row.completeddatetime = null;
    row.isclosed = closed;
    row.ishighpriority = row.priority === 'High';
  }
  if (object.name === 'CampaignMember') {
    row.hasresponded = row.status === 'Responded';
    if (row.hasresponded && !row.firstrespondeddate && now) row.firstrespondeddate = now.toISOString().slice(0, 10);
    row.leadorcontactid = row.contactid ?? row.leadid ?? null;
  }
  applyFormulaFields(object, row, now);
}

function applyOpportunityStage(row: Row, supplied: ReadonlySet<string>, previous?: Row): void {
  const stage = typeof row.stagename === 'string' ? STAGES_BY_LABEL.get(row.stagename) : undefined;
  const stageChanged = !previous || previous.stagename !== row.stagename;
  if (stage && stageChanged) {
    if (!supplied.has('probability')) row.probability = stage.probability;
    if (!supplied.has('forecastcategoryname')) row.forecastcategoryname = FORECAST_CATEGORY_NAMES[stage.forecastCategory];
  }
  if (stage) {
    row.isclosed = stage.isClosed;
    row.iswon = stage.isWon;
  }
  if (typeof row.forecastcategoryname === 'string') {
    row.forecastcategory = FORECAST_BY_NAME.get(row.forecastcategoryname) ?? row.forecastcategory ?? null;
  }
  const amount = typeof row.amount === 'number' ? row.amount : null;
  const probability = typeof row.probability === 'number' ? row.probability : null;
  row.expectedrevenue = amount === null || probability === null ? null : Math.round(amount * probability) / 100;
}

/** Formula fields, in field order (a formula may read a formula field defined before it). */
export function applyFormulaFields(object: SObjectDef, row: Row, now?: Date): void {
  for (const field of object.fields) {
    if (!field.calculated || !field.calculatedFormula) continue;
    let value: unknown = null;
    try {
      value = evaluateFormula(object, field.calculatedFormula, row, { now });
    } catch {
      // A runtime evaluation error (e.g. division by zero) shows as a blank value, as #Error! is not storable.
      value = null;
    }
    row[field.column] = formulaResultFor(field, value);
  }
}
