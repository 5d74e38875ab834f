/** The demo seed: realistic volumes and variety, history over 18 months, idempotent across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { LEAD_CHANNELS } from '../../emulator/seed/demo';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

jest.setTimeout(300000);

let dataDir: string;
let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'emu-seed-'));
  const started = Date.now();
  org = await startTestOrg({ dataDir, seed: 'demo' });
  process.stdout.write(`demo seed + start: ${Date.now() - started} ms\n`);
  conn = org.connection();
});

afterAll(async () => {
  await org?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function count(soql: string): Promise<number> {
  return (await conn.query(soql)).totalSize;
}

it('should seed users in two teams under a manager', async () => {
  const users = await conn.query<{ Department: string | null; Manager: { Name: string } | null }>(
    "SELECT Department, Manager.Name FROM User WHERE Department LIKE 'Sales -%'"
  );
  const departments = new Set(users.records.map((u) => u.Department));
  expect(departments).toEqual(new Set(['Sales - North', 'Sales - South']));
  expect(users.records.every((u) => u.Manager?.Name === 'Margarete Vogel')).toBe(true);
});

it('should seed the documented volumes', async () => {
  expect(org.emulator.seed?.skipped).toBe(false);
  expect(await count('SELECT Id FROM Account')).toBe(60);
  expect(await count('SELECT Id FROM Contact')).toBe(80);
  expect(await count('SELECT Id FROM Lead')).toBe(300);
  expect(await count('SELECT Id FROM Campaign')).toBeGreaterThanOrEqual(8);
  expect(await count('SELECT Id FROM CampaignMember')).toBeGreaterThan(150);
  expect(await count('SELECT Id FROM Task')).toBeGreaterThan(150);
  expect(await count('SELECT Id FROM Opportunity')).toBe(80);
});

it('should use every lead channel, several scripts and BANT values', async () => {
  const bySource = await conn.query<{ LeadSource: string }>(
    'SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource'
  );
  expect(new Set(bySource.records.map((r) => r.LeadSource))).toEqual(new Set(LEAD_CHANNELS));
  const leads = await conn.query<{ LastName: string; Company: string }>('SELECT LastName, Company FROM Lead');
  const text = leads.records.map((l) => `${l.LastName} ${l.Company}`).join(' ');
  expect(text).toMatch(/[șțăȘȚ]/); // Romanian
  expect(text).toMatch(/[\u0600-\u06FF]/); // Persian
  expect(text).toMatch(/[\u0400-\u04FF]/); // Cyrillic
  expect(text).toMatch(/[\u3040-\u30FF\u4E00-\u9FFF]/); // Japanese
  expect(text).toMatch(/[äöüß]/); // German
  expect(text).toMatch(/[ãçõ]/); // Portuguese
  expect(await count('SELECT Id FROM Lead WHERE Budget_Confirmed__c = true')).toBeGreaterThan(50);
  expect(await count("SELECT Id FROM Lead WHERE Authority_Level__c = 'Decision Maker'")).toBeGreaterThan(30);
  const stages = await conn.query<{ Funnel_Stage__c: string }>(
    'SELECT Funnel_Stage__c, COUNT(Id) n FROM Lead GROUP BY Funnel_Stage__c'
  );
  expect(new Set(stages.records.map((r) => r.Funnel_Stage__c))).toEqual(
    new Set(['Name', 'Engaged', 'MQL', 'Recycled', 'SAL', 'SQL'])
  );
});

it('should have opportunities in every stage with stage history over the past 18 months', async () => {
  const stages = await conn.query<{ StageName: string }>(
    'SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName'
  );
  expect(stages.records).toHaveLength(10);
  const history = await conn.query<{ CreatedDate: string }>(
    'SELECT CreatedDate FROM OpportunityHistory ORDER BY CreatedDate'
  );
  expect(history.totalSize).toBeGreaterThan(200);
  const first = new Date(history.records[0]?.CreatedDate.replace('+0000', 'Z') ?? '');
  const ageDays = (Date.now() - first.getTime()) / 86400000;
  expect(ageDays).toBeGreaterThan(300);
  expect(ageDays).toBeLessThanOrEqual(550);
  expect(await count("SELECT Id FROM LeadHistory WHERE Field = 'Funnel_Stage__c'")).toBeGreaterThan(100);
});

it('should skip seeding when the data dir is already seeded', async () => {
  const counts = org.emulator.seed?.counts;
  await org.close();
  org = await startTestOrg({ dataDir, seed: 'demo' });
  conn = org.connection();
  expect(org.emulator.seed).toEqual({ skipped: true, counts });
  expect(await count('SELECT Id FROM Lead')).toBe(300);
});
