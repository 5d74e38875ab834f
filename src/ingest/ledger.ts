/**
 * Store access for ingest: the idempotency ledger, engagement events, the webhook inbox and routing
 * state. Multi-row writes go through unnest() of array parameters: one statement per batch.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/types';
import type { RoutingState } from './routing';
import type { NormalisedLead } from './validate';

export type LedgerAction = 'created' | 'updated' | 'unchanged' | 'merged' | 'attached' | 'skipped';

export interface LedgerEntry {
  source: string;
  sourceRecordId: string;
  externalId: string;
  rowHash: string;
  action: LedgerAction;
  sfObject: 'Lead' | 'Contact' | null;
  sfId: string | null;
}

/** What the ledger holds for one source record (lookupLedger). */
export interface LedgerRecord {
  rowHash: string;
  action: LedgerAction;
  sfObject: string | null;
  sfId: string | null;
}

export async function lookupLedger(db: Queryable, source: string, sourceRecordIds: string[]): Promise<Map<string, LedgerRecord>> {
  const out = new Map<string, LedgerRecord>();
  if (sourceRecordIds.length === 0) return out;
  const rows = await db.query<{ source_record_id: string; row_hash: string; action: LedgerAction; sf_object: string | null; sf_id: string | null }>(
    'select source_record_id, row_hash, action, sf_object, sf_id from ingest_ledger where source = $1 and source_record_id = any($2::text[])',
    [source, sourceRecordIds]
  );
  for (const r of rows) out.set(r.source_record_id, { rowHash: r.row_hash, action: r.action, sfObject: r.sf_object, sfId: r.sf_id });
  return out;
}

export async function recordLedger(db: Queryable, entries: LedgerEntry[], runId: number | null): Promise<void> {
  if (entries.length === 0) return;
  // Later entries for the same key win (a merged row and its survivor can share a record id).
  const byKey = new Map<string, LedgerEntry>();
  for (const e of entries) byKey.set(`${e.source}\u0000${e.sourceRecordId}`, e);
  const list = [...byKey.values()];
  await db.query(
    `insert into ingest_ledger (source, source_record_id, external_id, row_hash, action, sf_object, sf_id, run_id, updated_at)
     select s, r, x, h, a, o, i, $8::bigint, now()
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as t(s, r, x, h, a, o, i)
     on conflict (source, source_record_id) do update set
       external_id = excluded.external_id, row_hash = excluded.row_hash, action = excluded.action,
       sf_object = excluded.sf_object, sf_id = excluded.sf_id, run_id = excluded.run_id, updated_at = now()`,
    [
      list.map((e) => e.source),
      list.map((e) => e.sourceRecordId),
      list.map((e) => e.externalId),
      list.map((e) => e.rowHash),
      list.map((e) => e.action),
      list.map((e) => e.sfObject),
      list.map((e) => e.sfId),
      runId
    ]
  );
}

export interface EngagementEventRow {
  id: number;
  source: string;
  leadKey: string;
  leadId: string | null;
  contactId: string | null;
  eventType: string;
  occurredAt: Date | null;
  count: number;
  properties: Record<string, unknown>;
  ingestedAt: Date;
}

/** Stores the events of written leads; re-sending the same event is a no-op (event_key is unique). */
export async function insertEngagementEvents(
  db: Queryable,
  items: { lead: NormalisedLead; leadId: string | null; contactId: string | null }[]
): Promise<number> {
  const rows: { key: string; source: string; leadKey: string; leadId: string | null; contactId: string | null; type: string; at: string | null; count: number; props: string }[] = [];
  for (const { lead, leadId, contactId } of items) {
    for (const e of lead.events) {
      const props = JSON.stringify(e.properties);
      const leadKey = lead.fields.Source_External_Id__c;
      const key = createHash('sha256').update([lead.source, leadKey, e.type, e.occurredAt ?? '', e.count, props].join('\u0000')).digest('hex');
      const at = e.occurredAt && !Number.isNaN(new Date(e.occurredAt).getTime()) ? new Date(e.occurredAt).toISOString() : null;
      rows.push({ key, source: lead.source, leadKey, leadId, contactId, type: e.type, at, count: e.count, props });
    }
  }
  if (rows.length === 0) return 0;
  const inserted = await db.query<{ id: number }>(
    `insert into engagement_events (event_key, source, lead_key, lead_id, contact_id, event_type, occurred_at, event_count, properties)
     select k, s, lk, li, ci, t, at, c, p::jsonb
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::int[], $9::text[])
         as u(k, s, lk, li, ci, t, at, c, p)
     on conflict (event_key) do nothing
     returning id`,
    [
      rows.map((r) => r.key),
      rows.map((r) => r.source),
      rows.map((r) => r.leadKey),
      rows.map((r) => r.leadId),
      rows.map((r) => r.contactId),
      rows.map((r) => r.type),
      rows.map((r) => r.at),
      rows.map((r) => r.count),
      rows.map((r) => r.props)
    ]
  );
  return inserted.length;
}

