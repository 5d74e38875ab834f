/**
 * PGlite runs one thing at a time: while a transaction is open, a plain db.query() waits for it. Code
 * that runs *inside* a transaction (composite allOrNone subrequests, a query during convertLead) and
 * uses the shared `db` would therefore wait for itself forever. This wrapper routes query/exec/transaction
 * to the transaction opened in the current async context, so every module can keep using ctx.db.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export interface TransactionAwareDb {
  /** Drop-in PGlite whose query/exec/sql/transaction use the transaction of the current async context. */
  db: PGlite;
  /** The transaction open in the current async context, if any. */
  current(): Transaction | undefined;
  /** Run fn with tx as the current transaction (to continue a transaction in another async chain). */
  runWith<T>(tx: Transaction, fn: () => T): T;
}

export function transactionAwareDb(db: PGlite): TransactionAwareDb {
  const current = new AsyncLocalStorage<Transaction>();

  const overrides = {
    query: (...args: Parameters<PGlite['query']>) => (current.getStore() ?? db).query(...args),
    exec: (...args: Parameters<PGlite['exec']>) => (current.getStore() ?? db).exec(...args),
    sql: (...args: Parameters<PGlite['sql']>) => (current.getStore() ?? db).sql(...args),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>): Promise<T> => {
      const open = current.getStore();
      // Nested: join the open transaction (Postgres has no nested BEGIN).
      if (open) return callback(open);
      return db.transaction((tx) => current.run(tx, () => callback(tx)));
    }
  };

  const proxy = new Proxy(db, {
    get(target, property) {
      if (typeof property === 'string' && Object.prototype.hasOwnProperty.call(overrides, property)) {
        return overrides[property as keyof typeof overrides];
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    }
  });

  return { db: proxy, current: () => current.getStore(), runWith: (tx, fn) => current.run(tx, fn) };
}
