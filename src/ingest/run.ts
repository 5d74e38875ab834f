/**
 * runIngest: one source (a file, or the webhook inbox) into Salesforce Leads, batch by batch so memory
 * stays flat whatever the size: read -> map -> normalise/validate (rejects to the reject file) ->
 * de-duplicate in the batch -> skip rows the ledger has already written unchanged -> match against the
 * org -> route new leads -> upsert/update -> campaign members -> events + ledger in one store transaction.
 * A row reaches the ledger only after Salesforce accepted it, so a killed run resumes by simply
 * running again: rows already in Salesforce but not in the ledger are found by their external id and
 * upserted (updated, not duplicated).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'csv-stringify';
import type { Runtime, CommandResult } from '../runtime/types';
import type { OrgClient, RecordResult, SObjectRecord } from '../salesforce/types';
import { soqlIn } from '../salesforce/soql';
import { parseSObjectDescribe, queryUrl, type CompositeGet } from '../salesforce';
import type { MappedRow } from './canonical';
import { findSource, parseIngestConfig, sourceConfigSchema, type IngestConfig, type SourceConfig } from './config';
import { buildMatchQueries, chunk, createOrgMatcher, dedupeWithinBatch, newerValues, MATCH_IN_LIMIT, type OrgContact, type OrgLead } from './dedupe';
import {
  insertEngagementEvents,
  loadRoutingState,
  lookupLedger,
  markSubmissionsProcessed,
  pendingSubmissions,
  recordLedger,
  saveRoutingState,
  type LedgerEntry,
  type LedgerRecord
} from './ledger';
import { createRowMapper, recognisedHeaders, type RowMapper } from './mapping';
import { PRESETS, resolveMapping, type PresetName } from './presets';
import { LeadflowError, ErrorCode } from '../shared/errors';
import { kindFromPath, openSourceFile, SourceReadError, type InputDetection, type OpenedSource, type SourceRecord } from './readers';
import { createRejectWriter, escapeFormula, type RejectWriter } from './rejects';
import { routeLead, type RoutingState } from './routing';
import { PackageRouter, ROUTING_CURSOR_SOQL, type RoutingSource } from './routing-ingest';
import { ROUTING_DEFINITION_SOQL, routingDefinitionFromRows } from './routing-definition';
import type { RoutingDecision } from './routing-engine';
import {
  checkFieldLimits,
  DEFAULT_LEAD_LIMITS,
  leadRowHash,
  limitsFromDescribe,
  validateRow,
  type FieldLimits,
  type NormalisedLead,
  type RowError,
  type SourceContext
} from './validate';
import { lookupMatchCandidates, refreshMatchCache, rememberWrites, type AcceptedWrite } from './match-cache';
import {
  CAMPAIGN_QUEUE_CLAIM_ROWS,
  claimMemberships,
  queueMemberships,
  releaseMemberships,
  removeMemberships,
  type ClaimedMembership,
  type QueuedMembership
} from './campaign-queue';
import { createRecords, findConvertedTargets, insertRecords, isConvertedLeadError, updateConvertedContacts, updateRecords, upsertLeads, type ContactTarget } from './writes';

export interface IngestOptions {
  /** File to read (CSV, JSON or NDJSON by extension). Defaults to the source's configured path. */
  file?: string;
  /** Configured source name; without it an ad-hoc source named after the preset (or "csv"/"json") is used. */
  source?: string;
  preset?: PresetName;
  /** Read, validate and match, but write nothing to Salesforce or the store. */
  dryRun?: boolean;
  /** Overrides ingest.write.batchSize (tests, benchmarks). */
  batchSize?: number;
  /** Store run id recorded in the ledger. */
  runId?: number | null;
  /**
   * Webhook sources only, for serve's continuous delivery (the same window and size as the drain's start): a batch
   * of fewer than `size` submissions waits until its oldest one is `windowMs` old and is read again, so a drain
   * that runs while submissions keep arriving writes full micro-batches instead of one API call per handful.
   * Without it (`leadflow ingest`, scheduled runs) every batch is written as soon as it is read.
   */
  microBatch?: { windowMs: number; size: number };
}

export interface IngestSummary {
  source: string;
  input: string;
  /** What the file was read as (CSV: encoding and delimiter, detected or configured); null for webhook inboxes. */
  detected: InputDetection | null;
  dryRun: boolean;
  read: number;
  valid: number;
  rejected: number;
  /** Warning lines in the reject file for leads that were kept (invalid optional value dropped, LastName "[not provided]"). */
  warnedRows: number;
  created: number;
  updated: number;
  /** Rows for converted leads, written to the lead's Contact instead (docs/ingest.md, converted leads). */
  updatedContacts: number;
  unchanged: number;
  merged: number;
  attached: number;
  skipped: number;
  failed: number;
  campaignMembers: number;
  /** Routing_Decision__c ledger rows written (package routing definition only, docs/ingest.md "Owner routing"). */
  routingDecisions: number;
  engagementEvents: number;
  apiCalls: number;
  apiCallsBySurface: Record<string, number>;
  /** The same calls by what they were for (docs/ingest.md "API calls"), so every call in `apiCalls` is explained. */
  apiCallsByPurpose: Record<string, number>;
  /**
   * apiCalls less the Bulk status checks that found a job still running: what the run would have cost had each
   * job been checked once, just as it ended. Every other call did work this file needed (docs/ingest.md).
   */
  apiCallsMinimum: number;
  writes: { collectionsBatches: number; bulkJobs: number; retriedRows: number; extraStatusChecks: number };
  assigned: Record<string, number>;
  rejectFile: string | null;
  assignmentsFile: string | null;
  reportFile: string | null;
  durationMs: number;
  rowsPerSecond: number;
  /** First rows reported as `updated contact`: the lead was converted, its Contact got the row. */
  contacts: { row: number; externalId: string; outcome: 'updated contact'; leadId: string; contactId: string; accountId: string | null; fields: string[] }[];
  /** First failures (the reject file has all of them). */
  failures: { row: number; externalId: string; errors: string[] }[];
  warnings: string[];
}

const MAX_LISTED_FAILURES = 50;

interface Context {
  rt: Runtime;
  cfg: IngestConfig;
  source: SourceConfig;
  sourceCtx: SourceContext;
  mapper: RowMapper;
  dryRun: boolean;
  runId: number | null;
  org: OrgClient | null;
  summary: IngestSummary;
  rejects: RejectWriter | null;
  assignments: ReturnType<typeof stringify> | null;
  assignmentsDone: Promise<void> | null;
  routing: RoutingState;
  /** The org's routing definition when it has an active Routing Team (null: the JSON config routes; undefined: not read yet). */
  packageRouter?: PackageRouter | null;
  today: string;
  campaignIds: Map<string, string | null>;
  stamp: string;
  /** Lead field limits: the Lead reference's until the org's describe is read (first batch that reaches the org). */
  limits: FieldLimits;
  limitsFromOrg: boolean;
  /** The org id whose match keys the store holds, once refreshed for this run (null: not yet, or a dry run). */
  matchOrgId: string | null;
  /** Store commits of batches already written to the org (BatchCommits). */
  commits: BatchCommits;
}

