/**
 * Named job locks in the store (table job_locks, migration core-002). Used by the in-process scheduler so a
 * run never overlaps itself; a lock older than its timeout is considered abandoned (crashed process) and taken over.
 */
import type { Queryable } from './types';

export async function tryAcquireLock(db: Queryable, name: string, owner: string, timeoutMinutes: number): Promise<boolean> {
  const rows = await db.query(
    `insert into job_locks (name, owner, acquired_at) values ($1, $2, now())
     on conflict (name) do update set owner = excluded.owner, acquired_at = excluded.acquired_at
       where job_locks.acquired_at < now() - make_interval(mins => $3::int)
     returning owner`,
    [name, owner, timeoutMinutes]
  );
  return rows.length === 1;
}

export async function releaseLock(db: Queryable, name: string, owner: string): Promise<void> {
  await db.query('delete from job_locks where name = $1 and owner = $2', [name, owner]);
}
