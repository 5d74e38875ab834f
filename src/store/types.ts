/**
 * The service's own database: PGlite under .leadflow/ by default, PostgreSQL when DATABASE_URL is set.
 * Same SQL and migrations for both (write portable PostgreSQL; use $1..$n parameters).
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run one or more statements without parameters (DDL, multi-statement scripts). */
  exec(sql: string): Promise<void>;
}

export interface Store extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Run fn in a transaction; fn receives a Queryable bound to that transaction. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Run fn on one connection kept for its whole duration (session state such as PostgreSQL advisory locks
   * lives there). Statements run outside a transaction.
   */
  session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A migration owned by one capability. Ids are unique and stable, e.g. 'ingest-001-ledger'. */
export interface Migration {
  id: string;
  sql: string;
}