/**
 * A file's batch N is committed to the store (events, ledger, campaign-member queue, routing state) while batch
 * N+1 waits on the org for its Bulk job, instead of before N+1 starts: on 2 CPUs the service was idle for about
 * a third of a 10,000-row batch while the local org ran the job (docs/ingest.md, "Throughput"). Batch N's commit
 * is started only after N+1 has read the store (ledger and match keys), so those reads never queue behind it;
 * until it has committed, N's ledger entries are kept here and N+1 reads them as if committed. Commits run one at
 * a time and in file order; the first that fails stops the run (later ones are not attempted).
 */
interface BatchCommits {
  /** The last batch's commit, not started yet. */
  deferred: (() => Promise<void>) | null;
  /** Started commits, one after another. */
  chain: Promise<void>;
  /** Ledger entries of batches written to the org whose commit has not finished, oldest first. */
  pendingLedger: Map<string, LedgerRecord>[];
  failure: unknown;
}

function newBatchCommits(): BatchCommits {
  return { deferred: null, chain: Promise.resolve(), pendingLedger: [], failure: null };
}

/** Starts the deferred commit, if any, after the commits already started. */
function startDeferredCommit(ctx: Context): void {
  const c = ctx.commits;
  const fn = c.deferred;
  if (!fn) return;
  c.deferred = null;
  c.chain = c.chain.then(fn);
  c.chain.catch((err: unknown) => {
    c.failure ??= err;
  });
}

/** Starts any deferred commit and waits until every commit has finished; throws the first commit failure. */
async function flushCommits(ctx: Context): Promise<void> {
  startDeferredCommit(ctx);
  await ctx.commits.chain;
}

/** Like flushCommits, without throwing: used on the way out of a run that already failed. */
async function settleCommits(ctx: Context): Promise<void> {
  await flushCommits(ctx).catch(() => undefined);
}

/** A source that cannot be ingested at all (exit 1, JSON error code INPUT). Messages never quote file content. */
export class IngestError extends LeadflowError {
  constructor(message: string) {
    super(ErrorCode.Input, message);
    this.name = 'IngestError';
  }
}

/** Resolves which source config applies to the options (a configured source, or an ad-hoc one). */
export function resolveSource(cfg: IngestConfig, opts: Pick<IngestOptions, 'file' | 'source' | 'preset'>, baseDir = process.cwd()): SourceConfig {
  if (opts.source) {
    const s = findSource(cfg, opts.source);
    if (!s) {
      const known = cfg.sources.map((x) => x.name).join(', ') || 'none configured';
      throw new IngestError(`Unknown source "${opts.source}" (configured: ${known})`);
    }
    return { ...s, preset: opts.preset ?? s.preset };
  }
  if (!opts.file) throw new IngestError('Give a file to ingest or --source <name>');
  const byPath = cfg.sources.find((s) => s.path && path.resolve(baseDir, s.path) === path.resolve(opts.file!));
  if (byPath) return { ...byPath, preset: opts.preset ?? byPath.preset };
  const kind = kindFromPath(opts.file);
  // An ad-hoc source gets every default a configured one would.
  return sourceConfigSchema.parse({ name: opts.preset ?? kind, kind, preset: opts.preset });
}

export interface IngestAllSummary {
  sources: IngestSummary[];
  totals: Pick<IngestSummary, 'read' | 'rejected' | 'created' | 'updated' | 'updatedContacts' | 'unchanged' | 'merged' | 'attached' | 'skipped' | 'failed' | 'apiCalls'>;
}

/**
 * The library entry point. With a file or `source`, ingests that one source. Without either (as `npm start`
 * and the serve scheduler call it, optionally with `{ samples: true }`), ingests every configured source
 * in order: files that exist, then webhook inboxes.
 */
export function runIngest(rt: Runtime, opts: IngestOptions & ({ file: string } | { source: string })): Promise<CommandResult<IngestSummary>>;
export function runIngest(rt: Runtime, opts?: IngestOptions & { samples?: boolean }): Promise<CommandResult<IngestSummary> | CommandResult<IngestAllSummary>>;
export async function runIngest(
  rt: Runtime,
  opts: IngestOptions & { samples?: boolean } = {}
): Promise<CommandResult<IngestSummary> | CommandResult<IngestAllSummary>> {
  if (opts.file || opts.source) return runIngestSource(rt, opts);
  const cfg = parseIngestConfig(rt.config.ingest);
  const base = runtimeCwd(rt);
  const names = cfg.sources.filter((s) => s.kind === 'webhook' || (s.path && fs.existsSync(path.resolve(base, s.path)))).map((s) => s.name);
  if (names.length === 0) throw new IngestError('No ingest sources configured (ingest.sources) and no file given');
  const results: CommandResult<IngestSummary>[] = [];
  for (const name of names) results.push(await runIngestSource(rt, { ...opts, source: name }));
  const sum = (k: keyof IngestAllSummary['totals']) => results.reduce((n, r) => n + r.summary[k], 0);
  const totals = {
    read: sum('read'), rejected: sum('rejected'), created: sum('created'), updated: sum('updated'), updatedContacts: sum('updatedContacts'), unchanged: sum('unchanged'),
    merged: sum('merged'), attached: sum('attached'), skipped: sum('skipped'), failed: sum('failed'), apiCalls: sum('apiCalls')
  };
  return {
    ok: results.every((r) => r.ok),
    partial: results.some((r) => !r.ok) && results.some((r) => r.ok || r.partial),
    summary: { sources: results.map((r) => r.summary), totals },
    lines: results.flatMap((r) => r.lines ?? [])
  };
}

/** The runtime's working directory (LeadflowRuntime has one) for relative source paths. */
function runtimeCwd(rt: Runtime): string {
  const cwd = (rt as Runtime & { cwd?: unknown }).cwd;
  return typeof cwd === 'string' ? cwd : process.cwd();
}

