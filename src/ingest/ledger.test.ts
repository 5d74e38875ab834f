import { openStore } from '../store/store';
import type { Store } from '../store/types';
import {
  enqueueSubmission,
  insertEngagementEvents,
  listEngagementEvents,
  loadRoutingState,
  lookupLedger,
  markSubmissionsProcessed,
  pendingSubmissions,
  recordLedger,
  saveRoutingState
} from './ledger';
import type { NormalisedLead } from './validate';

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
});
afterAll(async () => {
  await store.close();
});

const lead: NormalisedLead = {
  row: 2,
  source: 'web',
  sourceRecordId: '42',
  fields: { LastName: 'Doe', Company: 'Acme', Source_System__c: 'web', Source_External_Id__c: 'web:42' },
  campaign: null,
  domain: null,
  updatedAt: null,
  events: [
    { type: 'page_view', occurredAt: '2026-11-01T10:00:00Z', count: 1, properties: { url: '/pricing' } },
    { type: 'form_fill', occurredAt: '2026-11-01T10:05:00Z', count: 1, properties: {} }
  ]
};

describe('ingest store access', () => {
  it('should upsert ledger entries and read them back', async () => {
    await recordLedger(store, [{ source: 'web', sourceRecordId: '42', externalId: 'web:42', rowHash: 'h1', action: 'created', sfObject: 'Lead', sfId: '00Q000000000042AAA' }], 1);
    await recordLedger(store, [{ source: 'web', sourceRecordId: '42', externalId: 'web:42', rowHash: 'h2', action: 'updated', sfObject: 'Lead', sfId: '00Q000000000042AAA' }], 2);
    const got = await lookupLedger(store, 'web', ['42', 'nope']);
    expect(got.size).toBe(1);
    expect(got.get('42')).toEqual({ rowHash: 'h2', action: 'updated', sfObject: 'Lead', sfId: '00Q000000000042AAA' });
  });

  it('should store engagement events once and list them by external id or lead id', async () => {
    expect(await insertEngagementEvents(store, [{ lead, leadId: '00Q000000000042AAA', contactId: null }])).toBe(2);
    expect(await insertEngagementEvents(store, [{ lead, leadId: '00Q000000000042AAA', contactId: null }])).toBe(0);
    const byKey = await listEngagementEvents(store, ['web:42']);
    expect(byKey.map((e) => [e.eventType, e.properties])).toEqual([
      ['page_view', { url: '/pricing' }],
      ['form_fill', {}]
    ]);
    expect(await listEngagementEvents(store, ['00Q000000000042'])).toHaveLength(2);
    expect(await listEngagementEvents(store, ['00Q000000000043AAA'])).toHaveLength(0);
  });

  it('should queue webhook submissions until processed', async () => {
    const before = Date.now();
    const id = await enqueueSubmission(store, 'webform', { email: 'a@b.com' }, '127.0.0.1');
    const pending = await pendingSubmissions(store, 'webform', 0, 10);
    expect(pending).toEqual([{ seq: expect.any(Number), id, payload: { email: 'a@b.com' }, receivedAt: expect.any(Date) }]);
    // The store's clock and this process's are the same machine's here.
    expect(Math.abs(pending[0]!.receivedAt.getTime() - before)).toBeLessThan(5_000);
    await markSubmissionsProcessed(store, [pending[0]!.seq], null);
    expect(await pendingSubmissions(store, 'webform', 0, 10)).toEqual([]);
  });

  it('should persist round-robin cursors and daily counts', async () => {
    await saveRoutingState(store, '2026-11-24', { cursors: { dach: 2 }, assignedToday: { '005000000000001AAA': 3 } });
    expect(await loadRoutingState(store, '2026-11-24')).toEqual({ cursors: { dach: 2 }, assignedToday: { '005000000000001AAA': 3 } });
    expect((await loadRoutingState(store, '2026-11-25')).assignedToday).toEqual({});
  });
});
