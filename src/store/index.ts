export type { Store, Queryable, Migration } from './types';
export { openStore, migrate, StoreError, StoreBusyError, type OpenStoreOptions } from './store';
export { tryAcquireLock, releaseLock, withJobLock, JobLockedError, jobLabel, type JobHolder, type JobLockOptions } from './locks';
export { allMigrations, coreMigrations } from './migrations';
