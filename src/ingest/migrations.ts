import type { Migration } from '../store/types';

/**
 * The ingest capability's store tables (documented in docs/ingest.md):
 * - ingest_ledger: one row per source record (source + source record id) with the hash of what was
 *   written and the outcome, so a rerun writes nothing for unchanged rows and a killed run resumes.
 * - engagement_events: page views, form fills, email opens... that arrived with a lead, keyed by the
 *   lead's Source_External_Id__c (lead_key) and, once known, the Salesforce Lead or Contact id.
 * - ingest_inbox: web-form submissions accepted by `POST /sources/:name/leads`, durable before the 202,
 *   unique per (source, idempotency_key) so a replayed submission is stored once.
 * - ingest_routing_state / ingest_routing_daily: round-robin cursors and per-user daily assignment counts.
 * - ingest_match_keys / ingest_match_state: the org's Leads and Contacts as matching needs them, refreshed by
 *   SystemModstamp watermark (match-cache.ts), so matching does not query the org per batch.
 * - ingest_campaign_member_queue: campaign memberships waiting for the end of the run (campaign-queue.ts).
 */
export const ingestMigrations: Migration[] = [
  {
    id: 'ingest-001-ledger-events-inbox-routing',
    sql: `
      create table if not exists ingest_ledger (
        source text not null,
        source_record_id text not null,
        external_id text not null,
        row_hash text not null,
        action text not null,
        sf_object text,
        sf_id text,
        run_id bigint,
        updated_at timestamptz not null default now(),
        primary key (source, source_record_id)
      );
      create table if not exists engagement_events (
        id bigserial primary key,
        event_key text not null unique,
        source text not null,
        lead_key text not null,
        lead_id text,
        contact_id text,
        event_type text not null,
        occurred_at timestamptz,
        event_count integer not null default 1,
        properties jsonb not null default '{}'::jsonb,
        ingested_at timestamptz not null default now()
      );
      create index if not exists engagement_events_lead_key on engagement_events (lead_key);
      create index if not exists engagement_events_lead_id on engagement_events (lead_id);
      create index if not exists engagement_events_contact_id on engagement_events (contact_id);
      create table if not exists ingest_inbox (
        seq bigserial primary key,
        id text not null unique,
        source text not null,
        received_at timestamptz not null default now(),
        remote_ip text,
        payload jsonb not null,
        status text not null default 'pending',
        processed_at timestamptz,
        run_id bigint
      );
      create index if not exists ingest_inbox_pending on ingest_inbox (source, status, seq);
      create table if not exists ingest_routing_state (
        team text primary key,
        next_index integer not null default 0
      );
      create table if not exists ingest_routing_daily (
        day date not null,
        user_id text not null,
        assigned integer not null default 0,
        primary key (day, user_id)
      );`
  },
  {
    // Webhook replays: each submission carries an idempotency key (Idempotency-Key header, a body id field,
    // or sha256 of source + body); the unique index makes a replay impossible to store twice, even when two
    // serve instances receive it at the same moment. Rows from before this migration keep a null key.
    id: 'ingest-002-inbox-idempotency-key',
    sql: `
      alter table ingest_inbox add column if not exists idempotency_key text;
      alter table ingest_inbox add column if not exists body_sha256 text;
      create unique index if not exists ingest_inbox_idempotency on ingest_inbox (source, idempotency_key);`
  },
  {
    // The org's match keys (src/ingest/match-cache.ts): Leads and Contacts by org id + Id, with lower-cased
    // external id, email and last name to look a batch up in one statement, and per-org SystemModstamp
    // watermarks for the incremental refresh at the start of each run.
    id: 'ingest-003-match-keys',
    sql: `
      create table if not exists ingest_match_keys (
        org_id text not null,
        sobject text not null,
        id text not null,
        ext_id text,
        email text,
        last_name text,
        record jsonb not null,
        primary key (org_id, id)
      );
      create index if not exists ingest_match_keys_ext_id on ingest_match_keys (org_id, ext_id) where ext_id is not null;
      create index if not exists ingest_match_keys_email on ingest_match_keys (org_id, email) where email is not null;
      create index if not exists ingest_match_keys_last_name on ingest_match_keys (org_id, last_name) where last_name is not null;
      create table if not exists ingest_match_state (
        org_id text primary key,
        instance_url text not null,
        lead_watermark timestamptz,
        contact_watermark timestamptz,
        refreshed_at timestamptz not null default now()
      );`
  },
  {
    // The cached record as the JSON text ingest wrote (JSON.stringify), not jsonb: a jsonb value read back
    // through the PostgreSQL wire protocol failed to parse for some lead texts ("Bad control character").
    id: 'ingest-004-match-keys-record-text',
    sql: `alter table ingest_match_keys alter column record type text using record::text;`
  },
  {
    // Campaign memberships queued by each batch (with its ledger rows) and written at the end of the run, in one
    // Bulk job rather than one per batch (src/ingest/campaign-queue.ts). claimed_until: a draining run's lease.
    id: 'ingest-005-campaign-member-queue',
    sql: `
      create table if not exists ingest_campaign_member_queue (
        id bigserial primary key,
        source text not null,
        campaign text not null,
        sf_object text not null,
        sf_id text not null,
        fresh boolean not null default false,
        run_id bigint,
        claimed_until timestamptz,
        queued_at timestamptz not null default now(),
        unique (source, campaign, sf_id)
      );`
  },
  {
    // Candidates by exact domainAndName key (dedupe.ts orgLeadNameKeys: a lead has at most two) or, for a
    // converted lead, 'cc:' + the Contact it became, instead of by last name, which fetched every lead sharing a
    // common last name for every batch. Rows cached before this migration have no keys, so the copy is dropped
    // and the next run reads the org in full once.
    id: 'ingest-006-match-keys-name-keys',
    sql: `
      alter table ingest_match_keys add column if not exists name_key_a text;
      alter table ingest_match_keys add column if not exists name_key_b text;
      create index if not exists ingest_match_keys_name_key_a on ingest_match_keys (org_id, name_key_a) where name_key_a is not null;
      create index if not exists ingest_match_keys_name_key_b on ingest_match_keys (org_id, name_key_b) where name_key_b is not null;
      delete from ingest_match_keys;
      delete from ingest_match_state;`
  }
];
