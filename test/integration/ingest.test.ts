/**
 * leadflow ingest against the local org: the HubSpot sample end to end (rejects, in-file duplicates,
 * routing, campaigns, engagement), an identical rerun with zero writes, de-duplication against existing
 * org Leads and Contacts, the reject file's content, NDJSON with engagement events, the Bulk API path,
 * and webhook submissions processed from the inbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { parse } from 'csv-parse/sync';
import { listEngagementEvents, runIngest, runIngestSource, type IngestAllSummary, type IngestOptions } from '../../src/ingest';
import { generateRows, writeSampleCsv } from '../../src/ingest/generate';
import { queueMemberships } from '../../src/ingest/campaign-queue';
import { enqueueSubmission } from '../../src/ingest/ledger';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const ADMIN = '005000000000001AAA';
const SAMPLE = path.resolve(__dirname, '../../config/samples/hubspot-contacts.csv');
const NDJSON = path.resolve(__dirname, '../../config/samples/web-leads.ndjson');

describe('leadflow ingest on the local org', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  let outDir: string;
  const sampleRows = [...generateRows({ rows: 200, seed: 7, badEvery: 17, duplicateEvery: 23 })];

  const ingestConfig = {
    sources: [
      { name: 'hubspot', kind: 'csv', preset: 'hubspot' },
      { name: 'web-export', kind: 'ndjson', leadSource: 'Web' },
      { name: 'webform', kind: 'webhook', secret: 'webform-secret-0123456789', defaultCompany: '[not provided]', leadSource: 'Web' },
      { name: 'gen', kind: 'csv', preset: 'hubspot' }
    ],
    routing: {
      rules: [{ name: 'Analytics specialists', when: { productInterest: ['Analytics'] }, assign: { ownerId: ADMIN, label: 'Analytics specialist' } }]
    },
    write: { retryBaseMs: 10 }
  };
  const run = (opts: IngestOptions, write: Record<string, unknown> = {}) =>
    withRuntime(
      { store, org: client, json: true, cwd: outDir, config: { outputDir: outDir, ingest: { ...ingestConfig, write: { ...ingestConfig.write, ...write } } } },
      (rt) => runIngestSource(rt, opts)
    );
  const count = async (soql: string) => (await conn.query(soql)).totalSize;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {}, bulkPollIntervalMs: 100 });
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-it-'));
    // Already in the org: a lead with the same email as sample row 1 (no title yet) and a contact for row 2.
    const r1 = sampleRows[0]!;
    const r2 = sampleRows[1]!;
    await conn.sobject('Lead').create({ LastName: 'Existing', Company: 'Old Co', Email: r1.Email.toLowerCase() });
    await conn.sobject('Contact').create({ LastName: 'Customer', Email: r2.Email.toLowerCase() });
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should ingest the HubSpot sample: rejects, duplicates merged, existing lead updated, contact attached', async () => {
    const result = await run({ file: SAMPLE, source: 'hubspot' });
    const s = result.summary;
    expect(s.read).toBe(200);
    // 11 broken rows: the 4 with only a bad country or phone keep the lead (value dropped, warning line).
    expect(s.rejected).toBe(7);
    expect(s.warnedRows).toBe(4);
    expect(s.valid).toBe(193);
    expect(s.merged).toBeGreaterThanOrEqual(8);
    expect(s.updated).toBe(1);
    expect(s.attached).toBe(1);
    expect(s.failed).toBe(0);
    expect(s.created + s.updated + s.attached + s.merged).toBe(193);
    expect(result.ok).toBe(true);

    const leads = await conn.query<{ Email: string; Source_External_Id__c: string | null }>(
      'SELECT Email, Source_External_Id__c FROM Lead WHERE Source_System__c = \'hubspot\''
    );
    expect(leads.totalSize).toBe(s.created);
    expect(leads.records.every((l) => /^hubspot:\d+$/.test(l.Source_External_Id__c ?? ''))).toBe(true);
    // No duplicate lead for the person who was already in the org; the gap was filled instead.
    const existing = await conn.query<{ Title: string | null; Source_External_Id__c: string | null; Company: string }>(
      `SELECT Title, Source_External_Id__c, Company FROM Lead WHERE Email = '${sampleRows[0]!.Email.toLowerCase()}'`
    );
    expect(existing.totalSize).toBe(1);
    expect(existing.records[0]).toMatchObject({ Title: sampleRows[0]!['Job Title'], Source_External_Id__c: null });
    expect(await count(`SELECT Id FROM Lead WHERE Email = '${sampleRows[1]!.Email.toLowerCase()}'`)).toBe(0);

    // Multilingual names arrive unchanged.
    const ro = await conn.query<{ FirstName: string; LastName: string; Country: string; Phone: string }>(
      "SELECT FirstName, LastName, Country, Phone FROM Lead WHERE Country = 'RO' AND Source_System__c = 'hubspot'"
    );
    expect(ro.totalSize).toBeGreaterThan(0);
    for (const l of ro.records) {
      expect(['Țurcanu', 'Mărginean', 'Știrbu', 'Pîrvu']).toContain(l.LastName);
      expect(l.FirstName).toMatch(/^(Ștefan|Ioana|Răzvan|Oana) [A-Z]\.$/);
      // A row whose phone was broken on purpose keeps the lead without a phone (value dropped).
      if (l.Phone !== null) expect(l.Phone).toMatch(/^\+40\d{9}$/);
    }
    expect(ro.records.filter((l) => l.Phone === null)).toHaveLength(1);
    expect(await count("SELECT Id FROM Lead WHERE LastName = 'Иванов' OR LastName = 'رضایی' OR LastName = 'Conceição'")).toBeGreaterThan(0);

    // Routing: Analytics leads went to the specialist, explained in the assignments file.
    expect(s.assigned[ADMIN]).toBeGreaterThan(0);
    const assignments = parse(fs.readFileSync(s.assignmentsFile!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(assignments.length).toBe(s.created);
    expect(assignments.some((a) => a.explanation!.includes('rule "Analytics specialists"'))).toBe(true);
    expect(assignments.some((a) => a.explanation!.startsWith('no rule matched'))).toBe(true);

    // Campaigns named in "First Conversion" exist with members.
    expect(await count("SELECT Id FROM Campaign WHERE Name = 'Webinar 2026-Q4'")).toBe(1);
    expect(s.campaignMembers).toBeGreaterThan(0);
    expect(await count('SELECT Id FROM CampaignMember')).toBe(s.campaignMembers);

    // Engagement counters (page views, form fills) are in the store, the attached contact's too.
    const contactId = (await conn.query<{ Id: string }>(`SELECT Id FROM Contact WHERE Email = '${sampleRows[1]!.Email.toLowerCase()}'`)).records[0]!.Id;
    const contactEvents = await listEngagementEvents(store, [contactId]);
    expect(contactEvents.length).toBeGreaterThan(0);
    expect(contactEvents.every((e) => e.contactId === contactId)).toBe(true);
    expect(s.engagementEvents).toBeGreaterThan(100);
  });

  it('should write a reject file with row, field, value and reason, escaped against formulas', async () => {
    const reports = fs.readdirSync(outDir).filter((f) => f.startsWith('ingest-hubspot-') && f.endsWith('-rejects.csv'));
    expect(reports).toHaveLength(1);
    const rows = parse(fs.readFileSync(path.join(outDir, reports[0]!), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.row)).size).toBe(11);
    // Data row i is spreadsheet row i + 1; row 102 had its email replaced by a formula.
    expect(rows).toContainEqual({ row: '103', field: 'email', value: `'=HYPERLINK("http://evil.example","click")`, reason: 'not a valid email address' });
    expect(rows).toContainEqual({ row: '18', field: 'country', value: 'Atlantis', reason: 'warning: value dropped, lead kept: unknown country' });
    expect(rows).toContainEqual({ row: '69', field: 'phone', value: '12', reason: 'warning: value dropped, lead kept: not a valid phone number for GB' });
    expect(rows).toContainEqual(expect.objectContaining({ row: '35', field: 'productInterest', value: 'Toasters' }));
    expect(rows).toContainEqual(expect.objectContaining({ row: '52', field: 'lastName', value: '' }));
    expect(rows.every((r) => !/^[=+\-@]/.test(r.value!))).toBe(true);
  });

  it('should make no writes and create nothing when the same file is ingested again', async () => {
    const leadsBefore = await count('SELECT Id FROM Lead');
    const membersBefore = await count('SELECT Id FROM CampaignMember');
    const result = await run({ file: SAMPLE, source: 'hubspot' });
    const s = result.summary;
    expect(s).toMatchObject({ created: 0, updated: 0, attached: 0, failed: 0, campaignMembers: 0, engagementEvents: 0, rejected: 7 });
    expect(s.unchanged).toBe(193);
    expect(s.writes).toEqual({ collectionsBatches: 0, bulkJobs: 0, retriedRows: 0, extraStatusChecks: 0 });
    expect(s.apiCallsMinimum).toBe(0);
    expect(s.apiCalls).toBe(0);
    expect(await count('SELECT Id FROM Lead')).toBe(leadsBefore);
    expect(await count('SELECT Id FROM CampaignMember')).toBe(membersBefore);
  });

  it('should only query, never write, on a dry run', async () => {
    const file = path.join(outDir, 'dry.csv');
    await writeSampleCsv(file, { rows: 30, seed: 99 });
    const leadsBefore = await count('SELECT Id FROM Lead');
    const result = await run({ file, source: 'gen', dryRun: true });
    expect(result.summary.dryRun).toBe(true);
    expect(result.summary.created).toBeGreaterThan(0);
    expect(result.summary.apiCallsBySurface.collections ?? 0).toBe(0);
    expect(await count('SELECT Id FROM Lead')).toBe(leadsBefore);
  });

  it('should ingest NDJSON with full names, non-Latin scripts and engagement events', async () => {
    const result = await run({ file: NDJSON, source: 'web-export' });
    const s = result.summary;
    expect(s).toMatchObject({ read: 8, rejected: 1, merged: 1, failed: 0 });
    const fa = await conn.query<{ FirstName: string; LastName: string; Country: string; Phone: string }>(
      "SELECT FirstName, LastName, Country, Phone FROM Lead WHERE Source_External_Id__c = 'web-export:wf-1002'"
    );
    expect(fa.records[0]).toMatchObject({ FirstName: 'علی', LastName: 'رضایی', Country: 'IR', Phone: '+989123456789' });
    const beethoven = await conn.query<{ FirstName: string; LastName: string }>(
      "SELECT FirstName, LastName FROM Lead WHERE Source_External_Id__c = 'web-export:wf-1005'"
    );
    expect(beethoven.records[0]).toMatchObject({ FirstName: 'Ludwig', LastName: 'van Beethoven' });
    // wf-1008 is the same person as wf-1001 (email): merged, title filled, both form events kept.
    const stefan = await conn.query<{ Id: string; Title: string; Email: string }>(
      "SELECT Id, Title, Email FROM Lead WHERE Source_External_Id__c = 'web-export:wf-1001'"
    );
    expect(stefan.records[0]).toMatchObject({ Title: 'CTO', Email: 'stefan.turcanu@fabrica-soft.ro' });
    const events = await listEngagementEvents(store, ['web-export:wf-1001']);
    expect(events.map((e) => e.eventType).sort()).toEqual(['form_fill', 'form_fill', 'page_view']);
    expect(events.every((e) => e.leadId === stefan.records[0]!.Id)).toBe(true);
  });

  it('should use Bulk API 2.0 above the threshold and stay idempotent', async () => {
    const file = path.join(outDir, 'bulk.csv');
    await writeSampleCsv(file, { rows: 500, seed: 1234, uniquePeople: true });
    const before = await count("SELECT Id FROM Lead WHERE Source_System__c = 'gen'");
    const first = await run({ file, source: 'gen', batchSize: 250 }, { bulkThreshold: 100 });
    // One Lead upsert job per 250-row batch, and one CampaignMember insert job for the whole run (about 330 members
    // queued by both batches, written after the last one).
    expect(first.summary.writes.bulkJobs).toBe(3);
    expect(first.summary.apiCallsByPurpose['campaign members']).toBeLessThanOrEqual(7);
    expect(first.summary.campaignMembers).toBeGreaterThanOrEqual(200);
    expect(first.summary.created).toBe(500);
    expect(first.summary.failed).toBe(0);
    expect(first.summary.apiCallsBySurface.bulk).toBeGreaterThan(0);
    const after = await count("SELECT Id FROM Lead WHERE Source_System__c = 'gen'");
    expect(after - before).toBe(first.summary.created);
    const second = await run({ file, source: 'gen', batchSize: 250 }, { bulkThreshold: 100 });
    expect(second.summary).toMatchObject({ created: 0, updated: 0, apiCalls: 0 });
  });

  it('should write the campaign memberships a killed run left queued on the next run, even with nothing new to write', async () => {
    const file = path.join(outDir, 'bulk.csv');
    const leadRow = (await conn.query<{ Id: string }>("SELECT Id FROM Lead WHERE Source_System__c = 'gen' LIMIT 1")).records[0]!;
    const campaign = 'Left Queued 2026';
    // What a run killed between its batch transaction and the end-of-run write leaves behind.
    await store.transaction((tx) => queueMemberships(tx, 'gen', null, [{ campaign, object: 'Lead', id: leadRow.Id, fresh: false }]));
    const rerun = await run({ file, source: 'gen', batchSize: 250 }, { bulkThreshold: 100 });
    expect(rerun.summary).toMatchObject({ created: 0, updated: 0, campaignMembers: 1 });
    const members = await conn.query<{ LeadId: string }>(`SELECT LeadId FROM CampaignMember WHERE Campaign.Name = '${campaign}'`);
    expect(members.records.map((m) => m.LeadId)).toEqual([leadRow.Id]);
    expect(await store.query('select id from ingest_campaign_member_queue')).toEqual([]);
  });

  it('should ingest every configured source when called without a file, as npm start does', async () => {
    const config = {
      outputDir: outDir,
      ingest: {
        sources: [
          { name: 'web-export', kind: 'ndjson', path: NDJSON, leadSource: 'Web' },
          { name: 'not-there', kind: 'csv', path: 'missing.csv' },
          { name: 'webform', kind: 'webhook', secret: 'webform-secret-0123456789' }
        ]
      }
    };
    const result = await withRuntime({ store, org: client, json: true, cwd: outDir, config }, (rt) => runIngest(rt, { samples: true }));
    const summary = result.summary as IngestAllSummary;
    expect(summary.sources.map((x) => x.source)).toEqual(['web-export', 'webform']);
    expect(summary.totals).toMatchObject({ read: 8, created: 0, updated: 0, unchanged: 7, failed: 0 });
    expect(result.ok).toBe(true);
  });

  it('should write queued webhook submissions on the next run of the source', async () => {
    await enqueueSubmission(store, 'webform', { email: 'Maria.Santos@Exemplo.pt', fullName: 'Maria dos Santos', country: 'Portugal', phone: '912 345 678' }, '127.0.0.1');
    await enqueueSubmission(store, 'webform', { email: 'broken', fullName: 'X' }, '127.0.0.1');
    const result = await run({ source: 'webform' });
    expect(result.summary).toMatchObject({ read: 2, created: 1, rejected: 1 });
    const lead = await conn.query<{ FirstName: string; LastName: string; Company: string; Phone: string; LeadSource: string }>(
      "SELECT FirstName, LastName, Company, Phone, LeadSource FROM Lead WHERE Email = 'maria.santos@exemplo.pt'"
    );
    expect(lead.records[0]).toMatchObject({ FirstName: 'Maria', LastName: 'dos Santos', Company: '[not provided]', Phone: '+351912345678', LeadSource: 'Web' });
    expect((await run({ source: 'webform' })).summary.read).toBe(0);
  });

  describe('continuous delivery micro-batches (microBatch, as serve passes it)', () => {
    const submission = (tag: string, i: number) => ({ email: `micro.${tag}.${i}@example.org`, fullName: `Micro ${tag} ${i}`, company: 'Micro Co' });
    /** The store, with two more submissions arriving right after the run's first read of the inbox. */
    const withLateArrivals = (tag: string): Store => {
      let arrived = false;
      return new Proxy(store, {
        get(target, prop, receiver) {
          if (prop !== 'query') {
            const value = Reflect.get(target, prop, receiver) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          }
          return async (sql: string, params?: unknown[]) => {
            const rows = await target.query(sql, params);
            if (!arrived && /from ingest_inbox where source/.test(sql)) {
              arrived = true;
              for (const i of [3, 4]) await enqueueSubmission(target, 'webform', submission(tag, i), '127.0.0.1');
            }
            return rows;
          };
        }
      });
    };
    const drain = async (tag: string, opts: IngestOptions, { late = true } = {}) => {
      for (const i of [0, 1, 2]) await enqueueSubmission(store, 'webform', submission(tag, i), '127.0.0.1');
      const config = { outputDir: outDir, ingest: ingestConfig };
      const runStore = late ? withLateArrivals(tag) : store;
      return (await withRuntime({ store: runStore, org: client, json: true, cwd: outDir, config }, (rt) => runIngestSource(rt, opts))).summary;
    };

    it('should write submissions that arrive within the window in the same call as the first ones', async () => {
      const started = Date.now();
      const summary = await drain('gathered', { source: 'webform', microBatch: { windowMs: 300, size: 200 } });
      expect(summary).toMatchObject({ read: 5, created: 5, failed: 0 });
      expect(summary.writes.collectionsBatches).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(await count("SELECT Id FROM Lead WHERE Email LIKE 'micro.gathered.%'")).toBe(5);
    });

    it('should write each batch as soon as it is read without it (leadflow ingest, scheduled runs)', async () => {
      const summary = await drain('direct', { source: 'webform' });
      expect(summary).toMatchObject({ read: 5, created: 5, failed: 0 });
      expect(summary.writes.collectionsBatches).toBe(2);
    });

    it('should not wait for a batch that already holds a full micro-batch', async () => {
      const started = Date.now();
      const summary = await drain('full', { source: 'webform', microBatch: { windowMs: 5_000, size: 3 } }, { late: false });
      expect(summary).toMatchObject({ read: 3, created: 3 });
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
