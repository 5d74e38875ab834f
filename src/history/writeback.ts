/**
 * Writes the funnel back to the org so it outlives field-history retention and shows in the
 * stageTimeline component: Funnel_Stage_Change__c rows upserted by External_Id__c, and milestone dates
 * on Lead/Opportunity. Only rows whose content changed since the last successful write are sent
 * (content hashes kept in hist_written), so a rerun with nothing new writes nothing.
 */
import { createHash } from 'node:crypto';
import { soqlIn, soqlLikeValue } from '../salesforce/soql';
import type { OrgClient, RecordResult, SObjectRecord } from '../salesforce/types';
import type { Queryable, Store } from '../store/types';
import type { HistoryConfig } from './config';
import { insertRows } from './sync';
import type { TimelineSubject } from './timeline';

/** Milestones by the first visit at or beyond them; lead stages first, every opportunity stage after SQL. */
const LEAD_ORDER = ['Name', 'Engaged', 'Target', 'MQL', 'SAL', 'SQL'];
const HOUR_MS = 3_600_000;
/** Prefix of every Funnel_Stage_Change__c External_Id__c leadflow writes (rows entered by hand never have it). */
export const STAGE_CHANGE_KEY_PREFIX = 'lf:';
/** Ids per SOQL IN list and per collections delete call. */
const IDS_PER_CALL = 200;

export function stageChangeExternalId(subjectKey: string, stage: string, enteredAt: Date): string {
  // Stable across reruns: the same visit always maps to the same row. Hashed to stay well under 255 chars.
  const digest = createHash('sha1').update(`${stage}|${enteredAt.toISOString()}`).digest('hex').slice(0, 16);
  return `${STAGE_CHANGE_KEY_PREFIX}${subjectKey}:${digest}`;
}

export function stageChangeRecords(t: TimelineSubject): SObjectRecord[] {
  return t.visits.map((v, i) => ({
    External_Id__c: stageChangeExternalId(t.key, v.stage, v.enteredAt),
    Lead__c: t.leadId,
    Opportunity__c: t.opportunityId,
    Contact__c: t.contactId,
    From_Stage__c: i > 0 ? t.visits[i - 1]!.stage : null,
    To_Stage__c: v.stage,
    Entered_At__c: v.enteredAt.toISOString(),
    Exited_At__c: v.exitedAt ? v.exitedAt.toISOString() : null,
    Duration_Hours__c: v.exitedAt ? Math.round(((v.exitedAt.getTime() - v.enteredAt.getTime()) / HOUR_MS) * 100) / 100 : null,
    Channel__c: t.channel.slice(0, 80),
    Source_System__c: 'leadflow'
  }));
}

/**
 * First time the subject reached `stage` or a later one (a skipped stage is reached when a later one is
 * entered). 'Customer' is the won stage. Lead-less deals never had lead stages: only 'Customer' applies.
 */
export function milestone(t: TimelineSubject, stage: 'MQL' | 'SQL' | 'Customer'): Date | null {
  if (stage === 'Customer') return t.visits.find((v) => v.kind === 'won')?.enteredAt ?? null;
  if (t.kind === 'deal') return null;
  const min = LEAD_ORDER.indexOf(stage);
  const visit = t.visits.find(
    (v) => (v.kind === 'lead' && LEAD_ORDER.indexOf(v.stage) >= min) || v.kind === 'opportunity' || v.kind === 'won'
  );
  return visit ? visit.enteredAt : null;
}

const contentHash = (record: SObjectRecord) => createHash('sha1').update(JSON.stringify(record)).digest('hex');

async function unchangedKeys(store: Queryable, kind: string, keys: string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await store.query<{ key: string; hash: string }>(
      'select key, hash from hist_written where kind = $1 and key = any($2::text[])',
      [kind, keys.slice(i, i + 1000)]
    );
    for (const r of rows) map.set(r.key, r.hash);
  }
  return map;
}

async function rememberWritten(store: Queryable, kind: string, written: { key: string; hash: string }[]): Promise<void> {
  await insertRows(
    store,
    'hist_written',
    ['kind', 'key', 'hash'],
    written.map((w) => [kind, w.key, w.hash]),
    'on conflict (kind, key) do update set hash = excluded.hash, written_at = now()'
  );
}

