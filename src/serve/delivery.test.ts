import os from 'node:os';
import pino from 'pino';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { createDelivery, type Delivery } from './delivery';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('continuous delivery drainer', () => {
  let store: Store;
  let delivery: Delivery | undefined;
  const drains: string[] = [];
  const logger = pino({ level: 'silent' });

  // One store for the file (PGlite start-up is the slow part); each test leaves no inbox rows or locks behind.
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    drains.length = 0;
  });
  afterEach(async () => {
    await delivery?.stop();
    await store.query('delete from ingest_inbox');
    await store.query('delete from job_locks');
  });

  const start = (windowMs: number, batchSize: number, retryMs = 100) => {
    delivery = createDelivery({
      store,
      logger,
      sources: ['web'],
      windowMs,
      batchSize,
      retryMs,
      ingest: async (source) => {
        drains.push(source);
        await sleep(20);
      }
    });
    return delivery;
  };

  it('should send submissions accepted within the window as one drain', async () => {
    // GIVEN a 150 ms window and a batch size larger than the burst
    const d = start(150, 200);
    // WHEN five submissions arrive together
    for (let i = 0; i < 5; i++) d.accepted('web');
    // THEN nothing runs inside the window, and one drain runs after it
    await sleep(50);
    expect(drains).toEqual([]);
    await sleep(300);
    expect(drains).toEqual(['web']);
  });

  it('should start at once when the batch size is reached, and ignore sources it does not serve', async () => {
    // GIVEN a long window and a batch size of 3
    const d = start(10_000, 3);
    // WHEN three submissions arrive (and one for an unknown source)
    d.accepted('other');
    for (let i = 0; i < 3; i++) d.accepted('web');
    await sleep(100);
    // THEN the drain did not wait for the window
    expect(drains).toEqual(['web']);
  });

  it('should skip while another run holds the ingest lock, then deliver the pending submissions', async () => {
    // GIVEN a pending submission and the ingest:web job lock held by another live run
    await store.query(
      "insert into ingest_inbox (id, source, payload, idempotency_key) values ('s1', 'web', '{}'::jsonb, 'k1')"
    );
    const holder = JSON.stringify({
      pid: process.pid,
      host: os.hostname(),
      command: 'leadflow ingest --source web',
      since: new Date().toISOString(),
      id: 'other-run'
    });
    await store.query(
      "insert into job_locks (name, owner, acquired_at) values ('run:ingest:web', $1, now())",
      [holder]
    );
    const d = start(0, 200, 100);
    // WHEN a submission is accepted while the lock is held
    d.accepted('web');
    await sleep(250);
    // THEN no drain ran
    expect(drains).toEqual([]);
    // WHEN the other run finishes
    await store.query("delete from job_locks where name = 'run:ingest:web'");
    await sleep(300);
    // THEN the retry delivered the pending submission
    expect(drains).toEqual(['web']);
  });
});
