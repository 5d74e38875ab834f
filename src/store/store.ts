import fs from 'node:fs';
import path from 'node:path';
import type { Migration, Queryable, Store } from './types';
import { allMigrations } from './migrations';
import { ErrorCode, LeadflowError } from '../shared/errors';
import { acquireDataDirLock, lockPathFor, type DataDirHolder, type DataDirLock } from './data-dir-lock';
import { createPglite } from './pglite-template';
import { startWireServer, type WireAddress, type WireServer } from './wire-server';

export interface OpenStoreOptions {
  /** postgres:// URL; when set, a real PostgreSQL server is used. */
  databaseUrl?: string;
  /** PGlite data directory (default .leadflow/store). Use 'memory://' for an in-memory store. */
  dataDir?: string;
  /** Extra migrations (tests). */
  migrations?: Migration[];
  /** How long to wait for the process holding the PGlite data dir to accept a connection (default 60 s: a holder creating a new store runs initdb first). */
  holderWaitMs?: number;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A PGlite data directory is held by another live process that does not (yet) serve it: the caller must
 * not open the directory a second time. Exit code 5 (docs/cli.md).
 */
export class StoreBusyError extends LeadflowError {
  constructor(
    message: string,
    public readonly holder: DataDirHolder | null
  ) {
    super(ErrorCode.Locked, message);
    this.name = 'StoreBusyError';
  }
}

/** Opens the store and applies pending migrations. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const dataDir = options.dataDir ?? path.join('.leadflow', 'store');
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : dataDir.startsWith('memory://')
      ? await openPgliteInProcess(dataDir)
      : await openSharedPglite(dataDir, options.holderWaitMs ?? 60_000);
  try {
    await migrate(store, [...allMigrations, ...(options.migrations ?? [])]);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The data directory is opened by exactly one process (the holder, see data-dir-lock.ts), which serves it
 * over the wire protocol; every other process, and the holder itself, is a client of that server. A process
 * that finds a live holder connects to it; one that cannot within holderWaitMs (the holder is starting,
 * or finishing) gets StoreBusyError naming the holder.
 */
async function openSharedPglite(dataDir: string, holderWaitMs: number): Promise<Store> {
  const deadline = Date.now() + holderWaitMs;
  for (;;) {
    const hosted = hostedHere.get(lockPathFor(dataDir));
    if (hosted) return hosted.open();
    const attempt = await acquireDataDirLock(dataDir);
    if (attempt.acquired) return hostPglite(dataDir, attempt.lock);
    if (attempt.holder?.socket) {
      try {
        return await connectPool(poolConfigFor(attempt.holder.socket), 'pglite', () => Promise.resolve());
      } catch {
        // The holder is closing (it stopped accepting) or has just died: try again.
      }
    }
    if (Date.now() >= deadline) throw new StoreBusyError(busyMessage(dataDir, attempt.holder, attempt.lockPath), attempt.holder);
    await sleep(200);
  }
}

function busyMessage(dataDir: string, holder: DataDirHolder | null, lockPath: string): string {
  const who = holder
    ? `process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.startedAt})`
    : `another process (no holder.json in ${lockPath})`;
  return (
    `The store ${dataDir} is in use by ${who}, which does not accept connections. ` +
    `Wait for it to finish, or stop it; if no such process runs, remove ${lockPath}. ` +
    `To run several processes at once, keep \`leadflow serve\` running (later commands use its store) or set DATABASE_URL.`
  );
}

/**
 * Data dirs this process holds. A second openStore of the same dir in this process (serve's job runtimes,
 * tests) shares the server; the dir is released when the last of them closes, so closing the first never
 * waits on a later one of the same process.
 */
const hostedHere = new Map<string, { open(): Promise<Store> }>();

async function hostPglite(dataDir: string, lock: DataDirLock): Promise<Store> {
  let db: import('@electric-sql/pglite').PGlite;
  let server: WireServer;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    db = await createPglite(dataDir);
  } catch (err) {
    await lock.release();
    throw new StoreError(`Cannot open the store at ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // A unix socket inside the private lock directory; loopback TCP when the path is too long for one.
    const socketPath = path.join(lock.lockPath, '.s.PGSQL.5432');
    server = await startWireServer(db, Buffer.byteLength(socketPath) < 100 ? { path: socketPath } : { host: '127.0.0.1', port: 0 });
    lock.publish(server.address);
  } catch (err) {
    await db.close().catch(() => undefined);
    await lock.release();
    throw new StoreError(`Cannot serve the store at ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  let refs = 0;
  const releaseAll = async () => {
    hostedHere.delete(lock.lockPath);
    await server.stopAccepting();
    // Other processes connected to this one keep using the store: the database must outlive their runs.
    // (A closed pool's sockets take a moment to be seen as closed here: say so only when it lasts.)
    for (let waited = 0; server.connections() > 0; waited += 100) {
      if (waited === 1_000) {
        process.stderr.write(`leadflow: waiting for ${server.connections()} connection(s) of other leadflow processes to close before releasing the store\n`);
      }
      await sleep(100);
    }
    await server.close();
    await db.close().catch(() => undefined);
    await lock.release();
  };
  const open = async () => {
    refs++;
    try {
      return await connectPool(poolConfigFor(server.address), 'pglite', async () => {
        if (--refs === 0) await releaseAll();
      });
    } catch (err) {
      if (--refs === 0) await releaseAll();
      throw new StoreError(`Cannot connect to the store served at ${JSON.stringify(server.address)}: ${(err as Error).message}`, { cause: err });
    }
  };
  hostedHere.set(lock.lockPath, { open });
  return open();
}

function poolConfigFor(address: WireAddress): import('pg').PoolConfig {
  // pg connects to <host>/.s.PGSQL.<port> when host is a directory.
  const target = 'path' in address ? { host: path.dirname(address.path), port: 5432 } : { host: address.host, port: address.port };
  return { ...target, user: 'postgres', database: 'postgres', max: 5, connectionTimeoutMillis: 5_000 };
}

/** A PGlite used by this process only: in-memory stores (tests, dry runs). */
async function openPgliteInProcess(dataDir: string): Promise<Store> {
  const db = await createPglite(dataDir);
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
    session: (fn) => fn(base),
    close: () => db.close()
  };
}
type PGliteQuery = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;

async function openPostgres(databaseUrl: string): Promise<Store> {
  try {
    return await connectPool({ connectionString: databaseUrl, max: 5 }, 'postgres', () => Promise.resolve());
  } catch (err) {
    throw new StoreError(`Cannot connect to DATABASE_URL: ${(err as Error).message}`, { cause: err });
  }
}

/** A Store over a pg Pool (PostgreSQL, or a PGlite served by its holder); afterEnd runs once the pool has ended. */
async function connectPool(config: import('pg').PoolConfig, kind: Store['kind'], afterEnd: () => Promise<void>): Promise<Store> {
  const pg = await import('pg');
  const Pool = pg.default?.Pool ?? (pg as unknown as typeof import('pg')).Pool;
  const pool = new Pool(config);
  // An idle client losing its connection (the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
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
    kind,
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
    async session(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query<T>(sql: string, params: unknown[] = []) {
            return (await client.query(sql, params)).rows as T[];
          },
          async exec(sql: string) {
            await client.query(sql);
          }
        });
      } finally {
        client.release();
      }
    },
    close: async () => {
      await pool.end().catch(() => undefined);
      await afterEnd();
    }
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