export interface WriteFailure {
  kind: string;
  key: string;
  errors: { statusCode: string; message: string }[];
}

export interface WriteBackSummary {
  stageChangesWritten: number;
  stageChangesUnchanged: number;
  /** Funnel_Stage_Change__c rows leadflow wrote earlier that the current timeline no longer produces, deleted. */
  staleStageChangesRemoved: number;
  milestonesWritten: number;
  failures: WriteFailure[];
}

async function writeChanged(
  org: OrgClient,
  store: Store,
  kind: string,
  candidates: { key: string; record: SObjectRecord }[],
  write: (records: SObjectRecord[]) => Promise<RecordResult[]>,
  failures: WriteFailure[]
): Promise<{ written: number; unchanged: number }> {
  const previous = await unchangedKeys(store, kind, candidates.map((c) => c.key));
  const pending = candidates
    .map((c) => ({ ...c, hash: contentHash(c.record) }))
    .filter((c) => previous.get(c.key) !== c.hash);
  if (pending.length === 0) return { written: 0, unchanged: candidates.length };
  const results = await write(pending.map((p) => p.record));
  const ok: { key: string; hash: string }[] = [];
  results.forEach((r) => {
    const item = pending[r.index]!;
    if (r.success) ok.push({ key: item.key, hash: item.hash });
    else failures.push({ kind, key: item.key, errors: r.errors.map((e) => ({ statusCode: e.statusCode, message: e.message })) });
  });
  await rememberWritten(store, kind, ok);
  return { written: ok.length, unchanged: candidates.length - pending.length };
}

export async function writeBack(
  org: OrgClient,
  store: Store,
  timelines: TimelineSubject[],
  config: Pick<HistoryConfig, 'writeBack'>,
  opts: { full?: boolean } = {}
): Promise<WriteBackSummary> {
  const failures: WriteFailure[] = [];
  const summary: WriteBackSummary = { stageChangesWritten: 0, stageChangesUnchanged: 0, staleStageChangesRemoved: 0, milestonesWritten: 0, failures };

  if (config.writeBack.stageChanges) {
    const candidates = timelines.flatMap((t) =>
      stageChangeRecords(t).map((record) => ({ key: String(record.External_Id__c), record }))
    );
    const upsert = (records: SObjectRecord[]) =>
      records.length > config.writeBack.bulkThreshold
        ? org.bulk.ingest('Funnel_Stage_Change__c', 'upsert', records, { externalIdFieldName: 'External_Id__c' }).then((r) => r.results)
        : org.rest.upsert('Funnel_Stage_Change__c', 'External_Id__c', records);
    const previous = await unchangedKeys(store, 'stage_change', candidates.map((c) => c.key));
    const r = await writeChanged(org, store, 'stage_change', candidates, upsert, failures);
    summary.stageChangesWritten = r.written;
    summary.stageChangesUnchanged = r.unchanged;
    // Only subjects whose timeline changed in this run can have new stale rows (a visit that is no longer
    // produced changes its neighbours' rows), so an idle run costs no query; opts.full checks every subject.
    const changedKeys = new Set(candidates.filter((c) => previous.get(c.key) !== contentHash(c.record)).map((c) => c.key));
    const subjects = opts.full ? timelines : timelines.filter((t) => stageChangeRecords(t).some((rec) => changedKeys.has(String(rec.External_Id__c))));
    summary.staleStageChangesRemoved = await removeStaleStageChanges(
      org,
      store,
      subjects,
      new Set(candidates.map((c) => c.key)),
      config.writeBack.bulkThreshold,
      failures
    );
  }

  if (config.writeBack.milestones) {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const converted = new Set(
      (await store.query<{ id: string }>('select id from hist_lead where is_converted')).map((r) => r.id)
    );
    // Converted leads are read-only in Salesforce (CANNOT_UPDATE_CONVERTED_LEAD): their milestones go on the Opportunity.
    const leadUpdates = timelines
      .filter((t) => t.leadId && !converted.has(t.leadId))
      .map((t) => ({ key: t.leadId!, record: { Id: t.leadId!, MQL_Date__c: iso(milestone(t, 'MQL')), SQL_Date__c: iso(milestone(t, 'SQL')) } }))
      .filter((u) => u.record.MQL_Date__c !== null || u.record.SQL_Date__c !== null);
    const oppUpdates = timelines
      .filter((t) => t.opportunityId)
      .map((t) => {
        const won = t.won ? milestone(t, 'Customer') : null;
        return {
          key: t.opportunityId!,
          // A lead-less deal has no lead history: its MQL/SQL dates, if any, are someone else's and stay as they are.
          record:
            t.kind === 'deal'
              ? { Id: t.opportunityId!, Won_Date__c: won ? won.toISOString().slice(0, 10) : null }
              : {
                  Id: t.opportunityId!,
                  MQL_Date__c: iso(milestone(t, 'MQL')),
                  SQL_Date__c: iso(milestone(t, 'SQL')),
                  Won_Date__c: won ? won.toISOString().slice(0, 10) : null
                }
        };
      });
    const a = await writeChanged(org, store, 'lead_milestones', leadUpdates, (r) => org.rest.update('Lead', r), failures);
    const b = await writeChanged(org, store, 'opp_milestones', oppUpdates, (r) => org.rest.update('Opportunity', r), failures);
    summary.milestonesWritten = a.written + b.written;
  }
  return summary;
}

