import type { Migration } from './types';
import { historyMigrations } from '../history/migrations';
import { conversionMigrations } from '../conversion/migrations';
import { ingestMigrations } from '../ingest/migrations';
import { qualificationMigrations } from '../qualification/migrations';

/**
 * Every capability's migrations, in apply order. Each capability keeps its SQL in its own module
 * (e.g. src/ingest/migrations.ts) and appends it here; ids are never renamed once landed.
 */
export const coreMigrations: Migration[] = [
  {
    id: 'core-001-watermarks-runs',
    sql: `
      create table if not exists watermarks (
        name text primary key,
        value text not null,
        updated_at timestamptz not null default now()
      );
      create table if not exists runs (
        id bigserial primary key,
        command text not null,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        status text not null default 'running',
        api_calls integer not null default 0,
        summary jsonb
      );`
  },
  {
    id: 'core-002-job-locks',
    sql: `
      create table if not exists job_locks (
        name text primary key,
        owner text not null,
        acquired_at timestamptz not null default now()
      );`
  }
];

export const allMigrations: Migration[] = [
  ...coreMigrations,
  // capability migrations (one line each)
  ...historyMigrations,
  ...ingestMigrations,
  ...qualificationMigrations,
  ...conversionMigrations
];
