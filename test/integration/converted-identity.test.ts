/**
 * Identity survives conversion (issue 15, point 1), against the local org with the real CLI: a person is
 * ingested, their lead converted, then an update for them arrives by CSV and by the webhook. The Contact gets
 * the mapped fields (blanks never overwrite), a CampaignMember with ContactId is added, the engagement is
 * recorded against the Contact, the summary says "updated contact", the run exits 0 and a rerun writes nothing.
 * A lead converted between the match query and the write (CANNOT_UPDATE_CONVERTED_LEAD) is re-routed too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import Fastify from 'fastify';
import pino from 'pino';
import type { LeadflowConfig } from '../../src/config/schema';
import { listEngagementEvents, registerWebhookRoutes, runIngestSource, signBody, type IngestSummary } from '../../src/ingest';
import { withRuntime } from '../../src/runtime/runtime';
import type { Runtime } from '../../src/runtime/types';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient, RecordResult, SObjectRecord } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import { cliEnv, runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const SECRET = 'converted-identity-secret-0123456789';
const ingestConfig = {
  sources: [
    { name: 'crm', kind: 'csv' },
    { name: 'webform', kind: 'webhook', secretEnv: 'LEADFLOW_TEST_WEBFORM_SECRET', defaultCompany: '[not provided]' }
  ],
  write: { retryBaseMs: 10 }
};

const csv = (rows: Record<string, string>[]) => {
  const header = Object.keys(rows[0]!);
  return `${[header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n')}\n`;
};

/** Marks the lead qualified (the package's conversion validation rule) and converts it over SOAP. */
async function convert(conn: Connection, leadId: string): Promise<{ contactId: string; accountId: string }> {
  await conn.sobject('Lead').update({ Id: leadId, Qualification_Status__c: 'Qualified' });
  const r = (await conn.soap.convertLead({ leadId, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true })) as unknown as {
    success: boolean | string;
    contactId: string;
    accountId: string;
    errors?: unknown;
  };
  expect(String(r.success)).toBe('true');
  return { contactId: r.contactId, accountId: r.accountId };
}

