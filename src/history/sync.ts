/**
 * Incremental sync of the org's funnel state and history into the store.
 *
 * Four sources, each with its own watermark (SystemModstamp for current state, CreatedDate for the
 * append-only history objects) and an overlap window: rows re-read in the overlap are upserted by Id,
 * so reruns and concurrent updates converge. Lead and Opportunity are read with queryAll so deleted
 * and merged records are seen (and dropped from the funnel).
 * All four first pages are fetched in ONE Composite API call, so a sync with nothing new costs one call;
 * the org's opportunity stages and currency (org-meta.ts) ride along in that same call.
 */
import { z } from 'zod';
import { soqlDateTime } from '../salesforce/soql';
import type { OrgClient, SObjectRecord } from '../salesforce/types';
import { COMPOSITE_MAX_QUERIES, queryUrl, type CompositeResults, type QueryPage } from '../salesforce';
import type { Queryable, Store } from '../store/types';
import type { HistoryConfig } from './config';
import {
  OPPORTUNITY_STAGE_SOQL,
  ORG_CURRENCY_SOQL,
  orgCurrencyIsStale,
  parseOpportunityStages,
  parseOrgCurrency,
  writeOrgFunnelMeta
} from './org-meta';

const EPOCH = new Date('1970-01-01T00:00:00Z');

const sfDate = z.union([z.string(), z.null()]).transform((v) => (v ? new Date(v) : null));
const sfDateRequired = z.string().transform((v) => new Date(v));
const sfNumber = z.union([z.number(), z.null()]).optional().transform((v) => (v === undefined ? null : v));
const sfText = z.union([z.string(), z.null()]).optional().transform((v) => v ?? null);
const sfBool = z.union([z.boolean(), z.null()]).optional().transform((v) => v ?? false);

const leadRow = z.object({
  Id: z.string(),
  CreatedDate: sfDateRequired,
  LeadSource: sfText,
  Status: sfText,
  Funnel_Stage__c: sfText,
  OwnerId: sfText,
  IsConverted: sfBool,
  ConvertedDate: sfText,
  ConvertedOpportunityId: sfText,
  ConvertedContactId: sfText,
  SAL_Accept_By__c: sfDate.optional(),
  SAL_Accepted_Date__c: sfDate.optional(),
  MQL_Date__c: sfDate.optional(),
  SQL_Date__c: sfDate.optional(),
  IsDeleted: sfBool,
  MasterRecordId: sfText,
  SystemModstamp: sfDateRequired
});
const opportunityRow = z.object({
  Id: z.string(),
  CreatedDate: sfDateRequired,
  StageName: sfText,
  Amount: sfNumber,
  CloseDate: sfText,
  IsClosed: sfBool,
  IsWon: sfBool,
  LeadSource: sfText,
  MQL_Date__c: sfDate.optional(),
  SQL_Date__c: sfDate.optional(),
  Won_Date__c: sfText,
  IsDeleted: sfBool,
  SystemModstamp: sfDateRequired
});
const leadHistoryRow = z.object({
  Id: z.string(),
  LeadId: z.string(),
  Field: z.string(),
  OldValue: z.unknown().optional(),
  NewValue: z.unknown().optional(),
  CreatedDate: sfDateRequired
});
const opportunityHistoryRow = z.object({
  Id: z.string(),
  OpportunityId: z.string(),
  StageName: sfText,
  Amount: sfNumber,
  CloseDate: sfText,
  CreatedDate: sfDateRequired
});

export const LEAD_FIELDS = [
  'Id', 'CreatedDate', 'LeadSource', 'Status', 'Funnel_Stage__c', 'OwnerId', 'IsConverted', 'ConvertedDate',
  'ConvertedOpportunityId', 'ConvertedContactId', 'SAL_Accept_By__c', 'SAL_Accepted_Date__c', 'MQL_Date__c',
  'SQL_Date__c', 'IsDeleted', 'MasterRecordId', 'SystemModstamp'
];
export const OPPORTUNITY_FIELDS = [
  'Id', 'CreatedDate', 'StageName', 'Amount', 'CloseDate', 'IsClosed', 'IsWon', 'LeadSource', 'MQL_Date__c',
  'SQL_Date__c', 'Won_Date__c', 'IsDeleted', 'SystemModstamp'
];

