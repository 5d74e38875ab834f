/**
 * The store and its migrations on PGlite (always) and PostgreSQL (when LEADFLOW_TEST_DATABASE_URL is set;
 * each run uses its own schema so parallel runs do not collide).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore, migrate, StoreError } from '../../src/store/store';
import { releaseLock, tryAcquireLock } from '../../src/store/locks';
import { allMigrations } from '../../src/store/migrations';
import type { Store } from '../../src/store/types';
import { createTestSchema, dropTestSchema } from '../helpers/postgres';

const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;

type Backend = { name: string; open: (extra?: Parameters<typeof openStore>[0]) => Promise<Store>; cleanup: () => Promise<void> };

const backends: Backend[] = [];
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-store-'));
  backends.push({
    name: 'pglite',
    open: (extra) => openStore({ dataDir: dir, ...extra }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true })
  });
}
if (pgUrl) {
  const schema = `lf_store_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let url: string | undefined;
  backends.push({
    name: 'postgres',
    open: async (extra) => {
      url ??= await createTestSchema(pgUrl, schema);
      return openStore({ databaseUrl: url, ...extra });
    },
    cleanup: () => dropTestSchema(pgUrl, schema)
  });
}

describe.each(backends)('store on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store?.close();
    await backend.cleanup();
  });

  it('should apply every migration once and record it', async () => {
    const rows = await store.query<{ id: string }>('select id from schema_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(allMigrations.map((m) => m.id)));
    // Re-running applies nothing.
    expect(await migrate(store, allMigrations)).toEqual([]);
  });

  it('should apply an extra migration and keep its data across reopen', async () => {
    const extra = { id: `test-001-${randomUUID()}`, sql: 'create table if not exists test_items (k text primary key, v integer not null)' };
    expect(await migrate(store, [extra])).toEqual([extra.id]);
    await store.query('insert into test_items (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v', ['a', 1]);
    await store.close();
    store = await backend.open({ migrations: [extra] });
    expect(await store.query('select k, v from test_items')).toEqual([{ k: 'a', v: 1 }]);
  });

  it('should roll back a failed transaction', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.query('insert into test_items (k, v) values ($1, $2)', ['b', 2]);
        throw new Error('boom');
      })
    ).rejects.toThrow('boom');
    expect(await store.query('select k from test_items where k = $1', ['b'])).toEqual([]);
  });

  it('should give a job lock to one owner until released or timed out', async () => {
    expect(await tryAcquireLock(store, 'job:qualify', 'a', 60)).toBe(true);
    expect(await tryAcquireLock(store, 'job:qualify', 'b', 60)).toBe(false);
    await releaseLock(store, 'job:qualify', 'b'); // not the owner: no effect
    expect(await tryAcquireLock(store, 'job:qualify', 'b', 60)).toBe(false);
    await releaseLock(store, 'job:qualify', 'a');
    expect(await tryAcquireLock(store, 'job:qualify', 'b', 60)).toBe(true);
    // An abandoned lock (older than the timeout) is taken over.
    await store.query(`update job_locks set acquired_at = now() - interval '2 hours' where name = 'job:qualify'`);
    expect(await tryAcquireLock(store, 'job:qualify', 'c', 60)).toBe(true);
  });

  it('should record runs with jsonb summaries', async () => {
    const [run] = await store.query<{ id: number }>('insert into runs (command) values ($1) returning id', ['test']);
    await store.query('update runs set status = $2, summary = $3 where id = $1', [run!.id, 'ok', JSON.stringify({ n: 3 })]);
    const [row] = await store.query<{ summary: unknown; status: string }>('select status, summary from runs where id = $1', [run!.id]);
    expect(row).toEqual({ status: 'ok', summary: { n: 3 } });
  });
});

describe('store errors', () => {
  it('should fail with StoreError when PostgreSQL cannot be reached', async () => {
    await expect(openStore({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toBeInstanceOf(StoreError);
  });
});

if (pgUrl) {
  describe('concurrent migration on postgres', () => {
    const schema = `lf_mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    afterAll(() => dropTestSchema(pgUrl, schema));
    it('should apply migrations exactly once when two instances start together', async () => {
      const url = await createTestSchema(pgUrl, schema);
      const [a, b] = await Promise.all([openStore({ databaseUrl: url }), openStore({ databaseUrl: url })]);
      const rows = await a.query<{ n: string }>('select count(*) as n from schema_migrations');
      expect(Number(rows[0]!.n)).toBe(allMigrations.length);
      await Promise.all([a.close(), b.close()]);
    });
  });
}
