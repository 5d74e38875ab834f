import fs from 'node:fs';
import path from 'node:path';
import type { Migration, Queryable, Store } from './types';
import { allMigrations } from './migrations';

export interface OpenStoreOptions {
  /** postgres:// URL; when set, a real PostgreSQL server is used. */
  databaseUrl?: string;
  /** PGlite data directory (default .leadflow/store). Use 'memory://' for an in-memory store. */
  dataDir?: string;
  /** Extra migrations (tests). */
  migrations?: Migration[];
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Opens the store and applies pending migrations. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.dataDir ?? path.join('.leadflow', 'store'));
  await migrate(store, [...allMigrations, ...(options.migrations ?? [])]);
  return store;
}

async function openPglite(dataDir: string): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const wrap = (q: { query: PGliteQuery; exec: (sql: string) => Promise<unknown> }): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await q.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await q.exec(sql);
    }
  });
  const base = wrap(db as unknown as { query: PGliteQuery; exec: (sql: string) => Promise<unknown> });
  return {
    kind: 'pglite',
    ...base,
    transaction: (fn) =>
      db.transaction((tx) => fn(wrap(tx as unknown as { query: PGliteQuery; exec: (sql: string) => Promise<unknown> }))),
    close: () => db.close()
  };
}
type PGliteQuery = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

async function openPostgres(databaseUrl: string): Promise<Store> {
  const pg = await import('pg');
  const Pool = pg.default?.Pool ?? (pg as unknown as typeof import('pg')).Pool;
  const pool = new Pool({ connectionString: databaseUrl, max: 5 });
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`Cannot connect to DATABASE_URL: ${(err as Error).message}`, { cause: err });
  }
  const base: Queryable = {
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await pool.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    }
  };
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const tx: Queryable = {
          async query<T>(sql: string, params: unknown[] = []) {
            return (await client.query(sql, params)).rows as T[];
          },
          async exec(sql: string) {
            await client.query(sql);
          }
        };
        const result = await fn(tx);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end()
  };
}

/** Applies migrations not yet recorded, in order, each in its own transaction. Safe with concurrent instances. */
export async function migrate(store: Store, migrations: Migration[]): Promise<string[]> {
  // `create table if not exists` is not atomic in PostgreSQL (two sessions can both try to create the row
  // type and one fails with pg_type_typname_nsp_index), so instances take the advisory lock for it too.
  await store.transaction(async (tx) => {
    if (store.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7261001)');
    await tx.exec(
      `create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null default now())`
    );
  });
  const applied: string[] = [];
  for (const m of migrations) {
    await store.transaction(async (tx) => {
      // An advisory lock serialises instances migrating the same PostgreSQL database at once.
      if (store.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7261001)');
      const done = await tx.query('select 1 from schema_migrations where id = $1', [m.id]);
      if (done.length > 0) return;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id) values ($1)', [m.id]);
      applied.push(m.id);
    });
  }
  return applied;
}