/**
 * Deletes the Funnel_Stage_Change__c rows leadflow wrote for these subjects (External_Id__c `lf:...`) whose key
 * no timeline produces any more, for example the 0-hour visits an older timeline builder made out of a Status
 * and a Funnel_Stage__c change saved together. Rows are found by their Lead__c / Opportunity__c; a row is stale
 * only if its key is in none of the current timelines (`currentKeys`), so a row shared by a lead and its
 * opportunity is kept. Deletes go by collections (200 ids a call) or, above bulkThreshold, one Bulk API 2.0
 * job; each deleted key is dropped from hist_written so the same visit, if it comes back, is written again.
 */
export async function removeStaleStageChanges(
  org: OrgClient,
  store: Store,
  subjects: readonly TimelineSubject[],
  currentKeys: ReadonlySet<string>,
  bulkThreshold: number,
  failures: WriteFailure[]
): Promise<number> {
  if (subjects.length === 0) return 0;
  const prefix = `External_Id__c LIKE '${soqlLikeValue(STAGE_CHANGE_KEY_PREFIX)}%'`;
  const stale = new Map<string, string>();
  const byField: [string, string[]][] = [
    ['Lead__c', [...new Set(subjects.flatMap((t) => (t.leadId ? [t.leadId] : [])))]],
    ['Opportunity__c', [...new Set(subjects.flatMap((t) => (t.opportunityId ? [t.opportunityId] : [])))]]
  ];
  for (const [field, ids] of byField) {
    for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
      const soql = `SELECT Id, External_Id__c FROM Funnel_Stage_Change__c WHERE ${prefix} AND ${field} IN ${soqlIn(ids.slice(i, i + IDS_PER_CALL))}`;
      for await (const page of org.rest.queryPages<{ Id: string; External_Id__c: string | null }>(soql)) {
        for (const row of page) {
          const key = row.External_Id__c;
          if (key && key.startsWith(STAGE_CHANGE_KEY_PREFIX) && !currentKeys.has(key)) stale.set(row.Id, key);
        }
      }
    }
  }
  if (stale.size === 0) return 0;
  const ids = [...stale.keys()];
  const results =
    ids.length > bulkThreshold
      ? (await org.bulk.ingest('Funnel_Stage_Change__c', 'delete', ids.map((Id) => ({ Id })))).results
      : await org.rest.delete(ids);
  const removed: string[] = [];
  results.forEach((r) => {
    const id = ids[r.index]!;
    // Already gone (deleted by hand meanwhile) is what we wanted too.
    if (r.success || r.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED')) removed.push(stale.get(id)!);
    else failures.push({ kind: 'stale_stage_change', key: stale.get(id)!, errors: r.errors.map((e) => ({ statusCode: e.statusCode, message: e.message })) });
  });
  for (let i = 0; i < removed.length; i += 1000) {
    await store.query('delete from hist_written where kind = $1 and key = any($2::text[])', ['stage_change', removed.slice(i, i + 1000)]);
  }
  return removed.length;
}