interface SourceSpec {
  name: string;
  /** Builds the SOQL from the lower bound. */
  soql(since: Date): string;
  includeDeleted: boolean;
  /** Field whose max becomes the next watermark. */
  watermarkField: 'SystemModstamp' | 'CreatedDate';
  save(tx: Queryable, rows: SObjectRecord[]): Promise<void>;
}

function sources(): SourceSpec[] {
  const since = (field: string, d: Date) => `${field} >= ${soqlDateTime(d)}`;
  return [
    {
      name: 'history.lead',
      soql: (d) => `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE ${since('SystemModstamp', d)} ORDER BY SystemModstamp`,
      includeDeleted: true,
      watermarkField: 'SystemModstamp',
      save: saveLeads
    },
    {
      name: 'history.opportunity',
      soql: (d) =>
        `SELECT ${OPPORTUNITY_FIELDS.join(', ')} FROM Opportunity WHERE ${since('SystemModstamp', d)} ORDER BY SystemModstamp`,
      includeDeleted: true,
      watermarkField: 'SystemModstamp',
      save: saveOpportunities
    },
    {
      name: 'history.leadhistory',
      soql: (d) =>
        `SELECT Id, LeadId, Field, OldValue, NewValue, CreatedDate FROM LeadHistory ` +
        `WHERE ${since('CreatedDate', d)} AND Field IN ('Status', 'Funnel_Stage__c', 'created', 'leadConverted') ORDER BY CreatedDate`,
      includeDeleted: false,
      watermarkField: 'CreatedDate',
      save: saveLeadHistory
    },
    {
      name: 'history.opportunityhistory',
      soql: (d) =>
        `SELECT Id, OpportunityId, StageName, Amount, CloseDate, CreatedDate FROM OpportunityHistory ` +
        `WHERE ${since('CreatedDate', d)} ORDER BY CreatedDate`,
      includeDeleted: false,
      watermarkField: 'CreatedDate',
      save: saveOpportunityHistory
    }
  ];
}

/** Rows per INSERT statement: one page of the history query (2,000 records) is one statement. */
const INSERT_CHUNK_ROWS = 2000;

/**
 * INSERT of many rows as ONE jsonb parameter expanded by jsonb_populate_recordset, in chunks of INSERT_CHUNK_ROWS.
 * A multi-row VALUES list binds one parameter per cell (17 columns x 500 rows = 8,500 parameters a statement), each
 * serialised, sent and parsed on its own; one JSON document is serialised once by JSON.stringify and parsed by
 * PostgreSQL in C, and the column types come from the table's row type. Measured on the 300k-row history bench
 * (docs/history.md). Works the same on PGlite and PostgreSQL. Columns not listed keep their defaults.
 */
export async function insertRows(
  tx: Queryable,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  onConflict: string
): Promise<void> {
  const list = columns.join(', ');
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    const records = rows.slice(start, start + INSERT_CHUNK_ROWS).map((row) => {
      const record: Record<string, unknown> = {};
      columns.forEach((column, i) => (record[column] = row[i]));
      return record;
    });
    await tx.query(
      `insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, $1::jsonb) ${onConflict}`,
      [JSON.stringify(records)]
    );
  }
}

/** Later rows win for the same id (rows come ordered by SystemModstamp). */
function lastById<T extends { Id: string }>(rows: T[]): T[] {
  return [...new Map(rows.map((r) => [r.Id, r])).values()];
}

const LEAD_COLUMNS = [
  'id', 'created_date', 'lead_source', 'status', 'funnel_stage', 'owner_id', 'is_converted', 'converted_date',
  'converted_opportunity_id', 'converted_contact_id', 'sal_accept_by', 'sal_accepted_date', 'mql_date', 'sql_date',
  'is_deleted', 'master_record_id', 'system_modstamp'
];
const updateAll = (columns: string[]) => columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ');

async function saveLeads(tx: Queryable, rows: SObjectRecord[]): Promise<void> {
  const parsed = lastById(rows.map((raw) => leadRow.parse(raw)));
  await insertRows(
    tx,
    'hist_lead',
    LEAD_COLUMNS,
    parsed.map((r) => [
      r.Id, r.CreatedDate, r.LeadSource, r.Status, r.Funnel_Stage__c, r.OwnerId, r.IsConverted, r.ConvertedDate,
      r.ConvertedOpportunityId, r.ConvertedContactId, r.SAL_Accept_By__c ?? null, r.SAL_Accepted_Date__c ?? null,
      r.MQL_Date__c ?? null, r.SQL_Date__c ?? null, r.IsDeleted, r.MasterRecordId, r.SystemModstamp
    ]),
    `on conflict (id) do update set ${updateAll(LEAD_COLUMNS)} where hist_lead.system_modstamp <= excluded.system_modstamp`
  );
}

