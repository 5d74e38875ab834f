/**
 * The store backends a store-level test runs on: PGlite in memory always, and PostgreSQL (a schema of its own,
 * dropped by cleanup) when LEADFLOW_TEST_DATABASE_URL is set. Each open() of the PostgreSQL backend is a new
 * pool, which stands in for another process.
 */
import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { createTestSchema, dropTestSchema } from './postgres';

export interface StoreBackend {
  name: 'pglite' | 'postgres';
  open: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

/** `prefix`: a short name for the test's PostgreSQL schema (lower case, letters and underscores). */
export function storeBackends(prefix: string): StoreBackend[] {
  const backends: StoreBackend[] = [{ name: 'pglite', open: () => openStore({ dataDir: 'memory://' }), cleanup: async () => undefined }];
  const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;
  if (pgUrl) {
    const schema = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    let url: string | undefined;
    backends.push({
      name: 'postgres',
      open: async () => openStore({ databaseUrl: (url ??= await createTestSchema(pgUrl, schema)) }),
      cleanup: () => dropTestSchema(pgUrl, schema)
    });
  }
  return backends;
}

/**
 * Opens, for the enclosing describe block, the backend's store and a second handle standing in for another
 * process (a second pool on PostgreSQL; the same store on PGlite, which one process holds), passes both to
 * `use`, and closes them and cleans the backend up after the block.
 */
export function openStorePair(backend: StoreBackend, use: (store: Store, other: Store) => void): void {
  let store: Store | undefined;
  let other: Store | undefined;
  beforeAll(async () => {
    store = await backend.open();
    other = backend.name === 'postgres' ? await backend.open() : store;
    use(store, other);
  });
  afterAll(async () => {
    if (other && other !== store) await other.close();
    await store?.close();
    await backend.cleanup();
  });
}
