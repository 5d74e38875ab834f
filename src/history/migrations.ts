import type { Migration } from '../store/types';

/** The history capability's store tables: a local copy of the org's funnel state and history. */
export const historyMigrations: Migration[] = [
  {
    id: 'history-001-mirror',
    sql: `
      create table if not exists hist_lead (
        id text primary key,
        created_date timestamptz not null,
        lead_source text,
        status text,
        funnel_stage text,
        owner_id text,
        is_converted boolean not null default false,
        converted_date date,
        converted_opportunity_id text,
        converted_contact_id text,
        sal_accept_by timestamptz,
        sal_accepted_date timestamptz,
        mql_date timestamptz,
        sql_date timestamptz,
        is_deleted boolean not null default false,
        master_record_id text,
        system_modstamp timestamptz not null
      );
      create index if not exists hist_lead_conv_opp on hist_lead (converted_opportunity_id);
      create table if not exists hist_opportunity (
        id text primary key,
        created_date timestamptz not null,
        stage_name text,
        amount numeric,
        close_date date,
        is_closed boolean not null default false,
        is_won boolean not null default false,
        lead_source text,
        mql_date timestamptz,
        sql_date timestamptz,
        won_date date,
        is_deleted boolean not null default false,
        system_modstamp timestamptz not null
      );
      create table if not exists hist_lead_change (
        id text primary key,
        lead_id text not null,
        field text not null,
        old_value text,
        new_value text,
        created_date timestamptz not null
      );
      create index if not exists hist_lead_change_lead on hist_lead_change (lead_id, created_date);
      create table if not exists hist_opportunity_change (
        id text primary key,
        opportunity_id text not null,
        stage_name text,
        amount numeric,
        close_date date,
        created_date timestamptz not null
      );
      create index if not exists hist_opp_change_opp on hist_opportunity_change (opportunity_id, created_date);
      create table if not exists hist_written (
        kind text not null,
        key text not null,
        hash text not null,
        written_at timestamptz not null default now(),
        primary key (kind, key)
      );`
  },
  {
    // Org facts for the funnel (stage order and flags, currency), see org-meta.ts.
    id: 'history-002-org-meta',
    sql: `
      create table if not exists hist_org_meta (
        key text primary key,
        value jsonb not null,
        updated_at timestamptz not null default now()
      );`
  },
  {
    // buildTimelines reads leads and lead-less deals a page at a time in (created_date, id) order (timeline.ts).
    id: 'history-003-timeline-order',
    sql: `
      create index if not exists hist_lead_timeline_order on hist_lead (created_date, id collate "C") where not is_deleted;
      create index if not exists hist_opportunity_timeline_order on hist_opportunity (created_date, id collate "C") where not is_deleted;`
  }
];
