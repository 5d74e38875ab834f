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
  },
  {
    // The job locks a run held (e.g. {ingest:webform}): the next holder of any of them closes the row if the
    // run died, which the command alone cannot tell for ingest (one command, one lock per source).
    id: 'core-003-runs-job-locks',
    sql: `alter table runs add column if not exists job_locks text[];`
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
