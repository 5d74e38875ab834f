/**
 * The org's match keys in the store, so matching a file against the org costs a handful of API calls however
 * large the file (docs/ingest.md, "API calls").
 *
 * What is kept (table ingest_match_keys, one row per record, keyed by org id + record Id): every Lead (our
 * external id, email, last name, the fields ingest may update, LastModifiedDate and the converted state) and
 * every Contact (email, name, account, the fields a converted lead's row may update), with the keys a row is
 * matched by. The dedupe rules (createOrgMatcher in dedupe.ts) run on the candidates exactly as on SOQL results.
 *
 * Freshness: `refreshMatchCache` runs at the start of every (non-dry) run and reads, with queryAll, every Lead
 * and Contact whose SystemModstamp is at or after the last watermark minus an overlap window: new and changed
 * records are upserted, deleted and merged-away ones (IsDeleted) are removed, a conversion shows up as the
 * lead's new converted state (its SystemModstamp moves). The first pages of both queries and the org id come
 * in ONE Composite API call, so a run against an org where nothing changed pays one call for matching.
 * During the run, what ingest itself writes is recorded here as it is accepted (`rememberWrites`), so later
 * batches of the same run match the leads earlier batches created; the next run re-reads them from the org.
 */
import { z } from 'zod';
import { soqlDateTime } from '../salesforce/soql';
import { queryUrl, type CompositeResults, type QueryPage } from '../salesforce/composite';
import { SalesforceError, type OrgClient } from '../salesforce/types';
import type { Queryable, Store } from '../store/types';
import type { DedupeConfig } from './config';
import { LEAD_TO_CONTACT_FIELDS, orgLeadNameKeys, rowNameKey, UPDATABLE_LEAD_FIELDS, type OrgContact, type OrgLead } from './dedupe';
import type { NormalisedLead } from './validate';

const EPOCH = new Date('1970-01-01T00:00:00Z');
/**
 * Rows committed late can carry a SystemModstamp a little before the newest one already read (the stamp is
 * taken when the transaction writes, not when it commits), so each refresh re-reads this window. Same
 * default as the history sync's overlapMinutes.
 */
export const MATCH_CACHE_OVERLAP_MS = 10 * 60_000;

export const LEAD_CACHE_COLUMNS = [
  'Id',
  'Source_External_Id__c',
  'LastModifiedDate',
  ...UPDATABLE_LEAD_FIELDS,
  'IsConverted',
  'ConvertedContactId',
  'ConvertedAccountId',
  'IsDeleted',
  'SystemModstamp'
] as const;
export const CONTACT_CACHE_COLUMNS = [
  ...new Set(['Id', 'AccountId', 'LastModifiedDate', 'FirstName', 'LastName', 'Email', ...Object.values(LEAD_TO_CONTACT_FIELDS), 'IsDeleted', 'SystemModstamp'])
];

type CachedObject = 'Lead' | 'Contact';

export function matchCacheSoql(object: CachedObject, since: Date): string {
  const columns = object === 'Lead' ? LEAD_CACHE_COLUMNS : CONTACT_CACHE_COLUMNS;
  return `SELECT ${columns.join(', ')} FROM ${object} WHERE SystemModstamp >= ${soqlDateTime(since)} ORDER BY SystemModstamp, Id`;
}

const orgRow = z.object({ Id: z.string() });

export class MatchCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatchCacheError';
  }
}

/** queryAll first pages of the Lead and Contact deltas plus the org id, in one Composite request (one API call). */
async function firstPages(
  org: OrgClient,
  since: { Lead: Date; Contact: Date }
): Promise<{ orgId: string; results: CompositeResults; lead: QueryPage; contact: QueryPage }> {
  const results = await org.composite.get([
    { referenceId: 'org', path: queryUrl('SELECT Id FROM Organization') },
    { referenceId: 'lead', path: queryUrl(matchCacheSoql('Lead', since.Lead), true) },
    { referenceId: 'contact', path: queryUrl(matchCacheSoql('Contact', since.Contact), true) }
  ]);
  // Only each first page: further pages are read one at a time (CompositeResults.nextPage), so memory stays flat.
  const body = (ref: string): QueryPage => {
    try {
      return results.page(ref);
    } catch (err) {
      if (!(err instanceof SalesforceError)) throw err;
      throw new MatchCacheError(`Match-key refresh query "${ref}" failed: ${JSON.stringify(err.raw ?? null).slice(0, 500)}`);
    }
  };
  const orgPage = body('org');
  const orgId = orgRow.parse(orgPage.records[0] ?? {}).Id;
  return { orgId, results, lead: body('lead'), contact: body('contact') };
}