export async function runIngestSource(rt: Runtime, opts: IngestOptions): Promise<CommandResult<IngestSummary>> {
  const started = Date.now();
  const cfg = parseIngestConfig(rt.config.ingest);
  if (opts.batchSize) cfg.write.batchSize = opts.batchSize;
  const source = resolveSource(cfg, opts, runtimeCwd(rt));
  const kind = source.kind ?? (opts.file ?? source.path ? kindFromPath(opts.file ?? source.path!) : 'csv');
  const input = kind === 'webhook' ? `inbox:${source.name}` : opts.file ? path.resolve(opts.file) : path.resolve(runtimeCwd(rt), source.path ?? '');
  if (kind !== 'webhook' && !opts.file && !source.path) throw new IngestError(`Source "${source.name}" has no path; give a file`);
  // The file is checked (regular, readable) and its encoding/delimiter detected before anything else runs.
  let opened: OpenedSource | null = null;
  if (kind !== 'webhook') {
    try {
      opened = openSourceFile(input, kind, { delimiter: source.delimiter, encoding: source.encoding });
    } catch (err) {
      throw asIngestError(err);
    }
  }

  const preset = source.preset ? PRESETS[source.preset] : undefined;
  const now = rt.now();
  const ctx: Context = {
    rt,
    cfg,
    source,
    sourceCtx: {
      name: source.name,
      sourceSystem: source.sourceSystem ?? source.name,
      leadSource: source.leadSource ?? preset?.leadSource ?? null,
      campaign: source.campaign ?? null,
      defaultCountry: source.defaultCountry?.toUpperCase() ?? null,
      defaultCompany: source.defaultCompany ?? null,
      onInvalidOptional: source.onInvalidOptional,
      // Excel writes ";" where "," is the decimal mark: "1234,56" in such a file is 1234.56.
      decimalComma: opened?.detection.delimiter === ';'
    },
    mapper: createRowMapper(resolveMapping(source.preset, source.mapping)),
    dryRun: Boolean(opts.dryRun),
    runId: opts.runId ?? null,
    org: null,
    summary: { ...emptySummary(source.name, input, Boolean(opts.dryRun)), detected: opened?.detection ?? null },
    rejects: null,
    assignments: null,
    assignmentsDone: null,
    routing: { cursors: {}, assignedToday: {} },
    today: now.toISOString().slice(0, 10),
    campaignIds: new Map(),
    stamp: now.toISOString().replace(/[:.]/g, '-'),
    limits: DEFAULT_LEAD_LIMITS,
    limitsFromOrg: false,
    matchOrgId: null,
    commits: newBatchCommits()
  };
  ctx.routing = await loadRoutingState(rt.store, ctx.today);
  const usageBefore = { total: 0, bySurface: {} as Record<string, number> };

  const progress = rt.progress(`ingest ${source.name}`);
  try {
    if (kind === 'webhook') {
      let after = 0;
      for (;;) {
        let items = await pendingSubmissions(rt.store, source.name, after, cfg.write.batchSize);
        if (items.length === 0) break;
        const wait = microBatchWaitMs(items, opts.microBatch);
        if (wait > 0) {
          await sleep(wait);
          items = await pendingSubmissions(rt.store, source.name, after, cfg.write.batchSize);
        }
        after = items[items.length - 1]!.seq;
        await processBatch(ctx, items.map((i) => ({ row: i.seq, data: i.payload })), items.map((i) => i.seq), usageBefore);
        progress.tick(items.length);
      }
    } else {
      let batch: SourceRecord[] = [];
      let first = true;
      const writing = oneAtATime();
      try {
        for await (const record of opened!.records) {
          if (first && kind === 'csv') {
            checkCsvHeader(input, Object.keys(record.data), source, opened!.detection);
            ctx.summary.warnings.push(...opened!.warnings);
          }
          first = false;
          batch.push(record);
          if (batch.length >= cfg.write.batchSize) {
            // Prepared now, while the previous batch may still wait on the org; written after it.
            const prepared = prepareBatch(ctx, batch);
            const size = batch.length;
            batch = [];
            await writing.wait();
            writing.start(() => writeBatch(ctx, prepared, [], usageBefore).then(() => progress.tick(size)));
          }
        }
      } catch (err) {
        await writing.settle();
        throw err instanceof SourceReadError ? asIngestError(err) : err;
      }
      await writing.wait();
      if (batch.length > 0) {
        await processBatch(ctx, batch, [], usageBefore);
        progress.tick(batch.length);
      }
    }
    await flushCommits(ctx);
    if (!ctx.dryRun) await drainCampaignMembers(ctx, usageBefore);
  } catch (err) {
    await settleCommits(ctx);
    throw err;
  } finally {
    progress.done();
    await ctx.rejects?.close();
    if (ctx.assignments) {
      ctx.assignments.end();
      await ctx.assignmentsDone;
    }
  }

  const s = ctx.summary;
  if (ctx.org) {
    s.apiCalls = ctx.org.usage.total() - usageBefore.total;
    const by = ctx.org.usage.bySurface();
    s.apiCallsBySurface = Object.fromEntries(
      Object.entries(by)
        .map(([k, v]) => [k, v - (usageBefore.bySurface[k] ?? 0)] as const)
        .filter(([, v]) => v > 0)
    );
    const explained = Object.values(s.apiCallsByPurpose).reduce((a, b) => a + b, 0);
    if (s.apiCalls > explained) s.apiCallsByPurpose.other = s.apiCalls - explained;
  }
  s.apiCallsMinimum = s.apiCalls - s.writes.extraStatusChecks;
  s.rejectFile = ctx.rejects?.path ?? null;
  s.durationMs = Date.now() - started;
  s.rowsPerSecond = s.durationMs > 0 ? Math.round((s.read / s.durationMs) * 1000) : s.read;
  s.reportFile = writeReport(ctx);
  const ok = s.failed === 0;
  return { ok, partial: !ok && s.created + s.updated + s.updatedContacts + s.unchanged + s.attached > 0, summary: s, lines: humanLines(s) };
}

/**
 * A CSV whose header names no column we know is refused before anything is written: it is almost always
 * the wrong delimiter or a file without a header row, and every row would otherwise be rejected. The
 * message describes the header (column count, delimiter) but never quotes it: the file may not be a CSV
 * at all (a symlink to /etc/passwd), and the message is printed and stored in the runs table.
 */
function checkCsvHeader(input: string, headers: string[], source: SourceConfig, detection: InputDetection): void {
  if (headers.some((h) => h.startsWith('__')) || recognisedHeaders(resolveMapping(source.preset, source.mapping), headers).length > 0) return;
  const delimiter = detection.delimiter ?? ',';
  const other = [',', ';', '\t', '|'].find((d) => d !== delimiter && headers.some((h) => h.includes(d)));
  const hint = other
    ? `the header looks ${JSON.stringify(other)}-separated: set the source's "delimiter"`
    : 'the first line must be a header row naming the columns (see docs/ingest.md, column mapping)';
  const columns = `${headers.length} column${headers.length === 1 ? '' : 's'}`;
  throw new IngestError(
    `${input}: no known column in the header row (${columns}, delimiter ${JSON.stringify(delimiter)} ${detection.delimiterFrom ?? 'detected'}, encoding ${detection.encoding}); ${hint}`
  );
}

function asIngestError(err: unknown): Error {
  if (err instanceof SourceReadError) return new IngestError(err.message);
  return err as Error;
}

