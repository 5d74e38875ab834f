import type { Migration } from '../store/types';

export const conversionMigrations: Migration[] = [
  {
    id: 'conversion-001-ledger',
    sql: `
      create table if not exists conversion_ledger (
        lead_id text primary key,
        status text not null,
        account_id text,
        contact_id text,
        opportunity_id text,
        error_code text,
        error_message text,
        attempts integer not null default 0,
        updated_at timestamptz not null default now()
      );
      create table if not exists conversion_accounts (
        match_key text primary key,
        account_id text not null,
        created_at timestamptz not null default now()
      );`
  }
];