interface CacheState {
  orgId: string;
  Lead: Date | null;
  Contact: Date | null;
}

async function readState(db: Queryable, where: { orgId: string } | { instanceUrl: string }): Promise<CacheState | null> {
  const rows = await db.query<{ org_id: string; lead_watermark: string | Date | null; contact_watermark: string | Date | null }>(
    'orgId' in where
      ? 'select org_id, lead_watermark, contact_watermark from ingest_match_state where org_id = $1'
      : 'select org_id, lead_watermark, contact_watermark from ingest_match_state where instance_url = $1 order by refreshed_at desc limit 1',
    ['orgId' in where ? where.orgId : where.instanceUrl]
  );
  const r = rows[0];
  if (!r) return null;
  const d = (v: string | Date | null) => (v ? new Date(v) : null);
  return { orgId: r.org_id, Lead: d(r.lead_watermark), Contact: d(r.contact_watermark) };
}

/**
 * The record as ASCII-only JSON (every other character as a \\u escape; JSON.parse gives the same value back).
 * Why: read back through the store's PostgreSQL wire server (src/store, a hosted PGlite), rows with non-ASCII
 * text (Persian, Russian names) came back corrupted ("Bad control character in string literal") and the
 * connection then stalled; ASCII rows are unaffected.
 */
export const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const lower = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

/**
 * A cached record's lookup keys (columns name_key_a and name_key_b): an unconverted Lead's domainAndName keys
 * (orgLeadNameKeys, at most two), or a converted Lead's `cc:` key naming the Contact it became, so the row that
 * matches that Contact by email finds the lead too. Contacts have none.
 */
function lookupKeys(object: CachedObject, r: Record<string, unknown>): string[] {
  if (object !== 'Lead') return [];
  const lead = r as OrgLead;
  if (lead.IsConverted) return lead.ConvertedContactId ? [`cc:${lead.ConvertedContactId.slice(0, 15)}`] : [];
  return orgLeadNameKeys(lead);
}

/** The name_key_a and name_key_b parameters for records' lookup keys. */
const keyColumns = (keys: string[][]): [(string | null)[], (string | null)[]] => [keys.map((k) => k[0] ?? null), keys.map((k) => k[1] ?? null)];

/** Upserts a page of queried records (removing deleted ones) and moves the object's watermark, in one transaction. */
async function savePage(tx: Queryable, orgId: string, instanceUrl: string, object: CachedObject, records: Record<string, unknown>[]): Promise<void> {
  const live = records.filter((r) => r.IsDeleted !== true);
  const deleted = records.filter((r) => r.IsDeleted === true).map((r) => String(r.Id));
  if (deleted.length > 0) await tx.query('delete from ingest_match_keys where org_id = $1 and id = any($2::text[])', [orgId, deleted]);
  if (live.length > 0) {
    await tx.query(
      `insert into ingest_match_keys (org_id, sobject, id, ext_id, email, last_name, name_key_a, name_key_b, record)
       select $1, $2, i, x, e, n, ka, kb, r
         from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) as t(i, x, e, n, ka, kb, r)
       on conflict (org_id, id) do update set ext_id = excluded.ext_id, email = excluded.email, last_name = excluded.last_name,
         name_key_a = excluded.name_key_a, name_key_b = excluded.name_key_b, record = excluded.record`,
      [
        orgId,
        object,
        live.map((r) => String(r.Id)),
        live.map((r) => lower(r.Source_External_Id__c)),
        live.map((r) => lower(r.Email)),
        live.map((r) => lower(r.LastName)),
        ...keyColumns(live.map((r) => lookupKeys(object, r))),
        live.map((r) => {
          const { attributes: _attributes, IsDeleted: _deleted, SystemModstamp: _stamp, ...fields } = r;
          return asciiJson(fields);
        })
      ]
    );
  }
  let max: Date | null = null;
  for (const r of records) {
    if (typeof r.SystemModstamp !== 'string') continue;
    const d = new Date(r.SystemModstamp);
    if (!max || d > max) max = d;
  }
  const column = object === 'Lead' ? 'lead_watermark' : 'contact_watermark';
  await tx.query(
    `insert into ingest_match_state (org_id, instance_url, ${column}, refreshed_at) values ($1, $2, $3::timestamptz, now())
     on conflict (org_id) do update set instance_url = excluded.instance_url, refreshed_at = now(),
       ${column} = greatest(ingest_match_state.${column}, excluded.${column})`,
    [orgId, instanceUrl, max ? max.toISOString() : null]
  );
}

