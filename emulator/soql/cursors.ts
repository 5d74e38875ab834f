/**
 * Query cursors for queryMore, stored in SQL so a locator survives between HTTP requests (and restarts).
 * Two modes:
 *  - 'ids': with an ORDER BY, the ordered ids of the whole result are stored when the query runs, one id
 *    array per page (a snapshot of membership and order, like Salesforce's server-side cursor; arrays rather
 *    than one row per id because writing a million index entries took 2.5x longer);
 *  - 'keyset': without ORDER BY the result is in id order, so each page resumes after the last id returned
 *    (a mark per page), capped at the totalSize counted when the query ran. Rows deleted meanwhile are skipped.
 * Locators look like Salesforce's: `01g` + 15 chars, then `-<rows already returned>`. They expire after 15 minutes.
 */
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { invalidLocator } from './errors';

export const CURSOR_TTL_MS = 15 * 60 * 1000;

export const CURSOR_DDL = `
CREATE TABLE IF NOT EXISTS query_cursors (
  id text PRIMARY KEY,
  soql text NOT NULL,
  include_deleted boolean NOT NULL,
  batch_size int NOT NULL,
  total_size int NOT NULL,
  created_at timestamptz NOT NULL
);
ALTER TABLE query_cursors ADD COLUMN IF NOT EXISTS mode text NOT NULL DEFAULT 'ids';
CREATE TABLE IF NOT EXISTS query_cursor_marks (
  cursor_id text NOT NULL,
  pos int NOT NULL,
  last_id text NOT NULL,
  PRIMARY KEY (cursor_id, pos)
);
CREATE TABLE IF NOT EXISTS query_cursor_pages (
  cursor_id text NOT NULL,
  page int NOT NULL,
  ids text[] NOT NULL,
  PRIMARY KEY (cursor_id, page)
);`;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newCursorId(): string {
  const bytes = randomBytes(15);
  let id = '01g';
  for (const b of bytes) id += BASE62.charAt(b % 62);
  return id;
}

export type CursorMode = 'ids' | 'keyset';

export interface CursorRow {
  id: string;
  mode: CursorMode;
  soql: string;
  includeDeleted: boolean;
  batchSize: number;
  totalSize: number;
}

export function parseLocator(locator: string): { cursorId: string; position: number } {
  const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locator);
  if (!m) throw invalidLocator();
  return { cursorId: m[1] as string, position: Number(m[2]) };
}

export function locatorFor(cursorId: string, position: number): string {
  return `${cursorId}-${position}`;
}

export async function loadCursor(db: PGlite, cursorId: string, now: Date): Promise<CursorRow> {
  const res = await db.query<{
    id: string;
    mode: CursorMode;
    soql: string;
    include_deleted: boolean;
    batch_size: number;
    total_size: number;
    created_at: Date;
  }>(
    'SELECT id, mode, soql, include_deleted, batch_size, total_size, created_at FROM query_cursors WHERE id = $1',
    [cursorId]
  );
  const row = res.rows[0];
  if (!row || now.getTime() - new Date(row.created_at).getTime() > CURSOR_TTL_MS) throw invalidLocator();
  return {
    id: row.id,
    mode: row.mode,
    soql: row.soql,
    includeDeleted: row.include_deleted,
    batchSize: row.batch_size,
    totalSize: row.total_size
  };
}

/** Drops cursors older than the TTL (called whenever a new cursor is opened). */
export async function purgeExpiredCursors(db: PGlite, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - CURSOR_TTL_MS).toISOString();
  await db.query(
    'DELETE FROM query_cursor_pages WHERE cursor_id IN (SELECT id FROM query_cursors WHERE created_at < $1::timestamptz)',
    [cutoff]
  );
  await db.query(
    'DELETE FROM query_cursor_marks WHERE cursor_id IN (SELECT id FROM query_cursors WHERE created_at < $1::timestamptz)',
    [cutoff]
  );
  await db.query('DELETE FROM query_cursors WHERE created_at < $1::timestamptz', [cutoff]);
}

export async function saveMark(
  db: PGlite,
  cursorId: string,
  position: number,
  lastId: string
): Promise<void> {
  await db.query(
    'INSERT INTO query_cursor_marks (cursor_id, pos, last_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [cursorId, position, lastId]
  );
}

export async function loadMark(db: PGlite, cursorId: string, position: number): Promise<string> {
  const res = await db.query<{ last_id: string }>(
    'SELECT last_id FROM query_cursor_marks WHERE cursor_id = $1 AND pos = $2',
    [cursorId, position]
  );
  const row = res.rows[0];
  if (!row) throw invalidLocator();
  return row.last_id;
}
