/**
 * Campaign memberships wait in the store (table ingest_campaign_member_queue) until the end of the run, and are
 * then written together: one Bulk API 2.0 job per CAMPAIGN_QUEUE_CLAIM_ROWS memberships instead of one job per
 * batch. A Bulk job costs about four calls however many rows it carries, so a 100,000-row file with 10,000-row
 * batches pays for one membership job, not ten.
 *
 * Nothing is lost on the way: a batch queues its memberships in the same store transaction as its ledger rows, so
 * a row the ledger calls written always has its membership queued. A run killed before it drained leaves the
 * queue for the next run of the same source. Two processes draining the same queue (two cron hosts on one
 * PostgreSQL store) each claim different rows (`for update skip locked`), and a claim whose process died expires
 * after CAMPAIGN_QUEUE_LEASE_MS, so another run takes the rows over.
 */
import type { Queryable, Store } from '../store/types';

/** Memberships written per Bulk job when the queue is drained (about 80 bytes of CSV each: 8 MB a job). */
export const CAMPAIGN_QUEUE_CLAIM_ROWS = 100_000;
/** How long a run's claim on queued rows holds before another run may take them (a run that died). */
export const CAMPAIGN_QUEUE_LEASE_MS = 30 * 60_000;

export interface QueuedMembership {
  /** Campaign name, as the row gave it (resolved to an Id when the queue is drained). */
  campaign: string;
  object: 'Lead' | 'Contact';
  id: string;
  /** The Lead was created by this run's write, so it cannot be a member yet (no lookup needed). */
  fresh: boolean;
}

export interface ClaimedMembership extends QueuedMembership {
  queueId: number;
}

/** Queues memberships in the caller's transaction. A membership already queued (same campaign and record) is kept once. */
export async function queueMemberships(tx: Queryable, source: string, runId: number | null, items: readonly QueuedMembership[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `insert into ingest_campaign_member_queue (source, campaign, sf_object, sf_id, fresh, run_id)
     select $1, c, o, i, f, $6::bigint from unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) as t(c, o, i, f)
     on conflict (source, campaign, sf_id) do update set fresh = ingest_campaign_member_queue.fresh and excluded.fresh`,
    [source, items.map((m) => m.campaign), items.map((m) => m.object), items.map((m) => m.id), items.map((m) => m.fresh), runId]
  );
}

/** Claims up to `limit` queued memberships of the source that no live run holds, oldest first. */
export async function claimMemberships(store: Store, source: string, limit = CAMPAIGN_QUEUE_CLAIM_ROWS): Promise<ClaimedMembership[]> {
  return store.transaction(async (tx) => {
    const rows = await tx.query<{ id: string | number; campaign: string; sf_object: 'Lead' | 'Contact'; sf_id: string; fresh: boolean }>(
      `update ingest_campaign_member_queue set claimed_until = now() + ($3::bigint * interval '1 millisecond')
        where id in (
          select id from ingest_campaign_member_queue
           where source = $1 and (claimed_until is null or claimed_until < now())
           order by id limit $2 for update skip locked)
        returning id, campaign, sf_object, sf_id, fresh`,
      [source, limit, CAMPAIGN_QUEUE_LEASE_MS]
    );
    return rows
      .map((r) => ({ queueId: Number(r.id), campaign: r.campaign, object: r.sf_object, id: r.sf_id, fresh: r.fresh }))
      .sort((a, b) => a.queueId - b.queueId);
  });
}

/** Removes written (or permanently refused) memberships from the queue. */
export async function removeMemberships(db: Queryable, queueIds: readonly number[]): Promise<void> {
  if (queueIds.length === 0) return;
  await db.query('delete from ingest_campaign_member_queue where id = any($1::bigint[])', [queueIds]);
}

/** Gives claimed memberships back (the write failed as a whole): the next drain, this run's or a later one's, retries them. */
export async function releaseMemberships(db: Queryable, queueIds: readonly number[]): Promise<void> {
  if (queueIds.length === 0) return;
  await db.query('update ingest_campaign_member_queue set claimed_until = null where id = any($1::bigint[])', [queueIds]);
}