/**
 * PGlite runs no autovacuum, so without an explicit ANALYZE the planner keeps the statistics of an empty table and
 * answers a batch's candidate lookup with a scan of every cached record (at 50,000 cached leads: 285 ms a batch and
 * growing, against a flat 140 ms with statistics). The table is analyzed after each refresh, and again whenever a
 * run has written as many rows as it held at the last ANALYZE (so log2(growth) times a run), per org in this process.
 */
const plannerStatistics = new Map<string, { rowsAtAnalyze: number; writtenSince: number }>();

async function analyzeMatchKeys(db: Queryable): Promise<number> {
  await db.query('analyze ingest_match_keys');
  const rows = await db.query<{ n: string | number }>(`select reltuples::bigint as n from pg_class where relname = 'ingest_match_keys'`);
  return Math.max(0, Number(rows[0]?.n ?? 0));
}

export interface MatchCacheRefresh {
  orgId: string;
  /** Records read (upserted or removed) per object, and the API calls the refresh made. */
  leads: number;
  contacts: number;
  apiCalls: number;
}

/**
 * Brings the store's copy of the org's match keys up to date (see the file comment). Each page is saved with
 * the watermark it reaches, so an interrupted refresh resumes where it stopped.
 */
export async function refreshMatchCache(org: OrgClient, store: Store): Promise<MatchCacheRefresh> {
  const callsBefore = org.usage.total();
  const instanceUrl = org.target.instanceUrl;
  const since = (s: CacheState | null) => ({
    Lead: s?.Lead ? new Date(s.Lead.getTime() - MATCH_CACHE_OVERLAP_MS) : EPOCH,
    Contact: s?.Contact ? new Date(s.Contact.getTime() - MATCH_CACHE_OVERLAP_MS) : EPOCH
  });
  const guess = await readState(store, { instanceUrl });
  let first = await firstPages(org, since(guess));
  if (guess?.orgId !== first.orgId) {
    // Another org behind this URL (a refreshed sandbox, an emulator reset): its own state, or a full read.
    const known = await readState(store, { orgId: first.orgId });
    if (known?.Lead || known?.Contact) first = await firstPages(org, since(known));
  }
  const counts = { Lead: 0, Contact: 0 };
  for (const [object, start] of [['Lead', first.lead], ['Contact', first.contact]] as const) {
    let page: QueryPage | null = start;
    while (page) {
      const records = page.records;
      await store.transaction((tx) => savePage(tx, first.orgId, instanceUrl, object, records));
      counts[object] += records.length;
      page = await first.results.nextPage(page);
    }
  }
  plannerStatistics.set(first.orgId, { rowsAtAnalyze: await analyzeMatchKeys(store), writtenSince: 0 });
  return { orgId: first.orgId, leads: counts.Lead, contacts: counts.Contact, apiCalls: org.usage.total() - callsBefore };
}

/**
 * The cached Leads and Contacts a batch can match: Leads by our external id, email or domainAndName key (the
 * keys createOrgMatcher looks them up by), Contacts by email, and the converted Leads those Contacts came from.
 * Ordered by Id, as SOQL returned them (createOrgMatcher keeps the first lead per email, the last per name key).
 */