const OPPORTUNITY_COLUMNS = [
  'id', 'created_date', 'stage_name', 'amount', 'close_date', 'is_closed', 'is_won', 'lead_source', 'mql_date', 'sql_date',
  'won_date', 'is_deleted', 'system_modstamp'
];

async function saveOpportunities(tx: Queryable, rows: SObjectRecord[]): Promise<void> {
  const parsed = lastById(rows.map((raw) => opportunityRow.parse(raw)));
  await insertRows(
    tx,
    'hist_opportunity',
    OPPORTUNITY_COLUMNS,
    parsed.map((r) => [
      r.Id, r.CreatedDate, r.StageName, r.Amount, r.CloseDate, r.IsClosed, r.IsWon, r.LeadSource, r.MQL_Date__c ?? null,
      r.SQL_Date__c ?? null, r.Won_Date__c, r.IsDeleted, r.SystemModstamp
    ]),
    `on conflict (id) do update set ${updateAll(OPPORTUNITY_COLUMNS)} where hist_opportunity.system_modstamp <= excluded.system_modstamp`
  );
}

const historyValue = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

async function saveLeadHistory(tx: Queryable, rows: SObjectRecord[]): Promise<void> {
  const parsed = lastById(rows.map((raw) => leadHistoryRow.parse(raw)));
  await insertRows(
    tx,
    'hist_lead_change',
    ['id', 'lead_id', 'field', 'old_value', 'new_value', 'created_date'],
    parsed.map((r) => [r.Id, r.LeadId, r.Field, historyValue(r.OldValue), historyValue(r.NewValue), r.CreatedDate]),
    'on conflict (id) do nothing'
  );
}

async function saveOpportunityHistory(tx: Queryable, rows: SObjectRecord[]): Promise<void> {
  const parsed = lastById(rows.map((raw) => opportunityHistoryRow.parse(raw)));
  await insertRows(
    tx,
    'hist_opportunity_change',
    ['id', 'opportunity_id', 'stage_name', 'amount', 'close_date', 'created_date'],
    parsed.map((r) => [r.Id, r.OpportunityId, r.StageName, r.Amount, r.CloseDate, r.CreatedDate]),
    'on conflict (id) do nothing'
  );
}

export async function readWatermark(store: Queryable, name: string): Promise<Date | null> {
  const rows = await store.query<{ value: string }>('select value from watermarks where name = $1', [name]);
  return rows[0] ? new Date(rows[0].value) : null;
}

async function writeWatermark(store: Queryable, name: string, value: Date): Promise<void> {
  await store.query(
    `insert into watermarks (name, value, updated_at) values ($1, $2, now())
     on conflict (name) do update set value = excluded.value, updated_at = now()`,
    [name, value.toISOString()]
  );
}

export class HistorySyncError extends Error {
  constructor(message: string, public readonly raw?: unknown) {
    super(message);
    this.name = 'HistorySyncError';
  }
}

/**
 * First pages of several queries in Composite API requests (org.composite.get): one API call per
 * COMPOSITE_MAX_QUERIES queries, Salesforce's limit for one request. Further pages are fetched through the
 * regular query locator (CompositeResults.nextPage), one at a time, so memory stays flat on large syncs.
 * `optional` queries ride along; a failure there (an org without that object or field) gives null instead of
 * failing the sync.
 */
async function compositeFirstPages(
  org: OrgClient,
  specs: { soql: string; includeDeleted: boolean }[],
  optional: string[] = []
): Promise<{ results: CompositeResults; pages: QueryPage[]; optional: (unknown[] | null)[] }> {
  const all = [...specs, ...optional.map((soql) => ({ soql, includeDeleted: false }))].map((s, i) => ({
    referenceId: `q${i}`,
    path: queryUrl(s.soql, s.includeDeleted)
  }));
  const byRef = new Map<string, CompositeResults>();
  for (let i = 0; i < all.length; i += COMPOSITE_MAX_QUERIES) {
    const part = all.slice(i, i + COMPOSITE_MAX_QUERIES);
    const results = await org.composite.get(part);
    for (const r of part) byRef.set(r.referenceId, results);
  }
  const page = (ref: string) => byRef.get(ref)!.page(ref);
  const pages = specs.map((spec, i) => {
    try {
      return page(`q${i}`);
    } catch (err) {
      const e = err as { errorCode?: string; message: string; raw?: unknown };
      throw new HistorySyncError(`History query failed: ${spec.soql} -> ${e.errorCode ? `${e.errorCode}: ` : ''}${e.message}`, e.raw);
    }
  });
  const extra = optional.map((_, k) => {
    try {
      return page(`q${specs.length + k}`).records;
    } catch {
      return null;
    }
  });
  return { results: byRef.get('q0')!, pages, optional: extra };
}

