/**
 * Processes one chunk of ingest rows through the record layer (one insert/update/upsert/delete call
 * per chunk) and renders its successfulResults / failedResults CSV lines.
 */
import type { OrgContext, SaveResult, SfError, SObjectDef, SObjectRecord } from '../core/types';
import { SalesforceApiError } from '../core/types';
import { formatCsvLines, type CsvDialect } from './csv';
import { convertRow, type ColumnPlan, type RelationshipColumn } from './ingest-columns';
import type { IngestOperation } from './job-store';
import { resolveLookupValues } from './lookup-resolver';

export interface IngestChunkInput {
  object: SObjectDef;
  operation: IngestOperation;
  externalIdFieldName: string | null;
  userId: string;
  plans: readonly ColumnPlan[];
  rows: readonly string[][];
  dialect: CsvDialect;
}

export interface IngestChunkOutput {
  successful: string;
  failed: string;
  failures: number;
  /** Time spent inside the record layer, for apiActiveProcessingTime. */
  dmlMillis: number;
}

/** `STATUS_CODE:message:field,field --`, the sf__Error format of failedResults. */
export function formatSfError(errors: readonly SfError[]): string {
  if (errors.length === 0) return 'UNKNOWN_EXCEPTION:unknown error: --';
  return errors.map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')} --`).join(' ');
}

interface RowState {
  record: SObjectRecord;
  error: SfError | null;
}

function errorFromException(err: unknown): SfError {
  if (err instanceof SalesforceApiError)
    return { statusCode: err.errorCode, message: err.message, fields: err.fields };
  const message = err instanceof Error ? err.message : String(err);
  return { statusCode: 'UNKNOWN_EXCEPTION', message, fields: [] };
}

async function resolveRelationships(
  db: OrgContext['db'],
  plans: readonly ColumnPlan[],
  states: RowState[],
  lookups: Map<number, string>[]
): Promise<void> {
  const relationshipPlans = plans.filter((p): p is RelationshipColumn => p.kind === 'relationship');
  for (const plan of relationshipPlans) {
    const values: string[] = [];
    lookups.forEach((l, i) => {
      const v = l.get(plan.index);
      if (v !== undefined && states[i]?.error === null) values.push(v);
    });
    const outcomes = await resolveLookupValues(db, plan, values);
    lookups.forEach((l, i) => {
      const v = l.get(plan.index);
      const state = states[i];
      if (v === undefined || !state || state.error) return;
      const outcome = outcomes.get(v);
      if (!outcome) return;
      if ('id' in outcome) state.record[plan.referenceField.name] = outcome.id;
      else state.error = outcome.error;
    });
  }
}

function missingArgument(fieldName: string, call: string): SfError {
  return {
    statusCode: 'MISSING_ARGUMENT',
    message: `${fieldName} not specified in ${call}`,
    fields: [fieldName]
  };
}

/** Validates per-operation required keys; returns the error for rows that cannot be sent. */
function operationKeyError(input: IngestChunkInput, record: SObjectRecord): SfError | null {
  switch (input.operation) {
    case 'update':
      return record.Id ? null : missingArgument('Id', 'an update call');
    case 'delete':
    case 'hardDelete':
      return record.Id ? null : missingArgument('Id', 'a delete call');
    case 'upsert': {
      const ext = input.externalIdFieldName ?? 'Id';
      const field = input.object.fieldMap.get(ext.toLowerCase());
      const name = field?.name ?? ext;
      // Upsert on Id inserts the rows that have no Id (sf__Created=true), as Salesforce does.
      if (field?.type === 'id') return null;
      return record[name] === undefined || record[name] === null
        ? missingArgument(name, 'an upsert call')
        : null;
    }
    default:
      return null;
  }
}

async function runDml(
  ctx: Pick<OrgContext, 'records'>,
  input: IngestChunkInput,
  records: SObjectRecord[]
): Promise<SaveResult[]> {
  const opts = { allOrNone: false, userId: input.userId };
  switch (input.operation) {
    case 'insert':
      return ctx.records.insert(input.object.name, records, opts);
    case 'update':
      return ctx.records.update(input.object.name, records, opts);
    case 'upsert':
      return ctx.records.upsert(input.object.name, input.externalIdFieldName ?? 'Id', records, opts);
    case 'delete':
    case 'hardDelete':
      return ctx.records.delete(
        records.map((r) => String(r.Id)),
        opts
      );
  }
}

function createdFlag(operation: IngestOperation, result: SaveResult): boolean {
  if (operation === 'insert') return true;
  if (operation === 'upsert') return result.created === true;
  return false;
}

export async function processIngestChunk(
  ctx: Pick<OrgContext, 'db' | 'records'>,
  input: IngestChunkInput
): Promise<IngestChunkOutput> {
  const states: RowState[] = [];
  const lookups: Map<number, string>[] = [];
  for (const row of input.rows) {
    const converted = convertRow(row, input.plans);
    states.push({ record: converted.record, error: null });
    lookups.push(converted.lookups);
  }
  await resolveRelationships(ctx.db, input.plans, states, lookups);
  for (const state of states) {
    if (!state.error) state.error = operationKeyError(input, state.record);
  }

  const sendable = states.map((s, i) => ({ s, i })).filter(({ s }) => s.error === null);
  const results: (SaveResult | null)[] = states.map(() => null);
  const started = Date.now();
  if (sendable.length > 0) {
    try {
      const saved = await runDml(
        ctx,
        input,
        sendable.map(({ s }) => s.record)
      );
      sendable.forEach(({ i }, k) => {
        results[i] = saved[k] ?? {
          id: null,
          success: false,
          errors: [
            { statusCode: 'UNKNOWN_EXCEPTION', message: 'no result from the record layer', fields: [] }
          ]
        };
      });
    } catch (err) {
      const error = errorFromException(err);
      sendable.forEach(({ s }) => {
        s.error = error;
      });
    }
  }
  const dmlMillis = Date.now() - started;

  const successRows: unknown[][] = [];
  const failedRows: unknown[][] = [];
  input.rows.forEach((row, i) => {
    const state = states[i];
    const result = results[i];
    if (result?.success) {
      successRows.push([result.id, String(createdFlag(input.operation, result)), ...row]);
    } else {
      const errors = state?.error ? [state.error] : (result?.errors ?? []);
      const id = result?.id ?? (input.operation === 'insert' ? '' : (state?.record.Id ?? ''));
      failedRows.push([id, formatSfError(errors), ...row]);
    }
  });
  return {
    successful: formatCsvLines(successRows, input.dialect),
    failed: formatCsvLines(failedRows, input.dialect),
    failures: failedRows.length,
    dmlMillis
  };
}
