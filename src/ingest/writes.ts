/**
 * Salesforce writes with per-row retry: sObject Collections (200 per call) for small batches, Bulk API
 * 2.0 above the configured threshold. Rows that fail with a transient error (UNABLE_TO_LOCK_ROW, 5xx,
 * rows Bulk left unprocessed...) are retried with exponential backoff; other failures are returned
 * with Salesforce's statusCode and message.
 */
import { SalesforceError, TRANSIENT_CODES, type OrgClient, type RecordResult, type SObjectRecord } from '../salesforce/types';
import { soqlIn } from '../salesforce/soql';
import type { WriteConfig } from './config';
import { buildContactQueries, chunk, contactValues, MATCH_IN_LIMIT, type OrgContact, type OrgLead } from './dedupe';
import type { NormalisedLead } from './validate';

export interface WriteOutcome {
  results: RecordResult[];
  /** Calls by surface, for the report (`collections` or `bulk`). */
  surface: 'collections' | 'bulk';
  retried: number;
  /** Bulk jobs this write ran (a retry runs another) and their status checks beyond the first of each job. */
  bulkJobs?: number;
  extraStatusChecks?: number;
}

/** A Bulk op for withRowRetry that counts the jobs it runs and the status checks that found them still running. */
function countedBulkOp(
  run: (rs: SObjectRecord[]) => Promise<{ results: RecordResult[]; unprocessed: number[]; statusChecks?: number }>
): { op: (rs: SObjectRecord[]) => Promise<{ results: RecordResult[]; unprocessed: number[] }>; counts: { bulkJobs: number; extraStatusChecks: number } } {
  const counts = { bulkJobs: 0, extraStatusChecks: 0 };
  const op = async (rs: SObjectRecord[]) => {
    const r = await run(rs);
    counts.bulkJobs++;
    counts.extraStatusChecks += Math.max(0, (r.statusChecks ?? 1) - 1);
    return { results: r.results, unprocessed: r.unprocessed };
  };
  return { op, counts };
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
  if (records.length < cfg.bulkThreshold) {
    const { results, retried } = await withRowRetry(records, async (rs) => ({ results: await org.rest.upsert('Lead', 'Source_External_Id__c', rs) }), cfg, sleep);
    return { results, surface: 'collections', retried };
  }
  const bulk = countedBulkOp((rs) => org.bulk.ingest('Lead', 'upsert', rs, { externalIdFieldName: 'Source_External_Id__c', pollTimeoutMs: 10 * 60_000 }));
  const { results, retried } = await withRowRetry(records, bulk.op, cfg, sleep);
  return { results, surface: 'bulk', retried, ...bulk.counts };
}

export async function updateRecords(org: OrgClient, type: string, records: SObjectRecord[], cfg: WriteConfig, sleep?: Sleep): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  return (await withRowRetry(records, async (rs) => ({ results: await org.rest.update(type, rs) }), cfg, sleep)).results;
}

export async function createRecords(org: OrgClient, type: string, records: SObjectRecord[], cfg: WriteConfig, sleep?: Sleep): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  return (await withRowRetry(records, async (rs) => ({ results: await org.rest.create(type, rs) }), cfg, sleep)).results;
}

/**
 * Inserts with the same surface choice as upsertLeads: one Bulk API 2.0 job at or above the bulk threshold (a
 * job costs about the same handful of calls for 2,000 rows as for 200,000), sObject Collections below it.
 */
export async function insertRecords(
  org: OrgClient,
  type: string,
  records: SObjectRecord[],
  cfg: WriteConfig,
  sleep?: Sleep,
  /** needIds false: the caller keeps no record ids (see BulkApi.ingest), which saves a call per clean Bulk job. */
  opts: { needIds?: boolean } = {}
): Promise<WriteOutcome> {
  if (records.length < cfg.bulkThreshold) return { results: await createRecords(org, type, records, cfg, sleep), surface: 'collections', retried: 0 };
  const bulk = countedBulkOp((rs) => org.bulk.ingest(type, 'insert', rs, { pollTimeoutMs: 10 * 60_000, needIds: opts.needIds }));
  const { results, retried } = await withRowRetry(records, bulk.op, cfg, sleep);
  return { results, surface: 'bulk', retried, ...bulk.counts };
}

/** A row that belongs to the Contact of a converted lead. */
export interface ContactTarget {
  lead: NormalisedLead;
  leadId: string;
  contactId: string;
  accountId: string | null;
}

export interface ContactWriteResult {
  target: ContactTarget;
  /** Salesforce's result of the Contact update; null when the row changed nothing on the Contact. */
  result: RecordResult | null;
  /** Contact fields this row changed (empty when the Contact already held its values). */
  changed: string[];
}

