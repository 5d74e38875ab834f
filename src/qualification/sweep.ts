/**
 * `leadflow qualify`: sweeps leads whose inputs changed since the last watermark, evaluates them and
 * writes back only the leads whose results changed, in batches, with a checkpoint per batch so a crash
 * resumes without redoing finished batches. docs/qualification.md describes the rules.
 */
import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime/types';
import { COLLECTIONS_MAX, type OrgClient, type RecordResult, type SObjectRecord } from '../salesforce/types';
import { soqlDateTime, soqlIdentifier, soqlIn } from '../salesforce/soql';
import { ConfigError, ErrorCode, LeadflowError, type ConfigIssue } from '../shared/errors';
import { releaseLock, tryAcquireLock } from '../store';
import type { Queryable } from '../store/types';
import { hasEngagementEventsTable, readActivity, storedEventLeadsSince, type CampaignTypeCache } from './activity';
import { loadCriteriaFile, loadCriteriaFromOrg } from './criteria';
import { parseQualificationConfig, type QualificationConfig } from './config';
import { engagementScore } from './engagement';
import { compileModel, evaluateLead, type CompiledModel } from './engine';
import { nextFunnelStage } from './funnel';
import type { EvaluationResult, QualificationModel } from './types';

export const WATERMARK_NAME = 'qualify.leads';

/** Fields the sweep writes (all must exist on Lead). */
export const OUTPUT_FIELDS = [
  'Fit_Score__c',
  'Engagement_Score__c',
  'Total_Score__c',
  'Lead_Grade__c',
  'Qualification_Status__c',
  'Missing_Criteria__c',
  'Funnel_Stage__c',
  'Qualified_At__c'
] as const;
const CONTEXT_FIELDS = ['Id', 'Status', 'SAL_Accepted_Date__c', 'Source_External_Id__c'];

export interface QualifyOptions {
  /** Every unconverted lead, not only the changed ones. */
  all?: boolean;
  /** Evaluate and report, write nothing, keep the watermark. */
  dryRun?: boolean;
  /** Use this model instead of the configured source (tests, library use). */
  model?: QualificationModel;
  /** Directory relative criteria files resolve against. */
  cwd?: string;
}

export interface QualifySummary {
  runId: number | null;
  resumed: boolean;
  mode: 'all' | 'incremental';
  since: string | null;
  until: string;
  criteriaSource: string;
  criteria: number;
  candidates: number;
  evaluated: number;
  changed: number;
  written: number;
  failed: number;
  writeApi: 'collections' | 'bulk' | 'none';
  writeCalls: number;
  batches: number;
  storeEvents: 'read' | 'table missing';
  byGrade: Record<string, number>;
  byStage: Record<string, number>;
  errors: { id: string; statusCode: string; message: string }[];
  dryRun: boolean;
}

interface RunRow {
  id: number;
  mode: 'all' | 'incremental';
  since: Date | null;
  until: Date;
  doneThroughId: string | null;
  batchesDone: number;
}

type LeadRow = SObjectRecord & { Id: string };