/**
 * Engagement events for leads, for the qualification engine. `leadKeys` may mix Source_External_Id__c
 * values, Lead Ids and Contact Ids (15 or 18 characters are both matched by their 15-char prefix).
 * Ordered by lead, then occurrence time.
 */
export async function listEngagementEvents(db: Queryable, leadKeys: readonly string[]): Promise<EngagementEventRow[]> {
  if (leadKeys.length === 0) return [];
  const keys = [...new Set(leadKeys)];
  const ids15 = keys.filter((k) => /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(k)).map((k) => k.slice(0, 15));
  const rows = await db.query<{
    id: string | number;
    source: string;
    lead_key: string;
    lead_id: string | null;
    contact_id: string | null;
    event_type: string;
    occurred_at: Date | string | null;
    event_count: number;
    properties: Record<string, unknown> | string;
    ingested_at: Date | string;
  }>(
    `select id, source, lead_key, lead_id, contact_id, event_type, occurred_at, event_count, properties, ingested_at
       from engagement_events
      where lead_key = any($1::text[]) or left(lead_id, 15) = any($2::text[]) or left(contact_id, 15) = any($2::text[])
      order by lead_key, occurred_at nulls last, id`,
    [keys, ids15]
  );
  return rows.map((r) => ({
    id: Number(r.id),
    source: r.source,
    leadKey: r.lead_key,
    leadId: r.lead_id,
    contactId: r.contact_id,
    eventType: r.event_type,
    occurredAt: r.occurred_at === null ? null : new Date(r.occurred_at),
    count: Number(r.event_count),
    properties: typeof r.properties === 'string' ? (JSON.parse(r.properties) as Record<string, unknown>) : r.properties,
    ingestedAt: new Date(r.ingested_at)
  }));
}

// ---- webhook inbox ----

export async function enqueueSubmission(db: Queryable, source: string, payload: unknown, remoteIp: string | null): Promise<string> {
  const id = randomUUID();
  await db.query('insert into ingest_inbox (id, source, remote_ip, payload) values ($1, $2, $3, $4::jsonb)', [
    id,
    source,
    remoteIp,
    JSON.stringify(payload)
  ]);
  return id;
}

export interface InboxItem {
  seq: number;
  id: string;
  payload: Record<string, unknown>;
  /** When the webhook stored it (just before its 202), by the store's clock. */
  receivedAt: Date;
}

export async function pendingSubmissions(db: Queryable, source: string, afterSeq: number, limit: number): Promise<InboxItem[]> {
  const rows = await db.query<{ seq: string | number; id: string; payload: unknown; received_at: Date | string }>(
    `select seq, id, payload, received_at from ingest_inbox where source = $1 and status = 'pending' and seq > $2 order by seq limit $3`,
    [source, afterSeq, limit]
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    receivedAt: new Date(r.received_at)
  }));
}

export async function markSubmissionsProcessed(db: Queryable, seqs: number[], runId: number | null): Promise<void> {
  if (seqs.length === 0) return;
  await db.query(`update ingest_inbox set status = 'processed', processed_at = now(), run_id = $2 where seq = any($1::bigint[])`, [seqs, runId]);
}

// ---- routing state ----

export async function loadRoutingState(db: Queryable, day: string): Promise<RoutingState> {
  const cursors = await db.query<{ team: string; next_index: number }>('select team, next_index from ingest_routing_state');
  const daily = await db.query<{ user_id: string; assigned: number }>('select user_id, assigned from ingest_routing_daily where day = $1::date', [day]);
  return {
    cursors: Object.fromEntries(cursors.map((c) => [c.team, Number(c.next_index)])),
    assignedToday: Object.fromEntries(daily.map((d) => [d.user_id, Number(d.assigned)]))
  };
}

export async function saveRoutingState(db: Queryable, day: string, state: RoutingState): Promise<void> {
  const teams = Object.entries(state.cursors);
  if (teams.length > 0) {
    await db.query(
      `insert into ingest_routing_state (team, next_index) select * from unnest($1::text[], $2::int[])
       on conflict (team) do update set next_index = excluded.next_index`,
      [teams.map((t) => t[0]), teams.map((t) => t[1])]
    );
  }
  const users = Object.entries(state.assignedToday);
  if (users.length > 0) {
    await db.query(
      `insert into ingest_routing_daily (day, user_id, assigned) select $1::date, u, n from unnest($2::text[], $3::int[]) as t(u, n)
       on conflict (day, user_id) do update set assigned = excluded.assigned`,
      [day, users.map((u) => u[0]), users.map((u) => u[1])]
    );
  }
}
