/**
 * Salesforce writes with per-row retry: sObject Collections (200 per call) for small batches, Bulk API
 * 2.0 above the configured threshold. Rows that fail with a transient error (UNABLE_TO_LOCK_ROW, 5xx,
 * rows Bulk left unprocessed...) are retried with exponential backoff; other failures are returned
 * with Salesforce's statusCode and message.
 */
import { SalesforceError, TRANSIENT_CODES, type OrgClient, type RecordResult, type SObjectRecord } from '../salesforce/types';
import type { WriteConfig } from './config';

export interface WriteOutcome {
  results: RecordResult[];
  /** Calls by surface, for the report (`collections` or `bulk`). */
  surface: 'collections' | 'bulk';
  retried: number;
}

export type Sleep = (ms: number) => Promise<void>;
const defaultSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const isTransientRow = (r: RecordResult) => !r.success && r.errors.length > 0 && r.errors.every((e) => TRANSIENT_CODES.has(e.statusCode));

/**
 * Runs `op` over the records, then again over the transient failures only, up to maxRetries times.
 * A transient error of the whole call (network, 5xx, REQUEST_LIMIT_EXCEEDED) is retried the same way.
 */
export async function withRowRetry(
  records: SObjectRecord[],
  op: (records: SObjectRecord[]) => Promise<{ results: RecordResult[]; unprocessed?: number[] }>,
  cfg: Pick<WriteConfig, 'maxRetries' | 'retryBaseMs'>,
  sleep: Sleep = defaultSleep
): Promise<{ results: RecordResult[]; retried: number }> {
  const final: RecordResult[] = records.map((_, index) => ({
    index,
    id: null,
    success: false,
    errors: [{ statusCode: 'NOT_PROCESSED', message: 'not processed', fields: [] }]
  }));
  let pending = records.map((_, i) => i);
  let retried = 0;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      retried += pending.length;
      await sleep(cfg.retryBaseMs * 2 ** (attempt - 1));
    }
    const batch = pending.map((i) => records[i]!);
    let outcome: { results: RecordResult[]; unprocessed?: number[] };
    try {
      outcome = await op(batch);
    } catch (err) {
      if (err instanceof SalesforceError && err.transient && attempt < cfg.maxRetries) continue;
      throw err;
    }
    const retry: number[] = [];
    for (const r of outcome.results) {
      const original = pending[r.index]!;
      final[original] = { ...r, index: original };
      if (isTransientRow(r)) retry.push(original);
    }
    for (const u of outcome.unprocessed ?? []) {
      const original = pending[u]!;
      final[original] = { index: original, id: null, success: false, errors: [{ statusCode: 'UNPROCESSED', message: 'Bulk API left the row unprocessed', fields: [] }] };
      retry.push(original);
    }
    if (attempt >= cfg.maxRetries) break;
    pending = retry;
  }
  return { results: final, retried };
}

/** Upsert Leads by Source_External_Id__c, choosing collections or Bulk API 2.0 by batch size. */
export async function upsertLeads(
  org: OrgClient,
  records: SObjectRecord[],
  cfg: WriteConfig,
  sleep?: Sleep
): Promise<WriteOutcome> {
  if (records.length === 0) return { results: [], surface: 'collections', retried: 0 };
  const useBulk = records.length >= cfg.bulkThreshold;
  const op = useBulk
    ? async (rs: SObjectRecord[]) => {
        const r = await org.bulk.ingest('Lead', 'upsert', rs, { externalIdFieldName: 'Source_External_Id__c', pollTimeoutMs: 10 * 60_000 });
        return { results: r.results, unprocessed: r.unprocessed };
      }
    : async (rs: SObjectRecord[]) => ({ results: await org.rest.upsert('Lead', 'Source_External_Id__c', rs) });
  const { results, retried } = await withRowRetry(records, op, cfg, sleep);
  return { results, surface: useBulk ? 'bulk' : 'collections', retried };
}

export async function updateRecords(org: OrgClient, type: string, records: SObjectRecord[], cfg: WriteConfig, sleep?: Sleep): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  return (await withRowRetry(records, async (rs) => ({ results: await org.rest.update(type, rs) }), cfg, sleep)).results;
}

export async function createRecords(org: OrgClient, type: string, records: SObjectRecord[], cfg: WriteConfig, sleep?: Sleep): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  return (await withRowRetry(records, async (rs) => ({ results: await org.rest.create(type, rs) }), cfg, sleep)).results;
}
