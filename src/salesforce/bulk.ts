/**
 * Bulk API 2.0 surface. Ingest: one job per call, CSV built here (so we know the exact strings sent),
 * results mapped back to input indexes by matching each result row's original columns against the
 * rows we uploaded (Salesforce does not keep row order and accepts no extra "row index" column).
 * Query: job + poll + paged CSV results following Sforce-Locator until it is the literal "null".
 */
import type { Connection } from '@jsforce/jsforce-node';
import HttpApi from '@jsforce/jsforce-node/lib/http-api';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SalesforceError, type BulkApi, type BulkIngestResult, type BulkOperation, type RecordResult, type SObjectRecord } from './types';
import { normaliseRecordErrors, toSalesforceError } from './errors';
import { call } from './rest';

/** Salesforce's null marker in ingest CSV. */
const NULL_MARKER = '#N/A';
const DEFAULT_POLL_TIMEOUT_MS = 120_000;

/** The longest wait between two status checks of one job (sf's `--wait` polling uses 5 s as well). */
export const MAX_POLL_INTERVAL_MS = 5_000;
/**
 * Before a client has seen a job of a kind complete, its first check waits 0.2 ms per row (5,000 rows/s, quicker
 * than Salesforce's Bulk API usually processes rows, so the check is rarely much later than the job's end).
 */
export const FIRST_CHECK_MS_PER_ROW = 0.2;

export interface BulkOptions {
  /** Shortest wait between job status checks (default 1000 ms, as jsforce). */
  pollIntervalMs?: number;
}

interface IngestJobInfo {
  state?: string;
  errorMessage?: string;
  numberRecordsProcessed?: unknown;
  numberRecordsFailed?: unknown;
}

/**
 * When to check a running job next. Every status check is an API call, so the waits grow with the time the job
 * has already taken (half of it, between the poll interval and MAX_POLL_INTERVAL_MS): a job that takes T is
 * checked about log1.5(T / interval) times rather than T / interval times, and the result is seen at most 50%
 * (or 5 s) late. The first check waits `expectedMs`: the time the previous job of the same kind took for as many
 * rows when this client has seen one (so a run's later jobs usually complete on their first check), else
 * FIRST_CHECK_MS_PER_ROW per row.
 */
export function nextPollDelay(elapsedMs: number, pollIntervalMs: number, expectedMs?: number): number {
  if (elapsedMs === 0 && expectedMs !== undefined) return Math.max(pollIntervalMs, Math.min(expectedMs, 60_000));
  return Math.max(pollIntervalMs, Math.min(MAX_POLL_INTERVAL_MS, elapsedMs / 2));
}

