/**
 * Matching against the store's copy of the org's match keys (src/ingest/match-cache.ts), on the local org:
 * the API calls for matching do not grow with the file (no query per batch), and a cache that the org has
 * moved past since the last run never creates a duplicate Lead: leads created, deleted or converted in the
 * org between two runs are seen by the watermark refresh at the start of the next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { runIngestSource, type IngestOptions } from '../../src/ingest';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

jest.setTimeout(300_000);

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;

const csv = (rows: Record<string, string>[]) => {
  const header = Object.keys(rows[0]!);
  return `${[header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n')}\n`;
};
const person = (prefix: string, i: number) => ({
  id: `${prefix}-${i}`,
  firstName: `First${i}`,
  lastName: `${prefix}Last${i}`,
  email: `${prefix}.${i}@company${i}.example.com`,
  company: `Company ${i}`
});

describe('ingest matches against the store copy of the org match keys', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  let dir: string;
  const config = (write: Record<string, unknown> = {}) => ({
    outputDir: dir,
    ingest: { sources: [{ name: 'crm', kind: 'csv' }], write: { retryBaseMs: 10, ...write } }
  });
  const run = (opts: IngestOptions, write?: Record<string, unknown>) =>
    withRuntime({ store, org: client, json: true, cwd: dir, config: config(write) }, (rt) => runIngestSource(rt, opts));
  const file = (name: string, rows: Record<string, string>[]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, csv(rows));
    return p;
  };
  const leadsWithEmail = async (email: string) =>
    (await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Email = '${email}'`)).records.map((r) => r.Id);

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {}, bulkPollIntervalMs: 100 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-match-cache-'));
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should match six batches with the same query calls as one (no match query per batch)', async () => {
    const small = await run({ file: file('small.csv', Array.from({ length: 50 }, (_, i) => person('s', i))), source: 'crm', batchSize: 50 });
    const large = await run({ file: file('large.csv', Array.from({ length: 600 }, (_, i) => person('l', i))), source: 'crm', batchSize: 100 });
    expect(small.summary).toMatchObject({ created: 50, failed: 0 });
    expect(large.summary).toMatchObject({ created: 600, failed: 0 });
    // rest = the match-key refresh (one Composite call: nothing beyond its first pages changed) and the routing
    // definition; the writes are collections (200 rows a call). Before the cache, each 100-row batch added 4 queries.
    expect(large.summary.apiCallsBySurface.rest).toBe(small.summary.apiCallsBySurface.rest);
    // Every call is explained by purpose: one for the match keys, one collections call per 100-row batch.
    expect(large.summary.apiCallsByPurpose).toMatchObject({ 'match keys': 1, 'lead upserts': 6 });
    expect(large.summary.apiCallsByPurpose.other).toBeUndefined();
    expect(Object.values(large.summary.apiCallsByPurpose).reduce((a, b) => a + b, 0)).toBe(large.summary.apiCalls);
    expect(large.lines ?? []).toContain(`  API calls: ${large.summary.apiCalls}; minimum for this file: ${large.summary.apiCallsMinimum}`);
    expect((large.lines ?? []).join('\n')).toContain('API calls by purpose: lead describe + routing definition 1, match keys 1, lead upserts 6');
  });

  // A batch's ledger is committed while the next batch is written to the org (run.ts, BatchCommits): the next
  // batch must still see it, or a row repeated from the batch before is sent again (updated, not unchanged).
  it('should see the rows of the batch before as written while that batch is still committing', async () => {
    const p = (i: number) => person('q', i);
    const rows = [p(0), p(1), p(0), p(2), { ...p(1), company: 'Company 1 Renamed' }, p(3), p(0), p(4)];
    const first = await run({ file: file('committing.csv', rows), source: 'crm', batchSize: 2 });
    expect(first.summary).toMatchObject({ read: 8, created: 5, updated: 1, unchanged: 2, failed: 0 });
    expect(first.summary.apiCallsByPurpose['lead upserts']).toBe(4);
    expect(await leadsWithEmail(p(0).email)).toHaveLength(1);
    // Every batch's ledger was committed before the run returned: the same file again changes nothing but q-1,
    // which the file holds in two versions (each differs from the ledger's, the other one).
    const again = await run({ file: file('committing.csv', rows), source: 'crm', batchSize: 2 });
    expect(again.summary).toMatchObject({ created: 0, updated: 2, unchanged: 6, failed: 0 });
    expect(await leadsWithEmail(p(1).email)).toHaveLength(1);
  });

  it('should see leads created, deleted and converted in the org since the last run: no duplicate lead', async () => {
    // GIVEN the cache is up to date after a run...
    const first = [person('c', 1), person('c', 2), person('c', 3)];
    expect((await run({ file: file('c1.csv', first), source: 'crm' })).summary).toMatchObject({ created: 3, failed: 0 });
    // ...and then, outside leadflow, a rep creates a lead, another lead is deleted and a third is converted.
    const repLead = await conn.sobject('Lead').create({ LastName: 'Rep', Company: 'Rep Co', Email: 'walk.in@rep.example.com' });
    const [deleted] = await leadsWithEmail(first[1]!.email);
    await conn.sobject('Lead').destroy(deleted!);
    const [toConvert] = await leadsWithEmail(first[2]!.email);
    await conn.sobject('Lead').update({ Id: toConvert!, Qualification_Status__c: 'Qualified' });
    const converted = (await conn.soap.convertLead({ leadId: toConvert!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true })) as unknown as {
      success: boolean | string;
      contactId: string;
    };
    expect(String(converted.success)).toBe('true');

    // WHEN the next file names the walk-in by email, the deleted lead again, and the converted person with a title
    const second = [
      { id: 'w-1', firstName: 'Walk', lastName: 'In', email: 'walk.in@rep.example.com', company: 'Rep Co', title: 'COO' },
      { ...first[1]!, title: 'CTO' },
      { ...first[2]!, title: 'CEO' }
    ];
    const result = await run({ file: file('c2.csv', second), source: 'crm' });

    // THEN the walk-in's lead is updated (not duplicated), the deleted one is created again, the Contact gets the title
    expect(result.summary).toMatchObject({ created: 1, updated: 1, updatedContacts: 1, failed: 0 });
    expect(await leadsWithEmail('walk.in@rep.example.com')).toEqual([repLead.id]);
    expect(await leadsWithEmail(first[1]!.email)).toHaveLength(1);
    const contact = (await conn.query<{ Title: string }>(`SELECT Title FROM Contact WHERE Id = '${converted.contactId}'`)).records[0]!;
    expect(contact.Title).toBe('CEO');
    expect((await conn.query(`SELECT Id FROM Lead WHERE Email = '${first[2]!.email}' AND IsConverted = false`)).totalSize).toBe(0);
  });
});
