/**
 * Throughput of the record layer for bulk-sized calls, against the real package schema:
 *   npx tsx emulator/core/bench-records.ts [rows=100000] [chunk=5000] [dataDir]
 * Inserts `rows` leads in calls of `chunk` records, then upserts them all by Source_External_Id__c
 * (changing Status, a history-tracked field), and prints rows/s for each phase.
 */
import { openDatabase, syncTables } from './database';
import { createRecordStore } from './records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID, SALES_USER_IDS } from './reference-data';
import { loadSchema } from './schema';
import type { SObjectRecord } from './types';

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const chunk = Number(process.argv[3] ?? 5_000);
  const dataDir = process.argv[4];
  const schema = await loadSchema();
  const db = await openDatabase(dataDir);
  await syncTables(db, schema);
  const store = createRecordStore({ db, schema, now: () => new Date(), orgId: DEFAULT_ORG_ID, defaultUserId: ADMIN_USER_ID });
  const opts = { allOrNone: false, userId: ADMIN_USER_ID };
  const runId = Date.now().toString(36);
  const leadAt = (i: number): SObjectRecord => ({
    FirstName: `First${i}`,
    LastName: `Last${i}`,
    Company: `Company ${i % 997}`,
    Email: `lead${i}.${runId}@example.com`,
    Source_External_Id__c: `bench-${runId}:${i}`,
    Source_System__c: 'bench',
    Budget_Amount__c: (i % 50) * 1000,
    Authority_Level__c: 'Influencer',
    Funnel_Stage__c: 'MQL',
    OwnerId: SALES_USER_IDS[i % 2]
  });

  const phase = async (name: string, run: (from: number, to: number) => Promise<number>) => {
    const started = Date.now();
    let failures = 0;
    for (let from = 0; from < total; from += chunk) failures += await run(from, Math.min(total, from + chunk));
    const ms = Date.now() - started;
    console.log(`${name}: ${total} rows in ${ms} ms = ${Math.round((total / ms) * 1000)} rows/s (${failures} failed, chunks of ${chunk})`);
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  await phase('insert', async (from, to) => (await store.insert('Lead', range(from, to).map(leadAt), opts)).filter((r) => !r.success).length);
  await phase('upsert', async (from, to) =>
    (await store.upsert('Lead', 'Source_External_Id__c', range(from, to).map((i) => ({ Source_External_Id__c: `bench-${runId}:${i}`, Status: 'Working - Contacted' })), opts)).filter((r) => !r.success).length
  );
  await db.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