/**
 * Updates the Contacts of converted leads with the rows' mapped fields (LEAD_TO_CONTACT_FIELDS), one update per
 * Contact with later rows' values winning, as for leads. Contacts that no longer exist (deleted or merged after
 * the conversion) come back as a failed result naming the Contact.
 */
export async function updateConvertedContacts(
  org: OrgClient,
  targets: readonly ContactTarget[],
  cfg: WriteConfig,
  sleep?: Sleep
): Promise<ContactWriteResult[]> {
  if (targets.length === 0) return [];
  const contacts = new Map<string, OrgContact>();
  for (const soql of buildContactQueries(targets.map((t) => t.contactId))) {
    for (const c of await org.rest.query<OrgContact>(soql)) contacts.set(c.Id.slice(0, 15), c);
  }
  const byContact = new Map<string, Record<string, unknown>>();
  const missing = new Set<string>();
  const changedByRow = new Map<ContactTarget, string[]>();
  for (const t of targets) {
    const existing = contacts.get(t.contactId.slice(0, 15));
    if (!existing) {
      missing.add(t.contactId);
      continue;
    }
    const changes = contactValues(existing, t.lead);
    if (changes) {
      byContact.set(existing.Id, { ...(byContact.get(existing.Id) ?? {}), ...changes });
      changedByRow.set(t, Object.keys(changes).filter((k) => k !== 'Id'));
    }
  }
  const ids = [...byContact.keys()];
  const results = await updateRecords(org, 'Contact', ids.map((id) => byContact.get(id)! as SObjectRecord), cfg, sleep);
  const byId = new Map(ids.map((id, i) => [id.slice(0, 15), results[i]!]));
  return targets.map((target) => {
    if (missing.has(target.contactId)) {
      return {
        target,
        changed: [],
        result: {
          index: 0,
          id: null,
          success: false,
          errors: [{
            statusCode: 'CONVERTED_CONTACT_NOT_FOUND',
            message: `Lead ${target.leadId} was converted to Contact ${target.contactId}, which no longer exists or is not visible to the integration user`,
            fields: []
          }]
        }
      };
    }
    const changed = changedByRow.get(target) ?? [];
    return { target, changed, result: changed.length > 0 ? (byId.get(target.contactId.slice(0, 15)) ?? null) : null };
  });
}

/** Salesforce's refusal to write a converted lead: the row is re-routed to the lead's Contact. */
export const isConvertedLeadError = (r: RecordResult): boolean =>
  !r.success && r.errors.some((e) => e.statusCode === 'CANNOT_UPDATE_CONVERTED_LEAD');

/**
 * For rows Salesforce refused because their lead was converted meanwhile (between our match query and the
 * write): looks the leads up, by the Id we tried to update or else by our external id, and returns the
 * Contact each row now belongs to. Rows whose lead is not converted are not returned (they stay failures).
 */
export async function findConvertedTargets(
  org: OrgClient,
  refused: readonly { lead: NormalisedLead; leadId?: string }[]
): Promise<ContactTarget[]> {
  const select = 'SELECT Id, Source_External_Id__c, IsConverted, ConvertedContactId, ConvertedAccountId FROM Lead';
  const byId = new Map<string, OrgLead>();
  const byExtId = new Map<string, OrgLead>();
  const ids = [...new Set(refused.flatMap((r) => (r.leadId ? [r.leadId] : [])))];
  const extIds = [...new Set(refused.flatMap((r) => (r.leadId ? [] : [r.lead.fields.Source_External_Id__c])))];
  for (const part of chunk(ids, MATCH_IN_LIMIT)) {
    for (const l of await org.rest.query<OrgLead>(`${select} WHERE Id IN ${soqlIn(part)}`)) byId.set(l.Id.slice(0, 15), l);
  }
  for (const part of chunk(extIds, MATCH_IN_LIMIT)) {
    for (const l of await org.rest.query<OrgLead>(`${select} WHERE Source_External_Id__c IN ${soqlIn(part)}`)) {
      if (l.Source_External_Id__c) byExtId.set(l.Source_External_Id__c, l);
    }
  }
  const out: ContactTarget[] = [];
  for (const { lead, leadId } of refused) {
    const l = leadId ? byId.get(leadId.slice(0, 15)) : byExtId.get(lead.fields.Source_External_Id__c);
    if (l?.IsConverted && l.ConvertedContactId) {
      out.push({ lead, leadId: l.Id, contactId: l.ConvertedContactId, accountId: l.ConvertedAccountId ?? null });
    }
  }
  return out;
}