describe('ingest follows a converted lead to its Contact', () => {
  let org: TestOrg;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  const env = cliEnv({ LEADFLOW_TEST_WEBFORM_SECRET: SECRET });
  const cli = async (args: string[]) => runLeadflow(['--config', configPath, ...args], { cwd: dir, env, timeoutMs: 45_000 });
  const ingestJson = async (args: string[]) => {
    const run = await cli(['--json', 'ingest', ...args]);
    return { run, summary: (JSON.parse(run.stdout) as { summary: IngestSummary }).summary };
  };
  let contactId = '';
  let leadId = '';

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converted-identity-'));
    configPath = writeLocalConfig(dir, org.url, { ingest: ingestConfig });
    await conn.sobject('Campaign').create([{ Name: 'Spring Webinar', IsActive: true }, { Name: 'Pricing Page', IsActive: true }]);
  });

  afterAll(async () => {
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should update the Contact and add its campaign membership when a CSV row arrives for a converted lead', async () => {
    const first = path.join(dir, 'first.csv');
    fs.writeFileSync(
      first,
      csv([{ id: 'p-1', firstName: 'Ioana', lastName: 'Radu', email: 'ioana.radu@example.ro', company: 'Radu Logistics', title: '', phone: '', city: 'Cluj', updatedAt: '2026-01-05T10:00:00Z' }])
    );
    const created = await ingestJson(['--source', 'crm', first]);
    expect(created.run.code).toBe(0);
    expect(created.summary).toMatchObject({ created: 1, failed: 0 });
    leadId = (await conn.query<{ Id: string }>("SELECT Id FROM Lead WHERE Source_External_Id__c = 'crm:p-1'")).records[0]!.Id;
    ({ contactId } = await convert(conn, leadId));

    // Same person, same source: new title and phone, no city (a blank must not erase the Contact's).
    const update = path.join(dir, 'update.csv');
    fs.writeFileSync(
      update,
      csv([{ id: 'p-1', firstName: 'Ioana', lastName: 'Radu', email: 'ioana.radu@example.ro', company: 'Radu Logistics', title: 'Head of Operations', phone: '+40 721 000 111', city: '', campaign: 'Spring Webinar', pageViews: '3', updatedAt: '2099-01-06T10:00:00Z' }])
    );
    const human = await cli(['ingest', '--source', 'crm', update]);
    expect(human.stderr).not.toContain('CANNOT_UPDATE_CONVERTED_LEAD');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('updated contact (converted lead) 1');
    expect(human.stdout).toMatch(new RegExp(`row 2 \\(crm:p-1\\): updated contact ${contactId.slice(0, 15)}\\w* \\(converted lead ${leadId.slice(0, 15)}\\w*\\): Phone, Title`));

    const contact = (await conn.query<Record<string, string>>(`SELECT Title, Phone, MailingCity, Email FROM Contact WHERE Id = '${contactId}'`)).records[0]!;
    expect(contact).toMatchObject({ Title: 'Head of Operations', Phone: '+40721000111', MailingCity: 'Cluj', Email: 'ioana.radu@example.ro' });
    const members = await conn.query<{ ContactId: string | null; LeadId: string | null }>(
      "SELECT ContactId, LeadId FROM CampaignMember WHERE Campaign.Name = 'Spring Webinar'"
    );
    expect(members.records.map((m) => m.ContactId?.slice(0, 15))).toEqual([contactId.slice(0, 15)]);

    // The rerun of the same file is unchanged: no writes, no second membership.
    const rerun = await ingestJson(['--source', 'crm', update]);
    expect(rerun.run.code).toBe(0);
    expect(rerun.summary).toMatchObject({ updatedContacts: 0, unchanged: 1, failed: 0, campaignMembers: 0 });
    expect((await conn.query("SELECT Id FROM CampaignMember WHERE Campaign.Name = 'Spring Webinar'")).totalSize).toBe(1);
  });

  it('should follow a webhook submission for the converted person (matched by email) to the Contact', async () => {
    // The webhook route stores the submission in the CLI's on-disk store, as `leadflow serve` does.
    const store = await openStore({ dataDir: path.join(dir, 'store') });
    const app = Fastify();
    try {
      const rt: Runtime = {
        config: { outputDir: dir, ingest: ingestConfig } as unknown as LeadflowConfig,
        org: () => Promise.reject(new Error('the webhook must not call Salesforce')),
        store,
        logger: pino({ level: 'silent' }),
        progress: () => ({ tick: () => undefined, setTotal: () => undefined, done: () => undefined }),
        now: () => new Date(),
        json: true,
        outputDir: dir
      };
      process.env.LEADFLOW_TEST_WEBFORM_SECRET = SECRET;
      await registerWebhookRoutes(app, rt);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const body = JSON.stringify({ email: 'Ioana.Radu@Example.ro', fullName: 'Ioana Radu', mobile: '+40 744 222 333', campaign: 'Pricing Page', formFills: 1 });
      const { port } = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/sources/webform/leads`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-leadflow-signature': signBody(SECRET, body) }
      });
      expect(res.status).toBe(202);
    } finally {
      await app.close();
      await store.close();
    }

    const { run, summary } = await ingestJson(['--source', 'webform']);
    expect(run.code).toBe(0);
    expect(summary).toMatchObject({ read: 1, created: 0, updatedContacts: 1, failed: 0, campaignMembers: 1 });
    expect(summary.contacts).toEqual([
      expect.objectContaining({ outcome: 'updated contact', fields: ['MobilePhone'], contactId: expect.stringMatching(new RegExp(`^${contactId.slice(0, 15)}`)) })
    ]);
    const contact = (await conn.query<Record<string, string>>(`SELECT MobilePhone, Title FROM Contact WHERE Id = '${contactId}'`)).records[0]!;
    expect(contact).toEqual(expect.objectContaining({ MobilePhone: '+40744222333', Title: 'Head of Operations' }));
    const members = await conn.query<{ ContactId: string | null }>("SELECT ContactId FROM CampaignMember WHERE Campaign.Name = 'Pricing Page'");
    expect(members.records.map((m) => m.ContactId?.slice(0, 15))).toEqual([contactId.slice(0, 15)]);
    // No new lead was created for the person.
    expect((await conn.query("SELECT Id FROM Lead WHERE Email = 'ioana.radu@example.ro'")).totalSize).toBe(1);

    // Engagement from both paths is recorded against the Contact (and the converted lead).
    const store2 = await openStore({ dataDir: path.join(dir, 'store') });
    try {
      const events = await listEngagementEvents(store2, [contactId]);
      expect(events.map((e) => [e.eventType, e.contactId?.slice(0, 15), e.leadId?.slice(0, 15)]).sort()).toEqual([
        ['form_fill', contactId.slice(0, 15), leadId.slice(0, 15)],
        ['page_view', contactId.slice(0, 15), leadId.slice(0, 15)]
      ]);
    } finally {
      await store2.close();
    }
  });

  it('should resolve the converted person by lead id, external id and email, in human and --json output', async () => {
    const human = await cli(['resolve', leadId]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Lead 00Q\w+: Ioana Radu <ioana\.radu@example\.ro>, Radu Logistics; status Closed - Converted, stage [^,]*, owner Admin User \(005\w+\); converted \d{4}-\d{2}-\d{2}; external id crm:p-1/);
    expect(human.stdout).toMatch(new RegExp(`Contact ${contactId.slice(0, 15)}\\w*: Ioana Radu <ioana\\.radu@example\\.ro>, owner Admin User`));
    expect(human.stdout).toMatch(/Account 001\w+: Radu Logistics, owner Admin User/);

    for (const who of ['crm:p-1', 'IOANA.RADU@example.ro']) {
      const run = await cli(['--json', 'resolve', who]);
      expect(run.code).toBe(0);
      const { summary } = JSON.parse(run.stdout) as { summary: { status: string; matchedBy: string; person: Record<string, Record<string, unknown> | null> } };
      expect(summary.status).toBe('found');
      expect(summary.person.lead).toMatchObject({ isConverted: true, externalId: 'crm:p-1', status: 'Closed - Converted' });
      expect(String(summary.person.contact!.id).slice(0, 15)).toBe(contactId.slice(0, 15));
      expect(summary.person.account).toMatchObject({ name: 'Radu Logistics' });
      expect(summary.person.opportunity).toBeNull(); // converted with doNotCreateOpportunity
    }
  });

  it('should exit 1 naming the lookup when nothing matches, and list every person an email matches', async () => {
    // A quote in the value must reach SOQL escaped: it is a not-found, not a MALFORMED_QUERY.
    const none = await cli(['resolve', "o'brien@example.com"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain(`Nothing matches "o'brien@example.com", looked up as an email (Lead and Contact)`);
    const noneJson = await cli(['--json', 'resolve', "crm:' OR Name != '"]);
    expect(noneJson.code).toBe(1);
    expect(JSON.parse(noneJson.stdout)).toMatchObject({ ok: false, summary: { status: 'not_found', matchedBy: 'externalId' } });

    await conn.sobject('Lead').create({ FirstName: 'Sam', LastName: 'Twin', Company: 'One Co', Email: 'shared@example.org' });
    await conn.sobject('Contact').create({ FirstName: 'Samantha', LastName: 'Twin', Email: 'shared@example.org' });
    const many = await cli(['resolve', 'shared@example.org']);
    expect(many.code).toBe(1);
    expect(many.stdout).toContain('2 people match email "shared@example.org"');
    expect(many.stdout).toMatch(/Lead 00Q\w+: Sam Twin/);
    expect(many.stdout).toMatch(/Contact 003\w+: Samantha Twin/);
    const manyJson = JSON.parse((await cli(['--json', 'resolve', 'shared@example.org'])).stdout) as { summary: { status: string; matches: unknown[] } };
    expect(manyJson.summary).toMatchObject({ status: 'ambiguous' });
    expect(manyJson.summary.matches).toHaveLength(2);
  });

  it.each(['collections', 'bulk'] as const)('should re-route rows whose lead is converted between the match query and the write (%s upsert)', async (surface) => {
    const store = await openStore({ dataDir: 'memory://' });
    const client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    try {
      // Two people: one ours (upsert by external id), one an existing lead matched by email (update by Id).
      const theirs = await conn.sobject('Lead').create({ LastName: 'Marin', Company: 'Marin SA', Email: `dan.marin@${surface}.example.ro` });
      const file = path.join(dir, 'race.csv');
      const rows = [
        { id: `${surface}-1`, firstName: 'Elena', lastName: 'Pop', email: `elena.pop@${surface}.example.ro`, company: 'Pop SRL', title: 'CFO' },
        { id: `${surface}-2`, firstName: 'Dan', lastName: 'Marin', email: `dan.marin@${surface}.example.ro`, company: 'Marin SA', title: 'CTO' }
      ];
      // bulkThreshold 1: the upsert goes through Bulk API 2.0, whose refusal comes back as sf__Error text.
      const write = { ...ingestConfig.write, ...(surface === 'bulk' ? { bulkThreshold: 1 } : {}) };
      const config = { outputDir: dir, ingest: { ...ingestConfig, write, sources: [{ name: 'race', kind: 'csv' }] } };
      fs.writeFileSync(file, csv(rows.map((r) => ({ ...r, title: '' }))));
      expect((await withRuntime({ store, org: client, json: true, cwd: dir, config }, (rt) => runIngestSource(rt, { file, source: 'race' }))).summary).toMatchObject({ created: 1, updated: 1 });
      const ours = (await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Source_External_Id__c = 'race:${surface}-1'`)).records[0]!.Id;

      // The writes see the org after both leads were converted by a rep, just after the match queries ran.
      const converted: Record<string, string> = {};
      const racing: OrgClient = new Proxy(client, {
        get(target, prop, receiver) {
          const beforeWrite = async () => {
            for (const id of [ours, theirs.id!]) if (!converted[id]) converted[id] = (await convert(conn, id)).contactId;
          };
          if (prop === 'bulk') {
            const bulk = target.bulk;
            return {
              ...bulk,
              query: bulk.query.bind(bulk),
              ingest: async (...args: Parameters<typeof bulk.ingest>) => {
                await beforeWrite();
                return bulk.ingest(...args);
              }
            };
          }
          if (prop !== 'rest') return Reflect.get(target, prop, receiver) as unknown;
          const rest = target.rest;
          return {
            ...rest,
            query: rest.query.bind(rest),
            queryPages: rest.queryPages.bind(rest),
            create: rest.create.bind(rest),
            delete: rest.delete.bind(rest),
            upsert: async (type: string, field: string, records: SObjectRecord[]): Promise<RecordResult[]> => {
              await beforeWrite();
              return rest.upsert(type, field, records);
            },
            update: async (type: string, records: SObjectRecord[]): Promise<RecordResult[]> => {
              if (type === 'Lead') await beforeWrite();
              return rest.update(type, records);
            }
          };
        }
      });
      fs.writeFileSync(file, csv(rows));
      const result = await withRuntime({ store, org: racing, json: true, cwd: dir, config }, (rt) => runIngestSource(rt, { file, source: 'race' }));
      expect(result.summary).toMatchObject({ updatedContacts: 2, created: 0, updated: 0, failed: 0 });
      expect(result.summary.writes.bulkJobs).toBe(surface === 'bulk' ? 1 : 0);
      expect(result.ok).toBe(true);
      for (const [row, id] of [[rows[0]!, ours], [rows[1]!, theirs.id!]] as const) {
        const c = (await conn.query<{ Title: string }>(`SELECT Title FROM Contact WHERE Id = '${converted[id]}'`)).records[0]!;
        expect(c.Title).toBe(row.title);
      }
    } finally {
      await client.close();
      await store.close();
    }
  });
});
