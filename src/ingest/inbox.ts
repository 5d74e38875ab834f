/**
 * Idempotent writes to the webhook inbox (ingest_inbox). A submission is stored once per
 * (source, idempotency key): the unique index decides, so two requests racing on two serve instances
 * still produce one row, and the loser learns the id of the stored one.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/types';

export type StoreSubmissionResult =
  | { outcome: 'stored'; id: string }
  | { outcome: 'duplicate'; id: string }
  /** Same key, different body: the key was reused for another submission (IETF Idempotency-Key draft: 422). */
  | { outcome: 'key-reused'; id: string };

export interface SubmissionToStore {
  source: string;
  idempotencyKey: string;
  /** The raw body bytes as received (hashed to tell a replay from a reused key). */
  rawBody: Buffer;
  /** The payload as it will be stored (jsonb text). */
  payloadJson: string;
  remoteIp: string | null;
}

export const sha256Hex = (...parts: (Buffer | string)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

export async function storeSubmissionOnce(
  db: Queryable,
  s: SubmissionToStore
): Promise<StoreSubmissionResult> {
  const bodyHash = sha256Hex(s.rawBody);
  const inserted = await db.query<{ id: string }>(
    `insert into ingest_inbox (id, source, remote_ip, payload, idempotency_key, body_sha256)
     values ($1, $2, $3, $4::jsonb, $5, $6)
     on conflict (source, idempotency_key) do nothing
     returning id`,
    [randomUUID(), s.source, s.remoteIp, s.payloadJson, s.idempotencyKey, bodyHash]
  );
  if (inserted.length > 0) return { outcome: 'stored', id: inserted[0]!.id };
  const [existing] = await db.query<{ id: string; body_sha256: string | null }>(
    'select id, body_sha256 from ingest_inbox where source = $1 and idempotency_key = $2',
    [s.source, s.idempotencyKey]
  );
  if (!existing) throw new Error('ingest_inbox: conflicting row vanished while reading it');
  return existing.body_sha256 === bodyHash
    ? { outcome: 'duplicate', id: existing.id }
    : { outcome: 'key-reused', id: existing.id };
}