function emptySummary(source: string, input: string, dryRun: boolean): IngestSummary {
  return {
    source,
    input,
    detected: null,
    dryRun,
    read: 0,
    valid: 0,
    rejected: 0,
    warnedRows: 0,
    created: 0,
    updated: 0,
    updatedContacts: 0,
    unchanged: 0,
    merged: 0,
    attached: 0,
    skipped: 0,
    failed: 0,
    campaignMembers: 0,
    routingDecisions: 0,
    engagementEvents: 0,
    apiCalls: 0,
    apiCallsBySurface: {},
    apiCallsByPurpose: {},
    apiCallsMinimum: 0,
    writes: { collectionsBatches: 0, bulkJobs: 0, retriedRows: 0, extraStatusChecks: 0 },
    assigned: {},
    rejectFile: null,
    assignmentsFile: null,
    reportFile: null,
    durationMs: 0,
    rowsPerSecond: 0,
    contacts: [],
    failures: [],
    warnings: []
  };
}

/** Runs fn and adds the API calls it made to the summary under `purpose`. */
async function counted<T>(ctx: Context, purpose: string, fn: () => Promise<T>): Promise<T> {
  const before = ctx.org?.usage.total() ?? 0;
  try {
    return await fn();
  } finally {
    const n = (ctx.org?.usage.total() ?? 0) - before;
    if (n > 0) ctx.summary.apiCallsByPurpose[purpose] = (ctx.summary.apiCallsByPurpose[purpose] ?? 0) + n;
  }
}

async function getOrg(ctx: Context, usageBefore: { total: number; bySurface: Record<string, number> }): Promise<OrgClient> {
  if (!ctx.org) {
    ctx.org = await ctx.rt.org();
    usageBefore.total = ctx.org.usage.total();
    usageBefore.bySurface = { ...ctx.org.usage.bySurface() };
  }
  return ctx.org;
}

function reject(ctx: Context, errors: RowError[]) {
  if (errors.length === 0) return;
  ctx.rejects ??= createRejectWriter(path.join(ctx.rt.outputDir, `ingest-${ctx.source.name}-${ctx.stamp}-rejects.csv`));
  ctx.rejects.write(errors);
}