export async function lookupMatchCandidates(
  db: Queryable,
  orgId: string,
  leads: readonly NormalisedLead[],
  keys: DedupeConfig['keys']
): Promise<{ leads: OrgLead[]; contacts: OrgContact[] }> {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.flatMap((x) => (x ? [x.toLowerCase()] : [])))];
  const extIds = uniq(leads.map((l) => l.fields.Source_External_Id__c));
  const emails = keys.includes('email') ? uniq(leads.map((l) => l.fields.Email)) : [];
  const nameKeys = keys.includes('domainAndName') ? [...new Set(leads.map(rowNameKey))] : [];
  // Exactly the records createOrgMatcher can match: Leads by our external id, email or domainAndName key, Contacts
  // by email, and the converted Leads those Contacts came from. (By last name alone, as the per-batch SOQL asks,
  // a common name pulls in thousands of leads per batch, and more as the org grows.)
  const rows = await db.query<{ id: string; sobject: CachedObject; record: string }>(
    // One index lookup per batch value: each list value probes its index in a LATERAL subquery that `offset 0`
    // keeps from being flattened into a join. As plain joins with the unnested lists, PostgreSQL hashed the whole
    // table once per list as soon as a batch held a few thousand values: at 240,000 cached leads a 10,000-row
    // batch took 2.3 s (five scans of every cached record), growing with the org, against 0.25 s, flat, this way.
    // (`= any` or one OR over the table read every cached record of the org too.)
    `with contacts as (
       select k.id, k.record from unnest($3::text[]) as v(email)
         cross join lateral (select id, record from ingest_match_keys
                              where org_id = $1 and email = v.email and sobject = 'Contact' offset 0) k
     ), lead_ids as (
       select k.id from unnest($2::text[]) as v(x)
         cross join lateral (select id from ingest_match_keys where org_id = $1 and ext_id = v.x offset 0) k
       union select k.id from unnest($3::text[]) as v(email)
         cross join lateral (select id from ingest_match_keys where org_id = $1 and email = v.email offset 0) k
       union select k.id from unnest($4::text[]) as v(key)
         cross join lateral (select id from ingest_match_keys where org_id = $1 and name_key_a = v.key offset 0) k
       union select k.id from unnest($4::text[]) as v(key)
         cross join lateral (select id from ingest_match_keys where org_id = $1 and name_key_b = v.key offset 0) k
       union select k.id from contacts c
         cross join lateral (select id from ingest_match_keys where org_id = $1 and name_key_a = 'cc:' || left(c.id, 15) offset 0) k
     )
     select k.id, k.sobject, k.record from lead_ids
       cross join lateral (select id, sobject, record from ingest_match_keys
                            where org_id = $1 and id = lead_ids.id and sobject = 'Lead' offset 0) k
     union all
     select id, 'Contact', record from contacts
     order by id`,
    [orgId, extIds, emails, nameKeys]
  );
  const out = { leads: [] as OrgLead[], contacts: [] as OrgContact[] };
  for (const r of rows) {
    const record = JSON.parse(r.record) as Record<string, unknown>;
    if (r.sobject === 'Lead') out.leads.push(record as OrgLead);
    else out.contacts.push(record as OrgContact);
  }
  return out;
}

/** What ingest wrote in this run and Salesforce accepted, so later batches match it without asking the org. */
export type AcceptedWrite =
  /** A Lead created or updated (upsert or update): the fields sent, with its Id. */
  | { kind: 'lead'; id: string; fields: Record<string, unknown> }
  /** A lead found converted when written to: its row belongs to the Contact from now on. */
  | { kind: 'converted'; id: string; contactId: string; accountId: string | null };

export async function rememberWrites(db: Queryable, orgId: string, writes: readonly AcceptedWrite[], now: Date): Promise<void> {
  if (writes.length === 0) return;
  // What the cache holds for these records, merged with what was written (later writes win), then stored back.
  const ids = [...new Set(writes.map((w) => w.id))];
  const existing = await db.query<{ id: string; record: string }>(
    'select id, record from ingest_match_keys where org_id = $1 and id = any($2::text[])',
    [orgId, ids]
  );
  const merged = new Map(existing.map((r) => [r.id, JSON.parse(r.record) as Record<string, unknown>]));
  for (const w of writes) {
    const current = merged.get(w.id) ?? { Id: w.id };
    merged.set(
      w.id,
      w.kind === 'lead'
        ? // Salesforce accepted a write to the lead, so it is not converted; LastModifiedDate as the org will
          // report it (within the write's second), which later rows compare against.
          { ...current, ...w.fields, Id: w.id, LastModifiedDate: now.toISOString(), IsConverted: false }
        : { ...current, IsConverted: true, ConvertedContactId: w.contactId, ConvertedAccountId: w.accountId }
    );
  }
  const records = [...merged.values()];
  await db.query(
    `insert into ingest_match_keys (org_id, sobject, id, ext_id, email, last_name, name_key_a, name_key_b, record)
     select $1, 'Lead', i, x, e, n, ka, kb, r
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) as t(i, x, e, n, ka, kb, r)
     on conflict (org_id, id) do update set ext_id = excluded.ext_id, email = excluded.email, last_name = excluded.last_name,
       name_key_a = excluded.name_key_a, name_key_b = excluded.name_key_b, record = excluded.record`,
    [
      orgId,
      records.map((r) => String(r.Id)),
      records.map((r) => lower(r.Source_External_Id__c)),
      records.map((r) => lower(r.Email)),
      records.map((r) => lower(r.LastName)),
      ...keyColumns(records.map((r) => lookupKeys('Lead', r))),
      records.map((r) => asciiJson(r))
    ]
  );
  const stats = plannerStatistics.get(orgId);
  if (stats) {
    stats.writtenSince += records.length;
    if (stats.writtenSince >= Math.max(10_000, stats.rowsAtAnalyze)) {
      stats.rowsAtAnalyze = await analyzeMatchKeys(db);
      stats.writtenSince = 0;
    }
  }
}
