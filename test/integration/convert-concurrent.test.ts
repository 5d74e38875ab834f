/**
 * Two `leadflow convert` processes started together against one org and one store (issue 17): the job
 * lock lets one run while the other exits with code 5 naming it (or, with --wait, runs after it); one
 * account per domain, each lead converted once, the ledger matching the org. PGlite always; PostgreSQL when
 * LEADFLOW_TEST_DATABASE_URL is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Connection } from '@jsforce/jsforce-node';
import { openStore } from '../../src/store/store';
import { runLeadflow, writeLocalConfig, type CliRun } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';
import { createTestSchema, dropTestSchema } from '../helpers/postgres';

jest.setTimeout(600_000);

const pgUrl = process.env.LEADFLOW_TEST_DATABASE_URL;
const backends: Array<{ name: string; storeConfig: () => Promise<Record<string, unknown>>; cleanup: () => Promise<void> }> = [
  { name: 'pglite', storeConfig: async () => ({}), cleanup: async () => undefined }
];
if (pgUrl) {
  const schema = `lf_cc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  backends.push({
    name: 'postgres',
    storeConfig: async () => ({ store: { databaseUrl: await createTestSchema(pgUrl, schema) } }),
    cleanup: () => dropTestSchema(pgUrl, schema)
  });
}

const qualified = { Status: 'Open - Not Contacted', Qualification_Status__c: 'Qualified', Lead_Grade__c: 'Hot' };

async function createLeads(conn: Connection, prefix: string, domains: number, perDomain: number): Promise<string[]> {
  const records = [];
  for (let d = 0; d < domains; d++) {
    for (let i = 0; i < perDomain; i++) {
      records.push({ ...qualified, LastName: `${prefix}${d}-${i}`, Company: `${prefix} Company ${d}`, Website: `https://www.${prefix}${d}-leadflow.com` });
    }
  }
  const results = (await conn.sobject('Lead').create(records, { allOrNone: true })) as Array<{ id: string; success: boolean }>;
  return results.map((r) => r.id);
}

function summaryOf(run: CliRun): { converted: number; accountsCreated: number } | null {
  try {
    const doc = JSON.parse(run.stdout) as { summary?: { converted?: number; accountsCreated?: number } };
    return doc.summary?.converted === undefined ? null : { converted: doc.summary.converted, accountsCreated: doc.summary.accountsCreated ?? 0 };
  } catch {
    return null;
  }
}

describe.each(backends)('two converts at once ($name store)', (backend) => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  let extra: Record<string, unknown>;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lf-cc-'));
    extra = await backend.storeConfig();
    configPath = writeLocalConfig(dir, org.url, extra);
  });
  afterAll(async () => {
    await org?.close();
    await backend.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function accountsPerDomain(prefix: string): Promise<Map<string, number>> {
    const rows = (await conn.query<{ Website_Domain__c: string }>(`SELECT Website_Domain__c FROM Account WHERE Website_Domain__c LIKE '${prefix}%'`)).records;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.Website_Domain__c, (counts.get(r.Website_Domain__c) ?? 0) + 1);
    return counts;
  }

  async function ledger(): Promise<Map<string, { status: string; account_id: string | null }>> {
    const store = await openStore(extra.store ? { databaseUrl: (extra.store as { databaseUrl: string }).databaseUrl } : { dataDir: path.join(dir, 'store') });
    try {
      const rows = await store.query<{ lead_id: string; status: string; account_id: string | null }>('select lead_id, status, account_id from conversion_ledger');
      return new Map(rows.map((r) => [r.lead_id, r]));
    } finally {
      await store.close();
    }
  }

  async function expectConvertedOnce(prefix: string, leadIds: string[], domains: number): Promise<void> {
    // One account per domain, in the org
    const counts = await accountsPerDomain(prefix);
    expect(counts.size).toBe(domains);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Every lead converted (the org refuses a second convertLead, so once), and onto its domain's account
    const leads = (await conn.query<{ Id: string; IsConverted: boolean; ConvertedAccountId: string }>(
      `SELECT Id, IsConverted, ConvertedAccountId FROM Lead WHERE LastName LIKE '${prefix}%'`
    )).records;
    expect(leads).toHaveLength(leadIds.length);
    expect(leads.filter((l) => !l.IsConverted)).toEqual([]);
    expect(new Set(leads.map((l) => l.ConvertedAccountId)).size).toBe(domains);
    // The ledger says the same as the org
    const book = await ledger();
    for (const l of leads) expect(book.get(l.Id)).toEqual(expect.objectContaining({ status: 'converted', account_id: l.ConvertedAccountId }));
  }

  it('should let one run convert 40 leads across 10 domains and stop the other with exit code 5 naming it', async () => {
    // GIVEN 40 qualified leads, 4 per domain, none of the 10 companies has an account
    const leadIds = await createLeads(conn, 'alpha', 10, 4);
    // WHEN two converts are started together
    const runs = await Promise.all([0, 1].map(() => runLeadflow(['--config', configPath, '--json', 'convert'], { cwd: dir, timeoutMs: 300_000 })));
    // THEN one converts everything; the other either found the lock (exit 5, named holder) or ran after and found nothing
    const codes = runs.map((r) => r.code).sort();
    const refused = runs.filter((r) => r.code === 5);
    for (const r of refused) {
      expect(JSON.parse(r.stdout)).toEqual({
        ok: false,
        error: { code: 'LOCKED', message: expect.stringMatching(/^convert is already running \(pid \d+ on host .+, since \d{4}-\d\d-\d\dT[\d:.]+Z\); nothing was done\./) },
        apiCalls: null
      });
    }
    expect(codes[0]).toBe(0);
    expect([0, 5]).toContain(codes[1]);
    const summaries = runs.filter((r) => r.code === 0).map(summaryOf);
    expect(summaries.reduce((n, s) => n + (s?.converted ?? 0), 0)).toBe(40);
    expect(summaries.reduce((n, s) => n + (s?.accountsCreated ?? 0), 0)).toBe(10);
    await expectConvertedOnce('alpha', leadIds, 10);
  });

  it('should run both with --wait, one after the other, still one account per domain', async () => {
    // GIVEN 12 more qualified leads across 3 new domains
    const leadIds = await createLeads(conn, 'beta', 3, 4);
    // WHEN two converts with --wait start together
    const runs = await Promise.all([0, 1].map(() => runLeadflow(['--config', configPath, '--json', '--wait', 'convert'], { cwd: dir, timeoutMs: 300_000 })));
    // THEN both succeed and together converted each lead once
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const summaries = runs.map(summaryOf);
    expect(summaries.reduce((n, s) => n + (s?.converted ?? 0), 0)).toBe(12);
    await expectConvertedOnce('beta', leadIds, 3);
  });
});