/** The org's today (YYYY-MM-DD) in the configured time zone. */
export function orgToday(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Values the sweep would write for one lead, or null when nothing changed. */
export function changedFields(
  lead: LeadRow,
  result: EvaluationResult,
  stage: string,
  qualifiedAt: string
): SObjectRecord | null {
  const next: Record<string, unknown> = {
    Fit_Score__c: result.fitScore,
    Engagement_Score__c: result.engagementScore,
    Total_Score__c: result.totalScore,
    Lead_Grade__c: result.grade,
    Qualification_Status__c: result.qualificationStatus,
    Missing_Criteria__c: result.missingCriteriaText === '' ? null : result.missingCriteriaText,
    Funnel_Stage__c: stage
  };
  const changed: SObjectRecord = { Id: lead.Id };
  let any = false;
  for (const [field, value] of Object.entries(next)) {
    if (!sameValue(lead[field], value)) {
      changed[field] = value;
      any = true;
    }
  }
  if (!any) return null;
  // Qualified_At__c only travels with a real change, or every sweep would rewrite every lead.
  changed['Qualified_At__c'] = qualifiedAt;
  return changed;
}

function sameValue(current: unknown, next: unknown): boolean {
  const blank = (v: unknown) => v === null || v === undefined || v === '';
  if (blank(current) || blank(next)) return blank(current) && blank(next);
  if (typeof next === 'number') return Number(current) === next;
  return String(current) === String(next);
}

async function loadModel(rt: Runtime, org: OrgClient, cfg: QualificationConfig, opts: QualifyOptions) {
  if (opts.model) return { model: opts.model, source: 'library' };
  if (cfg.criteriaFile) return { model: loadCriteriaFile(cfg.criteriaFile, opts.cwd), source: `file ${cfg.criteriaFile}` };
  return { model: await loadCriteriaFromOrg(org), source: 'org custom metadata' };
}

/** Every field the criteria read must exist on Lead, and so must the output fields. */
async function checkFields(org: OrgClient, model: CompiledModel): Promise<string[]> {
  const existing = await org.describe.fieldNames('Lead');
  const issues: ConfigIssue[] = [];
  for (const c of model.criteria) {
    if (!existing.has(c.field)) issues.push({ path: `criterion ${c.developerName}`, message: `Lead has no field ${c.field}` });
  }
  for (const f of OUTPUT_FIELDS) {
    if (!existing.has(f)) issues.push({ path: f, message: `Lead has no field ${f} (is the leadflow package deployed?)` });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'qualification criteria vs org schema');
  const optional = CONTEXT_FIELDS.filter((f) => existing.has(f));
  return [...new Set([...optional, ...OUTPUT_FIELDS, ...model.fields])].map(soqlIdentifier);
}

async function openRun(db: Queryable, rt: Runtime, cfg: QualificationConfig, all: boolean): Promise<{ run: RunRow; resumed: boolean }> {
  const open = await db.query<{ id: string; mode: string; since: Date | string | null; until_ts: Date | string; done_through_id: string | null; batches_done: number }>(
    `select id, mode, since, until_ts, done_through_id, batches_done from qualify_runs where status = 'running' order by id desc limit 1`
  );
  const row = open[0];
  if (row) {
    return {
      resumed: true,
      run: {
        id: Number(row.id),
        mode: row.mode === 'all' ? 'all' : 'incremental',
        since: row.since === null ? null : new Date(row.since),
        until: new Date(row.until_ts),
        doneThroughId: row.done_through_id,
        batchesDone: Number(row.batches_done)
      }
    };
  }
  const until = rt.now();
  let since: Date | null = null;
  if (!all) {
    const wm = await db.query<{ value: string }>('select value from watermarks where name = $1', [WATERMARK_NAME]);
    if (wm[0]) since = new Date(new Date(wm[0].value).getTime() - cfg.sweep.overlapSeconds * 1000);
  }
  const mode = since === null ? 'all' : 'incremental';
  const inserted = await db.query<{ id: string }>(
    `insert into qualify_runs (mode, since, until_ts) values ($1, $2, $3) returning id`,
    [mode, since?.toISOString() ?? null, until.toISOString()]
  );
  return { resumed: false, run: { id: Number(inserted[0]?.id), mode, since, until, doneThroughId: null, batchesDone: 0 } };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Leads to evaluate: changed leads plus leads with new Tasks, campaign responses or store events. */
async function candidateLeads(org: OrgClient, db: Queryable, fields: string[], since: Date | null, useStore: boolean, chunkSize: number): Promise<LeadRow[]> {
  const select = `SELECT ${fields.join(', ')} FROM Lead WHERE IsConverted = false`;
  const byId = new Map<string, LeadRow>();
  const where = since ? ` AND SystemModstamp > ${soqlDateTime(since)}` : '';
  for await (const page of org.rest.queryPages<LeadRow>(`${select}${where}`)) for (const l of page) byId.set(l.Id, l);
  if (!since) return [...byId.values()];

  const cutoff = soqlDateTime(since);
  const [tasks, members] = await Promise.all([
    org.rest.query(`SELECT WhoId FROM Task WHERE SystemModstamp > ${cutoff} AND WhoId != null`),
    org.rest.query(`SELECT LeadId FROM CampaignMember WHERE SystemModstamp > ${cutoff} AND LeadId != null`)
  ]);
  const extraIds = new Set<string>();
  for (const t of tasks) if (typeof t['WhoId'] === 'string' && t['WhoId'].startsWith('00Q')) extraIds.add(t['WhoId']);
  for (const m of members) if (typeof m['LeadId'] === 'string') extraIds.add(m['LeadId']);
  let extraKeys: string[] = [];
  if (useStore) {
    const stored = await storedEventLeadsSince(db, since);
    // Store ids may be 15 characters; the IN below matches either length in Salesforce.
    for (const id of stored.leadIds) extraIds.add(id);
    extraKeys = stored.leadKeys;
  }
  // Leads whose last write failed are retried even if nothing on them changed since.
  const failedIds = (await db.query<{ lead_id: string }>('select lead_id from qualify_failures')).map((r) => r.lead_id);
  for (const id of failedIds) extraIds.add(id);
  const known15 = new Set([...byId.keys()].map((id) => id.slice(0, 15)));
  const missingIds = [...extraIds].filter((id) => !known15.has(id.slice(0, 15)));
  for (const ids of chunks(missingIds, chunkSize)) {
    for (const l of await org.rest.query<LeadRow>(`${select} AND Id IN ${soqlIn(ids)}`)) byId.set(l.Id, l);
  }
  for (const keys of chunks(extraKeys, chunkSize)) {
    for (const l of await org.rest.query<LeadRow>(`${select} AND Source_External_Id__c IN ${soqlIn(keys)}`)) byId.set(l.Id, l);
  }
  // A failed lead that was converted or deleted since is no longer ours to retry.
  const gone = failedIds.filter((id) => !byId.has(id));
  if (gone.length > 0) await db.query('delete from qualify_failures where lead_id = any($1::text[])', [gone]);
  return [...byId.values()];
}

/** Writes one batch: collections, or a Bulk API 2.0 job whose unprocessed rows go through collections. */
export async function writeBatch(org: OrgClient, records: SObjectRecord[], api: 'collections' | 'bulk'): Promise<RecordResult[]> {
  if (api === 'collections') return org.rest.update('Lead', records);
  const res = await org.bulk.ingest('Lead', 'update', records);
  if (res.unprocessed.length === 0) return res.results;
  // Rows Salesforce did not process go through collections so the checkpoint can advance honestly.
  const retry = await org.rest.update('Lead', res.unprocessed.map((i) => records[i] as SObjectRecord));
  const byIndex = new Map(res.results.map((r) => [r.index, r]));
  retry.forEach((r, k) => {
    const index = res.unprocessed[k] as number;
    byIndex.set(index, { ...r, index });
  });
  return [...byIndex.values()];
}

export const LOCK_NAME = 'qualify.sweep';
/** A sweep holding the lock longer than this is presumed crashed and its lock taken over. */
const LOCK_TIMEOUT_MINUTES = 60;

/**
 * Library API: runs one sweep (resuming an unfinished one first). Two sweeps never run at once against
 * one store: the second fails with LOCKED (a dry run takes no lock, it writes nothing).
 */
export async function runQualify(rt: Runtime, opts: QualifyOptions = {}): Promise<QualifySummary> {
  if (opts.dryRun) return sweep(rt, opts);
  const owner = `qualify-${process.pid}-${randomUUID()}`;
  if (!(await tryAcquireLock(rt.store, LOCK_NAME, owner, LOCK_TIMEOUT_MINUTES))) {
    throw new LeadflowError(ErrorCode.Locked, 'Another qualify sweep is running against this store (lock qualify.sweep); try again when it finishes.');
  }
  try {
    return await sweep(rt, opts);
  } finally {
    await releaseLock(rt.store, LOCK_NAME, owner).catch((err: unknown) => rt.logger.warn({ err }, 'could not release the qualify lock'));
  }
}

async function sweep(rt: Runtime, opts: QualifyOptions): Promise<QualifySummary> {
  const cfg = parseQualificationConfig(rt.config.qualification);
  const org = await rt.org();
  const db = rt.store;
  const { model: rawModel, source } = await loadModel(rt, org, cfg, opts);
  const model = compileModel(rawModel);
  const fields = await checkFields(org, model);
  const useStore = await hasEngagementEventsTable(db);

  const { run, resumed } = opts.dryRun
    ? { run: { id: 0, mode: opts.all ? ('all' as const) : ('incremental' as const), since: null, until: rt.now(), doneThroughId: null, batchesDone: 0 }, resumed: false }
    : await openRun(db, rt, cfg, opts.all === true);
  if (resumed) rt.logger.info({ runId: run.id, doneThroughId: run.doneThroughId }, 'resuming an unfinished qualify run');
  if (opts.dryRun && !opts.all) {
    const wm = await db.query<{ value: string }>('select value from watermarks where name = $1', [WATERMARK_NAME]);
    if (wm[0]) run.since = new Date(new Date(wm[0].value).getTime() - cfg.sweep.overlapSeconds * 1000);
  }

  const leads = (await candidateLeads(org, db, fields, run.since, useStore, cfg.sweep.readChunkSize))
    .filter((l) => run.doneThroughId === null || l.Id > run.doneThroughId)
    .sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));

  const now = rt.now();
  const today = orgToday(now, cfg.timeZone);
  const lookbackStart = new Date(now.getTime() - cfg.engagement.lookbackDays * 86_400_000);
  const campaignTypes: CampaignTypeCache = new Map();
  const qualifiedAt = now.toISOString();
  const changes: SObjectRecord[] = [];
  const byGrade: Record<string, number> = {};
  const byStage: Record<string, number> = {};
  const progress = rt.progress('Qualifying leads', leads.length);
  for (const chunk of chunks(leads, cfg.sweep.readChunkSize)) {
    const activity = await readActivity(org, db, chunk as { Id: string; Source_External_Id__c?: string | null }[], {
      since: lookbackStart,
      campaignTypes,
      storeEvents: useStore
    });
    for (const lead of chunk) {
      const engagement = engagementScore(activity.get(lead.Id) ?? [], now, cfg.engagement);
      const result = evaluateLead(model, { ...lead, Engagement_Score__c: engagement }, today);
      const stage = nextFunnelStage(
        result,
        { currentStage: lead['Funnel_Stage__c'] as string | null, status: lead['Status'] as string | null, salAcceptedDate: lead['SAL_Accepted_Date__c'] },
        cfg.funnel
      );
      byGrade[result.grade] = (byGrade[result.grade] ?? 0) + 1;
      byStage[stage] = (byStage[stage] ?? 0) + 1;
      const change = changedFields(lead, result, stage, qualifiedAt);
      if (change) changes.push(change);
    }
    progress.tick(chunk.length);
  }
  progress.done();

  const api = changes.length === 0 ? 'none' : changes.length > cfg.sweep.bulkThreshold ? 'bulk' : 'collections';
  const summary: QualifySummary = {
    runId: opts.dryRun ? null : run.id,
    resumed,
    mode: run.mode,
    since: run.since?.toISOString() ?? null,
    until: run.until.toISOString(),
    criteriaSource: source,
    criteria: model.criteria.length,
    candidates: leads.length,
    evaluated: leads.length,
    changed: changes.length,
    written: 0,
    failed: 0,
    writeApi: opts.dryRun ? 'none' : api,
    writeCalls: 0,
    batches: 0,
    storeEvents: useStore ? 'read' : 'table missing',
    byGrade,
    byStage,
    errors: [],
    dryRun: opts.dryRun === true
  };
  if (opts.dryRun) return summary;

  const batchSize = api === 'bulk' ? cfg.sweep.bulkBatchSize : COLLECTIONS_MAX;
  let batchNo = run.batchesDone;
  for (const batch of chunks(changes, batchSize)) {
    const before = writeCallCount(org);
    const results = await writeBatch(org, batch, api === 'bulk' ? 'bulk' : 'collections');
    summary.writeCalls += writeCallCount(org) - before;
    let ok = 0;
    let failed = 0;
    const succeededIds: string[] = [];
    const failures: { id: string; statusCode: string; message: string }[] = [];
    for (const r of results) {
      const id = String(batch[r.index]?.Id ?? r.id);
      if (r.success) {
        ok++;
        succeededIds.push(id);
      } else {
        failed++;
        const e = r.errors[0];
        const failure = { id, statusCode: e?.statusCode ?? 'UNKNOWN', message: e?.message ?? '' };
        failures.push(failure);
        if (summary.errors.length < 20) summary.errors.push(failure);
      }
    }
    summary.written += ok;
    summary.failed += failed;
    summary.batches++;
    batchNo++;
    const lastId = String(batch[batch.length - 1]?.Id);
    // One transaction: the batch row and the checkpoint land together or not at all.
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into qualify_batches (run_id, batch_no, api, first_id, last_id, records, written, failed) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [run.id, batchNo, api, String(batch[0]?.Id), lastId, batch.length, ok, failed]
      );
      if (succeededIds.length > 0) await tx.query('delete from qualify_failures where lead_id = any($1::text[])', [succeededIds]);
      for (const f of failures) {
        await tx.query(
          `insert into qualify_failures (lead_id, status_code, message, run_id) values ($1, $2, $3, $4)
           on conflict (lead_id) do update set status_code = excluded.status_code, message = excluded.message, run_id = excluded.run_id, failed_at = now()`,
          [f.id, f.statusCode, f.message, run.id]
        );
      }
      await tx.query(
        `update qualify_runs set done_through_id = $2, batches_done = $3, written = written + $4, failed = failed + $5 where id = $1`,
        [run.id, lastId, batchNo, ok, failed]
      );
    });
  }

  await db.transaction(async (tx) => {
    await tx.query(`update qualify_runs set status = 'done', finished_at = now(), summary = $2::jsonb where id = $1`, [run.id, JSON.stringify(summary)]);
    await tx.query(
      `insert into watermarks (name, value, updated_at) values ($1, $2, now())
       on conflict (name) do update set value = excluded.value, updated_at = now()`,
      [WATERMARK_NAME, run.until.toISOString()]
    );
  });
  return summary;
}

function writeCallCount(org: OrgClient): number {
  const s = org.usage.bySurface();
  return (s['collections'] ?? 0) + (s['bulk'] ?? 0);
}