export function createBulkApi(conn: Connection, options: BulkOptions = {}): BulkApi {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  /** Milliseconds per row the last completed job of each object+operation took, from close to JobComplete. */
  const msPerRow = new Map<string, number>();

  async function waitForIngestJob(
    job: { id?: string; check(): Promise<unknown> },
    kind: string,
    rowCount: number,
    timeoutMs: number
  ): Promise<IngestJobInfo & { statusChecks: number }> {
    const started = Date.now();
    const learned = msPerRow.get(kind);
    for (let statusChecks = 1; ; statusChecks++) {
      const elapsed = Date.now() - started;
      if (elapsed > timeoutMs) {
        throw new SalesforceError('JOB_POLLING_TIMEOUT', `Bulk ingest job ${job.id} did not complete within ${timeoutMs} ms`, { jobId: job.id });
      }
      const delay = nextPollDelay(elapsed, pollIntervalMs, (learned ?? FIRST_CHECK_MS_PER_ROW) * rowCount);
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, timeoutMs - elapsed))));
      const info = (await job.check()) as IngestJobInfo;
      if (info.state === 'JobComplete') {
        msPerRow.set(kind, (Date.now() - started) / Math.max(1, rowCount));
        return { ...info, statusChecks };
      }
      // jsforce's own wording for the two end states, which callers and users already know.
      if (info.state === 'Failed') throw new Error(`Ingest job failed to complete due to: ${info.errorMessage}`);
      if (info.state === 'Aborted') throw new Error('Job has been aborted');
    }
  }

  return {
    async ingest(type, operation, records, opts = {}) {
      if (records.length === 0) return { jobId: '', results: [], unprocessed: [] };
      const { columns, rows } = toCsvRows(operation, records);
      const csv = stringify([columns, ...rows], { eof: true, record_delimiter: '\n' });
      const job = conn.bulk2.createJob({
        object: type,
        operation,
        ...(opts.externalIdFieldName ? { externalIdFieldName: opts.externalIdFieldName } : {}),
        lineEnding: 'LF',
        columnDelimiter: 'COMMA'
      } as never);
      try {
        await job.open();
        await job.uploadData(csv);
        await job.close();
        const info = await waitForIngestJob(job, `${type}:${operation}`, rows.length, opts.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS);
        // When the final job info says no row failed and every row was processed, the failed and unprocessed lists
        // are empty: not fetching them saves two calls a job. (A row missing from the successful list would still
        // come back as unprocessed from mapIngestResults and be retried, never lost.)
        const allSucceeded = Number(info.numberRecordsFailed) === 0 && Number(info.numberRecordsProcessed) === rows.length;
        if (allSucceeded && opts.needIds === false) {
          return { jobId: job.id!, results: rows.map((_, index) => ({ index, id: null, success: true, errors: [] })), unprocessed: [], statusChecks: info.statusChecks };
        }
        // Raw CSV text: we parse it ourselves so values stay exactly as Salesforce echoed them.
        const [ok, failed, unprocessed] = await Promise.all([
          job.getSuccessfulResults(true) as unknown as Promise<string>,
          allSucceeded ? '' : (job.getFailedResults(true) as unknown as Promise<string>),
          allSucceeded ? '' : (job.getUnprocessedRecords(true) as unknown as Promise<string>)
        ]);
        return { ...mapIngestResults(job.id!, columns, rows, parseCsv(ok), parseCsv(failed), parseCsv(unprocessed)), statusChecks: info.statusChecks };
      } catch (err) {
        const sfErr = toSalesforceError(err);
        throw new SalesforceError(sfErr.errorCode, `Bulk ${operation} of ${type} failed: ${sfErr.message}`, { jobId: job.id, raw: sfErr.raw }, sfErr.httpStatus);
      }
    },

    async *query(soql, opts = {}) {
      const info = await call<{ id: string }>(conn, 'POST', '/jobs/query', {
        operation: opts.includeDeleted ? 'queryAll' : 'query',
        query: soql
      });
      await pollQueryJob(conn, info.id, pollIntervalMs, DEFAULT_POLL_TIMEOUT_MS);
      let locator: string | undefined;
      do {
        const { body, headers } = await rawGet(
          conn,
          `/services/data/v${conn.version}/jobs/query/${info.id}/results${locator ? `?locator=${encodeURIComponent(locator)}` : ''}`
        );
        for (const row of parseCsv(body)) yield row;
        locator = headers['sforce-locator'];
        // The last page carries the literal string "null"; a missing header also ends (never loop forever).
      } while (locator && locator !== 'null');
    }
  };
}

async function pollQueryJob(conn: Connection, id: string, intervalMs: number, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    // Waits grow with the job's age, as for ingest jobs (nextPollDelay): each check is an API call.
    await new Promise((r) => setTimeout(r, nextPollDelay(Date.now() - started, intervalMs)));
    const info = await call<{ state: string; errorMessage?: string }>(conn, 'GET', `/jobs/query/${id}`);
    if (info.state === 'JobComplete') return;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new SalesforceError('BULK_QUERY_FAILED', `Bulk query job ${id} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}`, info);
    }
    if (Date.now() - started > timeoutMs) {
      throw new SalesforceError('JOB_POLLING_TIMEOUT', `Bulk query job ${id} did not complete within ${timeoutMs} ms`, { jobId: id });
    }
  }
}

/** GET returning the raw text and response headers (jsforce's conn.request hides headers). */
async function rawGet(conn: Connection, path: string): Promise<{ body: string; headers: Record<string, string> }> {
  const api = new HttpApi(conn, { responseType: 'text/plain' });
  let headers: Record<string, string> = {};
  api.on('response', (res: { headers: Record<string, string> }) => {
    headers = res.headers ?? {};
  });
  try {
    const body = await api.request<string>({ method: 'GET', url: conn.instanceUrl + path, headers: { Accept: 'text/csv' } });
    return { body: typeof body === 'string' ? body : '', headers };
  } catch (err) {
    throw toSalesforceError(err);
  }
}