function recordAssignment(ctx: Context, lead: NormalisedLead, ownerId: string | null, rule: string | null, explanation: string) {
  const key = ownerId ?? '(unassigned)';
  ctx.summary.assigned[key] = (ctx.summary.assigned[key] ?? 0) + 1;
  if (!ctx.assignments) {
    const file = path.join(ctx.rt.outputDir, `ingest-${ctx.source.name}-${ctx.stamp}-assignments.csv`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const out = fs.createWriteStream(file, { encoding: 'utf8' });
    ctx.assignments = stringify({ header: true, columns: ['row', 'externalId', 'ownerId', 'rule', 'explanation'] });
    ctx.assignments.pipe(out);
    ctx.assignmentsDone = new Promise((resolve, rejectFn) => out.on('finish', () => resolve()).on('error', rejectFn));
    ctx.summary.assignmentsFile = file;
  }
  ctx.assignments.write([String(lead.row), escapeFormula(lead.fields.Source_External_Id__c), ownerId ?? '', escapeFormula(rule ?? ''), escapeFormula(explanation)]);
}

type Plan =
  | { kind: 'upsert'; lead: NormalisedLead; hash: string; ownerId?: string }
  | { kind: 'update'; lead: NormalisedLead; hash: string; targetId: string; changes: Record<string, unknown> | null }
  | { kind: 'attach'; lead: NormalisedLead; hash: string; contactId: string }
  | { kind: 'contact'; lead: NormalisedLead; hash: string; target: ContactTarget }
  | { kind: 'skip'; lead: NormalisedLead; hash: string; reason: string };

/**
 * How long a webhook batch waits for more submissions (IngestOptions.microBatch): until its oldest submission is
 * windowMs old, at most windowMs (the store's clock and this process's may differ), and not at all once the batch
 * holds `size` submissions.
 */
export function microBatchWaitMs(
  items: readonly { receivedAt: Date }[],
  microBatch: IngestOptions['microBatch'],
  nowMs: number = Date.now()
): number {
  if (!microBatch || items.length === 0 || items.length >= microBatch.size) return 0;
  const due = items[0]!.receivedAt.getTime() + microBatch.windowMs;
  return Math.min(microBatch.windowMs, Math.max(0, due - nowMs));
}

async function processBatch(
  ctx: Context,
  records: SourceRecord[],
  inboxSeqs: number[],
  usageBefore: { total: number; bySurface: Record<string, number> }
): Promise<void> {
  await writeBatch(ctx, prepareBatch(ctx, records), inboxSeqs, usageBefore);
  await flushCommits(ctx);
}

/**
 * At most one batch write in flight, started without waiting so the caller can read and prepare the next batch
 * meanwhile. wait() returns when the write in flight is done and throws its error; settle() only waits.
 */
function oneAtATime(): { start(fn: () => Promise<void>): void; wait(): Promise<void>; settle(): Promise<void> } {
  let current: Promise<void> | null = null;
  return {
    start(fn) {
      current = fn();
      // Kept for wait(); this handler only stops Node from reporting the rejection before wait() sees it.
      current.catch(() => undefined);
    },
    async wait() {
      const p = current;
      current = null;
      if (p) await p;
    },
    async settle() {
      const p = current;
      current = null;
      if (p) await p.catch(() => undefined);
    }
  };
}

/** A batch mapped, normalised, validated and de-duplicated within itself: nothing read from the store or the org yet. */
interface PreparedBatch {
  survivors: NormalisedLead[];
  merged: ReturnType<typeof dedupeWithinBatch>['merged'];
}

/**
 * Steps 1 and 2 of a batch, pure CPU work. A file's next batch is prepared while the previous one waits on the
 * org (its Bulk job), so the two overlap; everything that reads what an earlier batch wrote (ledger, match keys,
 * routing) happens in writeBatch, one batch at a time and in file order.
 */
function prepareBatch(ctx: Context, records: SourceRecord[]): PreparedBatch {
  const s = ctx.summary;
  const { cfg } = ctx;
  s.read += records.length;

  // 1. map + normalise + validate
  const valid: NormalisedLead[] = [];
  for (const rec of records) {
    if (typeof rec.data.__parseError === 'string') {
      s.rejected++;
      reject(ctx, [{ row: rec.row, field: '(record)', value: '', reason: rec.data.__parseError }]);
      continue;
    }
    const mapped: MappedRow = ctx.mapper(rec.row, rec.data);
    const result = validateRow(mapped, ctx.sourceCtx, ctx.limits);
    if (result.ok) {
      valid.push(result.lead);
      if (result.warnings.length > 0) {
        s.warnedRows++;
        reject(ctx, result.warnings);
      }
    } else {
      s.rejected++;
      reject(ctx, result.errors);
    }
  }
  s.valid += valid.length;

  // 2. duplicates inside the batch
  return dedupeWithinBatch(valid, cfg.dedupe.keys);
}

async function writeBatch(
  ctx: Context,
  { survivors, merged }: PreparedBatch,
  inboxSeqs: number[],
  usageBefore: { total: number; bySurface: Record<string, number> }
): Promise<void> {
  const s = ctx.summary;
  const { cfg } = ctx;
  if (ctx.commits.failure) throw ctx.commits.failure;

  // 3. ledger: rows written before with the same content need nothing (earlier batches still committing included)
  const ledger = await lookupLedger(ctx.rt.store, ctx.source.name, [
    ...new Set([...survivors, ...merged.map((m) => m.lead)].map((l) => l.sourceRecordId))
  ]);
  for (const pending of ctx.commits.pendingLedger) for (const [id, e] of pending) ledger.set(id, e);
  const ledgerEntries: LedgerEntry[] = [];
  const entry = (lead: NormalisedLead, hash: string, action: LedgerEntry['action'], sfObject: LedgerEntry['sfObject'], sfId: string | null): LedgerEntry => ({
    source: lead.source,
    sourceRecordId: lead.sourceRecordId,
    externalId: lead.fields.Source_External_Id__c,
    rowHash: hash,
    action,
    sfObject,
    sfId
  });
  const todo: { lead: NormalisedLead; hash: string }[] = [];
  for (const lead of survivors) {
    const hash = leadRowHash(lead);
    if (ledger.get(lead.sourceRecordId)?.rowHash === hash) s.unchanged++;
    else todo.push({ lead, hash });
  }
  const mergedTodo = merged.filter((m) => ledger.get(m.lead.sourceRecordId)?.rowHash !== leadRowHash(m.lead));
  s.unchanged += merged.length - mergedTodo.length;
  if (todo.length === 0 && mergedTodo.length === 0) {
    if (!ctx.dryRun) await markSubmissionsProcessed(ctx.rt.store, inboxSeqs, ctx.runId);
    return;
  }

  const org = await getOrg(ctx, usageBefore);

  // 3b. the org's own limits (precision/scale, text lengths) from its Lead describe: a row it would refuse
  // is a reject, not a failed write. Read once per run, only when rows reach the org, with the routing definition.
  await readOrgContext(ctx, org);
  for (let i = todo.length - 1; i >= 0; i--) {
    const problems = checkFieldLimits(todo[i]!.lead.row, todo[i]!.lead.fields, ctx.limits);
    if (problems.length === 0) continue;
    s.valid--;
    s.rejected++;
    reject(ctx, problems);
    todo.splice(i, 1);
  }

  // 3c. the account owners this batch may go to (the package routing definition was read with the describe)
  await counted(ctx, 'routing definition', async () => ctx.packageRouter?.prepare(todo.map((t) => t.lead)));
  const routed = new Map<NormalisedLead, RoutingDecision>();

  // 4. match against the org (leads written by an earlier, interrupted run come back as "own")
  const plans: Plan[] = [];
  const match = await counted(ctx, 'match keys', () => orgMatcher(ctx, org, todo.map((t) => t.lead)));
  const knownOwn = (l: NormalisedLead) => {
    const e = ledger.get(l.sourceRecordId);
    return e && e.action === 'created' && e.sfObject === 'Lead' ? e.sfId : null;
  };
  for (const { lead, hash } of todo) {
    const found = match(lead);
    // The org's word beats the ledger's: a lead we created may have been converted since.
    const m = found.kind !== 'converted' && knownOwn(lead) ? { kind: 'own' as const, leadId: knownOwn(lead)! } : found;
    if (m.kind === 'converted') plans.push({ kind: 'contact', lead, hash, target: { lead, leadId: m.leadId, contactId: m.contactId, accountId: m.accountId } });
    else if (m.kind === 'own') plans.push({ kind: 'upsert', lead, hash });
    else if (m.kind === 'none') {
      const pa = ctx.packageRouter?.route(lead);
      if (pa) routed.set(lead, pa.decision);
      const a = pa ?? routeLead(lead, cfg.routing, ctx.routing, ctx.today);
      recordAssignment(ctx, lead, a.ownerId, a.rule, a.explanation);
      plans.push({ kind: 'upsert', lead, hash, ownerId: a.ownerId ?? undefined });
    } else if (m.kind === 'lead') {
      if (cfg.dedupe.onLeadMatch === 'skip') plans.push({ kind: 'skip', lead, hash, reason: `matches existing lead ${m.lead.Id} by ${m.key}` });
      else plans.push({ kind: 'update', lead, hash, targetId: m.lead.Id, changes: newerValues(m.lead, lead) });
    } else if (cfg.dedupe.onContactMatch === 'skip') plans.push({ kind: 'skip', lead, hash, reason: `matches existing contact ${m.contact.Id}` });
    else plans.push({ kind: 'attach', lead, hash, contactId: m.contact.Id });
  }

  // The previous batch's commit may start now: this batch has read what it needs from the store.
  startDeferredCommit(ctx);

  // 5. writes
  /** `fresh`: the Lead did not exist before this write (Salesforce said created), so it has no campaign memberships yet. */
  const outcome = new Map<NormalisedLead, { object: 'Lead' | 'Contact'; id: string; action: LedgerEntry['action']; leadId?: string; fresh?: boolean }>();
  const fail = (lead: NormalisedLead, result: RecordResult | undefined, fallback: string) => {
    s.failed++;
    const errors = result?.errors.length ? result.errors.map((e) => `${e.statusCode}: ${e.message}`) : [fallback];
    if (s.failures.length < MAX_LISTED_FAILURES) s.failures.push({ row: lead.row, externalId: lead.fields.Source_External_Id__c, errors });
    reject(
      ctx,
      (result?.errors.length ? result.errors : [{ statusCode: 'ERROR', message: fallback, fields: [] }]).map((e) => ({
        row: lead.row,
        field: e.fields.join(';') || '(record)',
        value: '',
        reason: `Salesforce ${e.statusCode}: ${e.message}`
      }))
    );
  };

  const upserts = plans.filter((p): p is Extract<Plan, { kind: 'upsert' }> => p.kind === 'upsert');
  const updates = plans.filter((p): p is Extract<Plan, { kind: 'update' }> => p.kind === 'update');
  if (ctx.dryRun) {
    for (const p of plans) {
      if (p.kind === 'upsert') s.created++;
      else if (p.kind === 'update') s.updated++;
      else if (p.kind === 'attach') s.attached++;
      else if (p.kind === 'contact') s.updatedContacts++;
      else s.skipped++;
    }
    s.merged += mergedTodo.length;
    return;
  }

  const refusedAsConverted: { lead: NormalisedLead; result: RecordResult }[] = [];
  /** Accepted writes, recorded in the match-key cache with the ledger so later batches match them. */
  const accepted: AcceptedWrite[] = [];
  if (upserts.length > 0) {
    const records: SObjectRecord[] = upserts.map((p) => ({ ...p.lead.fields, ...(p.ownerId ? { OwnerId: p.ownerId } : {}) }));
    const w = await counted(ctx, 'lead upserts', () => upsertLeads(org, records, cfg.write));
    if (w.surface === 'bulk') countBulk(s, w);
    else s.writes.collectionsBatches += Math.ceil(records.length / 200);
    s.writes.retriedRows += w.retried;
    w.results.forEach((r, i) => {
      const p = upserts[i]!;
      if (r.success && r.id) {
        const created = r.created !== false;
        if (created) s.created++;
        else s.updated++;
        outcome.set(p.lead, { object: 'Lead', id: r.id, action: 'created', fresh: r.created === true });
        accepted.push({ kind: 'lead', id: r.id, fields: records[i]! });
      } else if (isConvertedLeadError(r)) refusedAsConverted.push({ lead: p.lead, result: r });
      else fail(p.lead, r, 'upsert failed');
    });
  }

  // Several rows may match the same existing lead: one update per lead, later rows' values winning.
  const byTarget = new Map<string, Record<string, unknown>>();
  for (const p of updates) if (p.changes) byTarget.set(p.targetId, { ...(byTarget.get(p.targetId) ?? {}), ...p.changes });
  const targetIds = [...byTarget.keys()];
  const updateResults = await counted(ctx, 'lead updates', () => updateRecords(org, 'Lead', targetIds.map((id) => byTarget.get(id)! as SObjectRecord), cfg.write));
  const updateById = new Map(targetIds.map((id, i) => [id, updateResults[i]!]));
  targetIds.forEach((id, i) => {
    if (updateResults[i]?.success) accepted.push({ kind: 'lead', id, fields: byTarget.get(id)! });
  });
  const refusedUpdates: { lead: NormalisedLead; leadId: string; result: RecordResult }[] = [];
  for (const p of updates) {
    const r = p.changes ? updateById.get(p.targetId) : undefined;
    if (!p.changes || r?.success) {
      if (p.changes) s.updated++;
      else s.unchanged++;
      outcome.set(p.lead, { object: 'Lead', id: p.targetId, action: 'updated' });
    } else if (r && isConvertedLeadError(r)) refusedUpdates.push({ lead: p.lead, leadId: p.targetId, result: r });
    else fail(p.lead, r, 'update failed');
  }

  // Rows for converted leads go to the lead's Contact: those matched above, and those whose lead was converted
  // between the match query and the write (Salesforce refused them with CANNOT_UPDATE_CONVERTED_LEAD).
  const refused = [...refusedAsConverted, ...refusedUpdates];
  const lateTargets = refused.length > 0 ? await counted(ctx, 'converted leads', () => findConvertedTargets(org, refused)) : [];
  for (const x of refused) if (!lateTargets.some((t) => t.lead === x.lead)) fail(x.lead, x.result, 'write refused: lead converted');
  for (const t of lateTargets) accepted.push({ kind: 'converted', id: t.leadId, contactId: t.contactId, accountId: t.accountId });
  const contactTargets = [...plans.flatMap((p) => (p.kind === 'contact' ? [p.target] : [])), ...lateTargets];
  for (const { target, result, changed } of await counted(ctx, 'converted leads', () => updateConvertedContacts(org, contactTargets, cfg.write))) {
    if (result && !result.success) {
      fail(target.lead, result, 'contact update failed');
      continue;
    }
    // Nothing to change on the Contact is "unchanged"; the campaign membership and engagement still follow it.
    if (changed.length > 0) s.updatedContacts++;
    else s.unchanged++;
    outcome.set(target.lead, { object: 'Contact', id: target.contactId, action: 'updated', leadId: target.leadId });
    if (changed.length > 0 && s.contacts.length < MAX_LISTED_FAILURES) {
      s.contacts.push({
        row: target.lead.row,
        externalId: target.lead.fields.Source_External_Id__c,
        outcome: 'updated contact',
        leadId: target.leadId,
        contactId: target.contactId,
        accountId: target.accountId,
        fields: changed
      });
    }
  }
  for (const p of plans) {
    if (p.kind === 'attach') {
      s.attached++;
      outcome.set(p.lead, { object: 'Contact', id: p.contactId, action: 'attached' });
    } else if (p.kind === 'skip') s.skipped++;
  }

  // 6. campaign membership for rows that name a campaign: queued with the ledger (step 7), written at the end of
  // the run in one Bulk job (drainCampaignMembers)
  const memberships: QueuedMembership[] = plans.flatMap((p) => {
    const o = p.lead.campaign ? outcome.get(p.lead) : undefined;
    return o ? [{ campaign: p.lead.campaign!, object: o.object, id: o.id, fresh: o.fresh === true }] : [];
  });

  // 6b. routing ledger (Routing_Decision__c) for the leads created, and the fairness cursors they moved
  if (ctx.packageRouter) {
    const created = [...routed].flatMap(([lead, decision]) => {
      const o = outcome.get(lead);
      return o && o.object === 'Lead' && o.action === 'created' ? [{ decision, leadId: o.id }] : [];
    });
    const router = ctx.packageRouter;
    const r = await counted(ctx, 'routing ledger', () => router.commit(created, ctx.rt.now().toISOString()));
    s.routingDecisions += r.decisions;
    s.warnings.push(...r.warnings);
  }

  // 7. events + ledger (+ inbox, routing state) in one transaction
  for (const p of plans) {
    const o = outcome.get(p.lead);
    if (o) ledgerEntries.push(entry(p.lead, p.hash, o.action, o.object, o.id));
    else if (p.kind === 'skip') ledgerEntries.push(entry(p.lead, p.hash, 'skipped', null, null));
  }
  const survivorOf = new Map(survivors.map((l) => [l.row, l]));
  for (const m of mergedTodo) {
    const survivor = survivorOf.get(m.intoRow);
    const o = survivor ? outcome.get(survivor) : undefined;
    const skipped = survivor && plans.some((p) => p.lead === survivor && p.kind === 'skip');
    if (o || skipped || (survivor && ledger.get(survivor.sourceRecordId)?.rowHash === leadRowHash(survivor))) {
      s.merged++;
      ledgerEntries.push(entry(m.lead, leadRowHash(m.lead), 'merged', o?.object ?? null, o?.id ?? null));
    }
  }
  const eventItems = plans
    .filter((p) => outcome.has(p.lead) && p.lead.events.length > 0)
    .map((p) => {
      const o = outcome.get(p.lead)!;
      return { lead: p.lead, leadId: o.object === 'Lead' ? o.id : (o.leadId ?? null), contactId: o.object === 'Contact' ? o.id : null };
    });
  // The match keys now, so the next batch matches what this one wrote: they are a copy of what the org holds
  // (it accepted these writes), which the next run re-reads from the org anyway.
  if (ctx.matchOrgId) await rememberWrites(ctx.rt.store, ctx.matchOrgId, accepted, ctx.rt.now());
  // The rest in one transaction, deferred (BatchCommits). The routing state as it is after this batch: the next
  // batch moves ctx.routing on before this commit runs.
  const routing = structuredClone(ctx.routing);
  const pendingLedger = new Map<string, LedgerRecord>(
    ledgerEntries.map((e) => [e.sourceRecordId, { rowHash: e.rowHash, action: e.action, sfObject: e.sfObject, sfId: e.sfId }])
  );
  ctx.commits.pendingLedger.push(pendingLedger);
  ctx.commits.deferred = async () => {
    await ctx.rt.store.transaction(async (tx) => {
      s.engagementEvents += await insertEngagementEvents(tx, eventItems);
      await recordLedger(tx, ledgerEntries, ctx.runId);
      await queueMemberships(tx, ctx.source.name, ctx.runId, memberships);
      await markSubmissionsProcessed(tx, inboxSeqs, ctx.runId);
      await saveRoutingState(tx, ctx.today, routing);
    });
    ctx.commits.pendingLedger.splice(ctx.commits.pendingLedger.indexOf(pendingLedger), 1);
  };
}

function countBulk(s: IngestSummary, w: { bulkJobs?: number; extraStatusChecks?: number }): void {
  s.writes.bulkJobs += w.bulkJobs ?? 0;
  s.writes.extraStatusChecks += w.extraStatusChecks ?? 0;
}

/**
 * What a run reads from the org once, before its first write: the Lead describe (field limits) and the package
 * routing definition (teams, members, out-of-office days, cursors). One Composite request carries all five
 * reads: one API call where separate requests cost five.
 */
async function readOrgContext(ctx: Context, org: OrgClient): Promise<void> {
  const needDescribe = !ctx.limitsFromOrg;
  const needRouting = ctx.packageRouter === undefined;
  if (!needDescribe && !needRouting) return;
  const routingQueries = { ...ROUTING_DEFINITION_SOQL, cursors: ROUTING_CURSOR_SOQL };
  const requests: CompositeGet[] = [
    ...(needDescribe ? [{ referenceId: 'leadDescribe', path: '/sobjects/Lead/describe' }] : []),
    ...(needRouting ? Object.entries(routingQueries).map(([referenceId, soql]) => ({ referenceId, path: queryUrl(soql) })) : [])
  ];
  const results = await counted(ctx, 'lead describe + routing definition', () => org.composite.get(requests));
  if (needDescribe) {
    ctx.limits = limitsFromDescribe(parseSObjectDescribe(results.body('leadDescribe')).fields);
    ctx.limitsFromOrg = true;
  }
  if (needRouting) {
    const source: RoutingSource = {
      definition: async () =>
        routingDefinitionFromRows({ teams: await results.records('teams'), members: await results.records('members'), outOfOffice: await results.records('outOfOffice') }),
      cursors: () => results.records('cursors')
    };
    ctx.packageRouter = await counted(ctx, 'routing definition', () => PackageRouter.load(org, ctx.today, ctx.cfg.routing.defaultOwnerId, source));
    if (ctx.packageRouter) ctx.summary.warnings.push(...ctx.packageRouter.warnings);
  }
}

/**
 * The matcher for a batch. A real run matches against the store's copy of the org's match keys, brought up to
 * date once at the start of the run (match-cache.ts): no query per batch. A dry run writes nothing to the
 * store, so it runs the batched match queries against the org instead (same rules, same candidates).
 */
async function orgMatcher(ctx: Context, org: OrgClient, leads: NormalisedLead[]) {
  if (leads.length === 0) return createOrgMatcher([], [], ctx.cfg.dedupe.keys);
  const keys = ctx.cfg.dedupe.againstOrg ? ctx.cfg.dedupe.keys : ([] as typeof ctx.cfg.dedupe.keys);
  if (!ctx.dryRun) {
    ctx.matchOrgId ??= (await refreshMatchCache(org, ctx.rt.store)).orgId;
    const found = await lookupMatchCandidates(ctx.rt.store, ctx.matchOrgId, leads, keys);
    return createOrgMatcher(found.leads, found.contacts, keys);
  }
  // Even without org matching, look up our own external ids so an interrupted run never re-routes.
  const q = buildMatchQueries(leads, keys);
  const orgLeads: OrgLead[] = [];
  const orgContacts: OrgContact[] = [];
  // Page by page: a domain match on a large org can return more rows than a spread can take as arguments.
  for (const soql of q.lead) for await (const page of org.rest.queryPages<OrgLead>(soql)) for (const r of page) orgLeads.push(r);
  for (const soql of q.contact) for await (const page of org.rest.queryPages<OrgContact>(soql)) for (const r of page) orgContacts.push(r);
  return createOrgMatcher(orgLeads, orgContacts, keys);
}

/**
 * Writes the source's queued campaign memberships (campaign-queue.ts), CAMPAIGN_QUEUE_CLAIM_ROWS per Bulk job:
 * this run's, and any a killed run left. Runs after the last batch, and also when the file had nothing new.
 */
async function drainCampaignMembers(ctx: Context, usageBefore: { total: number; bySurface: Record<string, number> }): Promise<void> {
  for (;;) {
    const claimed = await claimMemberships(ctx.rt.store, ctx.source.name);
    if (claimed.length === 0) return;
    const org = await getOrg(ctx, usageBefore);
    const written = await counted(ctx, 'campaign members', () => writeMemberships(ctx, org, claimed));
    if (!written || claimed.length < CAMPAIGN_QUEUE_CLAIM_ROWS) return;
  }
}

/** One claimed chunk of the queue into CampaignMember records. False when the write failed and the chunk went back to the queue. */
async function writeMemberships(ctx: Context, org: OrgClient, claimed: ClaimedMembership[]): Promise<boolean> {
  const s = ctx.summary;
  try {
    const names = [...new Set(claimed.map((m) => m.campaign))].filter((n) => !ctx.campaignIds.has(n));
    for (const part of chunk(names, MATCH_IN_LIMIT)) {
      const found = await org.rest.query<{ Id: string; Name: string }>(`SELECT Id, Name FROM Campaign WHERE Name IN ${soqlIn(part)}`);
      for (const c of found) if (!ctx.campaignIds.has(c.Name)) ctx.campaignIds.set(c.Name, c.Id);
    }
    const missing = names.filter((n) => !ctx.campaignIds.has(n));
    if (missing.length > 0 && ctx.cfg.write.createMissingCampaigns) {
      const created = await createRecords(org, 'Campaign', missing.map((Name) => ({ Name, IsActive: true })), ctx.cfg.write);
      created.forEach((r, i) => {
        ctx.campaignIds.set(missing[i]!, r.success ? r.id : null);
        if (!r.success) s.warnings.push(`Campaign "${missing[i]}" could not be created: ${r.errors.map((e) => e.message).join('; ')}`);
      });
    } else for (const n of missing) {
      ctx.campaignIds.set(n, null);
      s.warnings.push(`Campaign "${n}" does not exist (createMissingCampaigns is off); members not added`);
    }

    // Existing memberships (an interrupted run may have added some already).
    const wanted = claimed
      .map((m) => ({ ...m, campaignId: ctx.campaignIds.get(m.campaign) }))
      .filter((w): w is ClaimedMembership & { campaignId: string } => !!w.campaignId);
    const existing = new Set<string>();
    for (const object of ['Lead', 'Contact'] as const) {
      // A lead this run created cannot be a member yet: only the others are looked up (a query per 200).
      const known = wanted.filter((w) => w.object === object && !w.fresh);
      const ids = [...new Set(known.map((w) => w.id))];
      const campaignIds = [...new Set(known.map((w) => w.campaignId))];
      const field = object === 'Lead' ? 'LeadId' : 'ContactId';
      for (const part of chunk(ids, MATCH_IN_LIMIT)) {
        for (const cpart of chunk(campaignIds, MATCH_IN_LIMIT)) {
          const rows = await org.rest.query<Record<string, string>>(
            `SELECT CampaignId, ${field} FROM CampaignMember WHERE CampaignId IN ${soqlIn(cpart)} AND ${field} IN ${soqlIn(part)}`
          );
          for (const r of rows) existing.add(`${(r.CampaignId ?? '').slice(0, 15)}|${(r[field] ?? '').slice(0, 15)}`);
        }
      }
    }
    const seen = new Set<string>();
    const toCreate: SObjectRecord[] = [];
    for (const w of wanted) {
      const key = `${w.campaignId.slice(0, 15)}|${w.id.slice(0, 15)}`;
      if (existing.has(key) || seen.has(key)) continue;
      seen.add(key);
      toCreate.push({ CampaignId: w.campaignId, [w.object === 'Lead' ? 'LeadId' : 'ContactId']: w.id, Status: ctx.cfg.write.campaignMemberStatus });
    }
    // Memberships are counted, never referenced by id: a clean Bulk job needs no successful-results download.
    const written = await insertRecords(org, 'CampaignMember', toCreate, ctx.cfg.write, undefined, { needIds: false });
    countBulk(s, written);
    s.writes.retriedRows += written.retried;
    for (const r of written.results) {
      if (r.success) s.campaignMembers++;
      else if (s.warnings.length < 100) s.warnings.push(`CampaignMember not created: ${r.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`);
    }
    // Written, already members, or refused for good (after the transient retries): none goes back to the queue.
    await removeMemberships(ctx.rt.store, claimed.map((m) => m.queueId));
    return true;
  } catch (err) {
    // Campaign attribution must not lose the leads themselves, nor the memberships: report, keep them queued.
    await releaseMemberships(ctx.rt.store, claimed.map((m) => m.queueId));
    s.warnings.push(`Campaign memberships not written, ${claimed.length} kept in the queue for the next run: ${(err as Error).message}`);
    return false;
  }
}

function writeReport(ctx: Context): string | null {
  if (ctx.dryRun && ctx.summary.read === 0) return null;
  const file = path.join(ctx.rt.outputDir, `ingest-${ctx.source.name}-${ctx.stamp}-report.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...ctx.summary, reportFile: file }, null, 2)}\n`);
  return file;
}

export function humanLines(s: IngestSummary): string[] {
  const lines = [
    `${s.dryRun ? '[dry run] ' : ''}Ingest ${s.source} from ${s.input}`,
    ...(s.detected?.delimiter
      ? [`  file: delimiter ${JSON.stringify(s.detected.delimiter)}${s.detected.delimiterFrom === 'configured' ? ' (configured)' : ''}, encoding ${s.detected.encoding}${s.detected.encodingFrom === 'configured' ? ' (configured)' : s.detected.encodingFrom === 'bom' ? ' (byte order mark)' : ''}`]
      : []),
    `  read ${s.read}, valid ${s.valid}, rejected ${s.rejected}${s.warnedRows > 0 ? `, kept with warnings ${s.warnedRows}` : ''}`,
    `  ${s.dryRun ? 'would create' : 'created'} ${s.created}, updated ${s.updated}, updated contact (converted lead) ${s.updatedContacts}, unchanged ${s.unchanged}, merged duplicates ${s.merged}, attached to contacts ${s.attached}, skipped ${s.skipped}, failed ${s.failed}`,
    `  campaign members ${s.campaignMembers}, engagement events ${s.engagementEvents}`,
    ...(s.routingDecisions > 0 ? [`  routing decisions ${s.routingDecisions} (Routing_Decision__c)`] : []),
    `  ${s.rowsPerSecond} rows/s in ${(s.durationMs / 1000).toFixed(1)} s; writes: ${s.writes.collectionsBatches} collection calls, ${s.writes.bulkJobs} bulk jobs, ${s.writes.retriedRows} rows retried`,
    ...(s.apiCalls > 0
      ? [
          `  API calls: ${s.apiCalls}; minimum for this file: ${s.apiCallsMinimum}${s.writes.extraStatusChecks > 0 ? ` (the other ${s.writes.extraStatusChecks} checked Bulk jobs still running)` : ''}`,
          `  API calls by purpose: ${Object.entries(s.apiCallsByPurpose).map(([purpose, n]) => `${purpose} ${n}`).join(', ')}`
        ]
      : [])
  ];
  const owners = Object.entries(s.assigned);
  if (owners.length > 0) lines.push(`  assigned: ${owners.map(([o, n]) => `${o} ${n}`).join(', ')}`);
  if (s.rejectFile) lines.push(`  reject file: ${s.rejectFile}`);
  if (s.assignmentsFile) lines.push(`  assignments: ${s.assignmentsFile}`);
  if (s.reportFile) lines.push(`  report: ${s.reportFile}`);
  for (const w of s.warnings.slice(0, 10)) lines.push(`  warning: ${w}`);
  for (const c of s.contacts.slice(0, 10)) {
    lines.push(`  row ${c.row} (${c.externalId}): updated contact ${c.contactId} (converted lead ${c.leadId}): ${c.fields.join(', ')}`);
  }
  for (const f of s.failures.slice(0, 10)) lines.push(`  failed row ${f.row} (${f.externalId}): ${f.errors.join('; ')}`);
  return lines;
}
