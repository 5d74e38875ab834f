export type { Store, Queryable, Migration } from './types';
export { openStore, migrate, StoreError, type OpenStoreOptions } from './store';
export { tryAcquireLock, releaseLock } from './locks';
export { allMigrations, coreMigrations } from './migrations';