function parseCsv(text: string | undefined): Record<string, string>[] {
  if (!text || !text.trim()) return [];
  return parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }) as Record<string, string>[];
}

/** CSV cell for a record value: null -> #N/A, dates -> ISO, objects -> JSON. */
export function toCsvValue(value: unknown): string {
  if (value === null) return NULL_MARKER;
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Columns and rows as Salesforce expects them per operation (insert drops Id, delete sends only Id). */
export function toCsvRows(operation: BulkOperation, records: SObjectRecord[]): { columns: string[]; rows: string[][] } {
  const columns: string[] = [];
  const seen = new Set<string>();
  const add = (c: string) => {
    if (!seen.has(c)) {
      seen.add(c);
      columns.push(c);
    }
  };
  if (operation === 'delete') add('Id');
  else
    for (const r of records)
      for (const k of Object.keys(r)) {
        if (k === 'attributes' || (operation === 'insert' && k === 'Id')) continue;
        add(k);
      }
  const rows = records.map((r) => columns.map((c) => toCsvValue((r as Record<string, unknown>)[c])));
  return { columns, rows };
}

const normaliseCell = (v: string | undefined) => (v === undefined || v === NULL_MARKER ? '' : v);
const rowKey = (columns: string[], get: (c: string) => string | undefined) =>
  JSON.stringify(columns.map((c) => normaliseCell(get(c))));

/**
 * Maps result rows to input indexes. Identical input rows are interchangeable, so a queue per key is enough.
 * Input rows that appear in no result list are reported as unprocessed (never silently dropped).
 */
export function mapIngestResults(
  jobId: string,
  columns: string[],
  rows: string[][],
  successful: Record<string, string>[],
  failed: Record<string, string>[],
  unprocessedRows: Record<string, string>[]
): BulkIngestResult {
  const queues = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = rowKey(columns, (c) => row[columns.indexOf(c)]);
    const q = queues.get(key);
    if (q) q.push(index);
    else queues.set(key, [index]);
  });
  const take = (row: Record<string, string>): number | undefined => queues.get(rowKey(columns, (c) => row[c]))?.shift();

  const results: (RecordResult | undefined)[] = new Array(rows.length);
  const unmatched: Record<string, string>[] = [];
  for (const row of successful) {
    const index = take(row);
    if (index === undefined) {
      unmatched.push(row);
      continue;
    }
    results[index] = {
      index,
      id: row.sf__Id || null,
      success: true,
      created: row.sf__Created === 'true',
      errors: []
    };
  }
  for (const row of failed) {
    const index = take(row);
    if (index === undefined) {
      unmatched.push(row);
      continue;
    }
    results[index] = { index, id: row.sf__Id || null, success: false, errors: parseBulkError(row.sf__Error ?? '') };
  }
  const unprocessed = new Set<number>();
  for (const row of unprocessedRows) {
    const index = take(row);
    if (index !== undefined) unprocessed.add(index);
  }
  rows.forEach((_, i) => {
    if (!results[i]) unprocessed.add(i);
  });
  if (unmatched.length > 0) {
    // A result row we could not attribute means the echo differed from what we sent: say so loudly.
    throw new SalesforceError(
      'BULK_RESULT_UNMATCHED',
      `Bulk job ${jobId}: ${unmatched.length} result row(s) could not be matched to input rows`,
      { jobId, unmatched: unmatched.slice(0, 5) }
    );
  }
  return {
    jobId,
    results: results.filter((r): r is RecordResult => r !== undefined).sort((a, b) => a.index - b.index),
    unprocessed: [...unprocessed].sort((a, b) => a - b)
  };
}

/** `STATUS_CODE:message:field1,field2 --` (several errors may be joined). */
export function parseBulkError(text: string): RecordResult['errors'] {
  const parts = text
    .split(/\s*--\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return normaliseRecordErrors([{ statusCode: 'UNKNOWN_ERROR', message: text }]);
  return parts.map((p) => {
    const m = /^([A-Z_]+):(.*?)(?::([A-Za-z0-9_.,]*))?$/.exec(p);
    if (!m) return { statusCode: 'UNKNOWN_ERROR', message: p, fields: [] };
    return { statusCode: m[1]!, message: m[2]!.trim(), fields: m[3] ? m[3].split(',').filter(Boolean) : [] };
  });
}
