/**
 * The campaign-membership queue (src/ingest/campaign-queue.ts) on PGlite and, when LEADFLOW_TEST_DATABASE_URL
 * is set, on PostgreSQL with a second pool standing in for a second process: memberships queue atomically with
 * the batch's transaction, a claim keeps other runs off the rows until it is released or its lease runs out.
 */
import { claimMemberships, queueMemberships, releaseMemberships, removeMemberships } from '../../src/ingest/campaign-queue';
import type { Store } from '../../src/store/types';
import { openStorePair, storeBackends } from '../helpers/store-backends';

const backends = storeBackends('lf_cq');

const lead = (n: number) => `00Q0000000000${String(n).padStart(2, '0')}AAA`;

describe.each(backends)('campaign membership queue on $name', (backend) => {
  let store: Store;
  let other: Store;
  openStorePair(backend, (s, o) => {
    store = s;
    other = o;
  });
  afterEach(async () => {
    await store.query('delete from ingest_campaign_member_queue');
  });

  it('should queue with the batch transaction, once per campaign and record, and claim oldest first', async () => {
    await store.transaction(async (tx) => {
      await queueMemberships(tx, 'web', 7, [
        { campaign: 'Webinar', object: 'Lead', id: lead(1), fresh: true },
        { campaign: 'Webinar', object: 'Contact', id: '003000000000001AAA', fresh: false }
      ]);
    });
    // The same lead again, this time not fresh (a later row matched it): kept once, and looked up when written.
    await store.transaction((tx) => queueMemberships(tx, 'web', 8, [{ campaign: 'Webinar', object: 'Lead', id: lead(1), fresh: true }, { campaign: 'Expo', object: 'Lead', id: lead(1), fresh: false }]));
    await store.transaction((tx) => queueMemberships(tx, 'web', 9, [{ campaign: 'Webinar', object: 'Lead', id: lead(1), fresh: false }]));
    const claimed = await claimMemberships(store, 'web');
    expect(claimed.map(({ campaign, object, id, fresh }) => ({ campaign, object, id, fresh }))).toEqual([
      { campaign: 'Webinar', object: 'Lead', id: lead(1), fresh: false },
      { campaign: 'Webinar', object: 'Contact', id: '003000000000001AAA', fresh: false },
      { campaign: 'Expo', object: 'Lead', id: lead(1), fresh: false }
    ]);
  });

  it('should queue nothing when the batch transaction rolls back', async () => {
    await expect(
      store.transaction(async (tx) => {
        await queueMemberships(tx, 'web', 1, [{ campaign: 'Webinar', object: 'Lead', id: lead(2), fresh: true }]);
        throw new Error('ledger write failed');
      })
    ).rejects.toThrow('ledger write failed');
    expect(await claimMemberships(store, 'web')).toEqual([]);
  });

  it('should keep claimed rows from other runs until released, and remove written ones', async () => {
    await store.transaction((tx) =>
      queueMemberships(tx, 'web', 1, [1, 2, 3].map((n) => ({ campaign: 'Webinar', object: 'Lead' as const, id: lead(n), fresh: true })))
    );
    const mine = await claimMemberships(store, 'web', 2);
    expect(mine.map((m) => m.id)).toEqual([lead(1), lead(2)]);
    // Another run sees only the row nobody holds; another source's run sees none.
    expect((await claimMemberships(other, 'web')).map((m) => m.id)).toEqual([lead(3)]);
    expect(await claimMemberships(other, 'csv')).toEqual([]);
    await releaseMemberships(store, [mine[1]!.queueId]);
    await removeMemberships(store, [mine[0]!.queueId]);
    expect((await claimMemberships(other, 'web')).map((m) => m.id)).toEqual([lead(2)]);
    const left = await store.query<{ sf_id: string }>('select sf_id from ingest_campaign_member_queue order by id');
    expect(left.map((r) => r.sf_id)).toEqual([lead(2), lead(3)]);
  });

  it('should let another run take rows whose claim expired (the claiming run died)', async () => {
    await store.transaction((tx) => queueMemberships(tx, 'web', 1, [{ campaign: 'Webinar', object: 'Lead', id: lead(4), fresh: true }]));
    expect(await claimMemberships(store, 'web')).toHaveLength(1);
    expect(await claimMemberships(other, 'web')).toEqual([]);
    await store.query(`update ingest_campaign_member_queue set claimed_until = now() - interval '1 second'`);
    expect((await claimMemberships(other, 'web')).map((m) => m.id)).toEqual([lead(4)]);
  });
});
