import type { Migration } from '../store/types';

/**
 * Store tables of `leadflow qualify` (docs/qualification.md):
 * - qualify_runs: one row per sweep with its window (since/until) and the checkpoint `done_through_id`
 *   (leads are processed in Id order; everything up to that Id is written). A run left 'running' by a
 *   crash is resumed by the next sweep.
 * - qualify_batches: one row per write batch (progress and audit).
 * - qualify_failures: leads whose write failed (validation rule, lock...); the next sweep retries them even
 *   when nothing on them changed, and a successful write removes them.
 * The watermark itself lives in the core `watermarks` table under the name 'qualify.leads'.
 */
export const qualificationMigrations: Migration[] = [
  {
    id: 'qualification-001-runs-batches',
    sql: `
      create table if not exists qualify_runs (
        id bigserial primary key,
        status text not null default 'running',
        mode text not null,
        since timestamptz,
        until_ts timestamptz not null,
        done_through_id text,
        batches_done integer not null default 0,
        written integer not null default 0,
        failed integer not null default 0,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        summary jsonb
      );
      create index if not exists qualify_runs_status on qualify_runs (status);
      create table if not exists qualify_batches (
        run_id bigint not null references qualify_runs (id),
        batch_no integer not null,
        api text not null,
        first_id text not null,
        last_id text not null,
        records integer not null,
        written integer not null,
        failed integer not null,
        finished_at timestamptz not null default now(),
        primary key (run_id, batch_no)
      );`
  },
  {
    id: 'qualification-002-failures',
    sql: `
      create table if not exists qualify_failures (
        lead_id text primary key,
        status_code text not null,
        message text not null,
        run_id bigint,
        failed_at timestamptz not null default now()
      );`
  }
];