/**
 * A sync that saved at least this many rows refreshes the mirror's planner statistics. PGlite has no autovacuum,
 * so a store filled by a first full sync had none, and the paged timeline reads (timeline.ts) were planned as if
 * the tables were empty: on 1M history rows, 19-26 s instead of 10.5 s.
 */
export const ANALYZE_AFTER_ROWS = 1_000;

export interface SyncSummary {
  leads: number;
  opportunities: number;
  leadHistory: number;
  opportunityHistory: number;
  watermarks: Record<string, string>;
}

/**
 * Each page is saved in its own transaction together with the watermark it reaches, so an interrupted sync
 * resumes from the last saved page (rows come ordered by the watermark field). The next page is fetched while
 * the current one is saved.
 */
export async function syncHistory(
  org: OrgClient,
  store: Store,
  config: Pick<HistoryConfig, 'overlapMinutes'>,
  opts: { full?: boolean; onPage?: (rows: number) => void } = {}
): Promise<SyncSummary> {
  const specs = sources();
  const overlapMs = config.overlapMinutes * 60_000;
  const lowerBounds: Date[] = [];
  for (const spec of specs) {
    const wm = opts.full ? null : await readWatermark(store, spec.name);
    lowerBounds.push(wm ? new Date(wm.getTime() - overlapMs) : EPOCH);
  }
  // The stage list rides in the same request as the four history queries (five queries: one call); the org
  // currency only when the store's copy is missing or a day old (orgCurrencyIsStale), as a second request.
  const readCurrency = opts.full || (await orgCurrencyIsStale(store, new Date()));
  const first = await compositeFirstPages(
    org,
    specs.map((s, i) => ({ soql: s.soql(lowerBounds[i]!), includeDeleted: s.includeDeleted })),
    [OPPORTUNITY_STAGE_SOQL, ...(readCurrency ? [ORG_CURRENCY_SOQL] : [])]
  );
  const firstPages = first.pages;
  const [stageRecords, orgRecords] = first.optional;
  await writeOrgFunnelMeta(store, {
    opportunityStages: stageRecords ? parseOpportunityStages(stageRecords) : undefined,
    currency: orgRecords ? parseOrgCurrency(orgRecords) : undefined
  });
  const counts = [0, 0, 0, 0];
  const watermarks: Record<string, string> = {};
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    let page: QueryPage | null = firstPages[i]!;
    while (page) {
      // The next page is requested before this one is saved, so the org's answer and the store's write overlap
      // (one page in flight at most). A failed save drops the prefetched page; the next sync resumes from the
      // watermark this page would have reached.
      const next: Promise<QueryPage | null> = first.results.nextPage(page);
      next.catch(() => undefined);
      const rows = page.records as SObjectRecord[];
      await store.transaction(async (tx) => {
        await spec.save(tx, rows);
        let max = await readWatermark(tx, spec.name);
        for (const row of rows) {
          const value = row[spec.watermarkField];
          if (typeof value === 'string') {
            const d = new Date(value);
            if (!max || d > max) max = d;
          }
        }
        if (max) {
          await writeWatermark(tx, spec.name, max);
          watermarks[spec.name] = max.toISOString();
        }
      });
      counts[i]! += rows.length;
      opts.onPage?.(rows.length);
      page = await next;
    }
  }
  if (counts.reduce((a, b) => a + b, 0) >= ANALYZE_AFTER_ROWS) {
    await store.query('analyze hist_lead, hist_opportunity, hist_lead_change, hist_opportunity_change');
  }
  return {
    leads: counts[0]!,
    opportunities: counts[1]!,
    leadHistory: counts[2]!,
    opportunityHistory: counts[3]!,
    watermarks
  };
}
