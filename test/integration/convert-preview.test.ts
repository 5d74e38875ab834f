/**
 * `leadflow convert --dry-run` lists every reason a conversion would fail, one test per reason, against one local
 * org whose package adds a required Contact field (Region__c) and a short one (Nickname__c). Wording:
 * src/conversion/reasons.ts (the Apex preview uses the same templates, docs/conversion.md).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { planTable, runConvert } from '../../src/conversion';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;

const field = (name: string, length: number, required: boolean) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${name.replace('__c', '')}</label>
    <length>${length}</length>
    <required>${required}</required>
    <type>Text</type>
</CustomField>
`;

describe('convert preview reasons on the local org', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  let packageDir: string;
  const ids: Record<string, string> = {};
  const qualified = { Status: 'Open - Not Contacted', Qualification_Status__c: 'Qualified', Lead_Grade__c: 'Hot' };

  async function create(type: string, name: string, record: Record<string, unknown>): Promise<string> {
    const res = (await conn.sobject(type).create(record)) as { id: string; success: boolean; errors: unknown[] };
    if (!res.success) throw new Error(`${type} ${name}: ${JSON.stringify(res.errors)}`);
    ids[name] = res.id;
    return res.id;
  }

  const dryRun = (conversion: Record<string, unknown> = {}) =>
    withRuntime({ store, org: client, json: true, config: { conversion } }, (rt) => runConvert(rt, { dryRun: true }));
  const leadPlan = async (name: string, conversion: Record<string, unknown> = {}) => {
    const result = await dryRun(conversion);
    const plan = result.plan.leads.find((p) => p.leadId === ids[name]);
    if (!plan) throw new Error(`lead ${name} not planned`);
    return { plan, table: planTable(result.plan).join('\n') };
  };

  beforeAll(async () => {
    packageDir = mkdtempSync(path.join(tmpdir(), 'leadflow-preview-'));
    cpSync(path.resolve(__dirname, '../../force-app/main/default'), packageDir, { recursive: true });
    const contactFields = path.join(packageDir, 'objects/Contact/fields');
    mkdirSync(contactFields, { recursive: true });
    writeFileSync(path.join(contactFields, 'Region__c.field-meta.xml'), field('Region__c', 40, true));
    writeFileSync(path.join(contactFields, 'Nickname__c.field-meta.xml'), field('Nickname__c', 10, false));
    org = await startTestOrg({ seed: 'none', forceAppDir: packageDir });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });

    await create('Account', 'dup1', { Name: 'Dup One', Website_Domain__c: 'dup.example' });
    await create('Account', 'dup2', { Name: 'Dup Two', Website_Domain__c: 'dup.example' });
    await create('Account', 'hooli', { Name: 'Hooli', Website_Domain__c: 'hooli.example' });
    await create('Account', 'elsewhere', { Name: 'Pied Piper' });
    await create('Contact', 'gavin', { LastName: 'Belson', Email: 'gavin@hooli.example', AccountId: ids.elsewhere, Region__c: 'West' });
    await create('Lead', 'dupLead', { ...qualified, LastName: 'Ambiguous', Company: 'Dup', Website: 'https://www.dup.example' });
    await create('Lead', 'gavinLead', { ...qualified, LastName: 'Belson', Company: 'Hooli', Email: 'gavin@hooli.example' });
    await create('Lead', 'champ', { ...qualified, LastName: 'Long', Company: 'Champ Co', Website: 'champ.example', Champion__c: 'Maximilian Longname', Economic_Buyer__c: 'CFO' });
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
    rmSync(packageDir, { recursive: true, force: true });
  });

  it('should name a configured converted status the org does not mark Converted, and refuse to run', async () => {
    const result = await dryRun({ convertedStatus: 'Won' });
    expect(result.plan.reasons).toContainEqual({
      code: 'CONVERTED_STATUS_INVALID',
      field: 'Lead.Status',
      message: 'The converted status "Won" is not a Lead Status marked Converted in this org.',
      fix: 'Use one of the converted statuses (Closed - Converted), or mark a Lead Status value as Converted in Setup > Lead Status.',
      blocking: true
    });
    expect(planTable(result.plan)[0]).toBe(
      'BLOCKS EVERY LEAD - Lead.Status: The converted status "Won" is not a Lead Status marked Converted in this org. Fix: Use one of the converted statuses (Closed - Converted), or mark a Lead Status value as Converted in Setup > Lead Status.'
    );
    await expect(
      withRuntime({ store, org: client, json: true, config: { conversion: { convertedStatus: 'Won' } } }, (rt) => runConvert(rt))
    ).rejects.toThrow(/Nothing was converted:\n {2}Lead\.Status: The converted status "Won"/);
    expect((await conn.query('SELECT COUNT() FROM Lead WHERE IsConverted = true')).totalSize).toBe(0);
  });

  it('should name a required Contact field the mapping leaves empty', async () => {
    const { plan, table } = await leadPlan('champ');
    const required = plan.reasons.find((r) => r.code === 'REQUIRED_FIELD_UNMAPPED');
    expect(required).toEqual({
      code: 'REQUIRED_FIELD_UNMAPPED',
      field: 'Contact.Region__c',
      message: 'Contact.Region__c is required and the conversion leaves it empty.',
      fix: 'Give Contact.Region__c a default value, make it optional, or map a Lead field to it (Setup > Lead > Map Lead Fields).',
      blocking: true
    });
    expect(plan.skipReason).toContain('Contact.Region__c');
    expect(table).toContain(`${ids.champ} WOULD FAIL - Contact.Region__c: Contact.Region__c is required`);
    // Once mapped from a lead field the lead fills, the reason is gone.
    const mapped = await leadPlan('champ', { fieldMapping: { 'Contact.Region__c': 'Economic_Buyer__c' } });
    expect(mapped.plan.reasons.map((r) => r.field)).not.toContain('Contact.Region__c');
    // Mapped from a lead field this lead leaves empty: the reason names that lead field.
    const empty = await leadPlan('champ', { fieldMapping: { 'Contact.Region__c': 'Title' } });
    expect(empty.plan.reasons).toContainEqual({
      code: 'REQUIRED_FIELD_EMPTY',
      field: 'Contact.Region__c',
      message: 'Contact.Region__c is required and Lead.Title, which fills it, is empty on this lead.',
      fix: 'Fill in Lead.Title on the lead before converting.',
      blocking: true
    });
  });

  it('should name a mapped lead value longer than its target field', async () => {
    const { plan } = await leadPlan('champ', { fieldMapping: { 'Contact.Nickname__c': 'Champion__c' } });
    expect(plan.reasons).toContainEqual({
      code: 'VALUE_TOO_LONG',
      field: 'Contact.Nickname__c',
      message: 'Lead.Champion__c has 19 characters on this lead but Contact.Nickname__c holds at most 10.',
      fix: 'Shorten Lead.Champion__c on the lead to 10 characters, or make Contact.Nickname__c longer.',
      blocking: true
    });
  });

  it('should name a field mapping whose types cannot match', async () => {
    const result = await dryRun({ fieldMapping: { 'Account.NumberOfEmployees': 'Economic_Buyer__c' } });
    expect(result.plan.reasons).toContainEqual({
      code: 'TYPE_MISMATCH',
      field: 'Account.NumberOfEmployees',
      message: 'Lead.Economic_Buyer__c (string) cannot be copied to Account.NumberOfEmployees (int).',
      fix: 'Map Account.NumberOfEmployees from a Lead field of type int, or remove that mapping (Setup > Lead > Map Lead Fields).',
      blocking: true
    });
  });

  it('should name an ambiguous account match with the candidates', async () => {
    const { plan } = await leadPlan('dupLead');
    const [first, second] = [ids.dup1!, ids.dup2!].sort();
    expect(plan.reasons).toEqual([
      {
        code: 'AMBIGUOUS_ACCOUNT',
        field: 'Account.Website_Domain__c',
        message: `2 accounts match this lead by domain dup.example: ${first}, ${second}.`,
        fix: 'Choose one of these accounts when converting, or merge the duplicate accounts.',
        blocking: true
      }
    ]);
    expect(plan.account).toBeNull();
  });

  it('should warn that an existing contact under another account would be duplicated', async () => {
    const { plan } = await leadPlan('gavinLead');
    expect(plan.account).toMatchObject({ action: 'existing', accountId: ids.hooli, matchedBy: 'domain' });
    expect(plan.contact).toEqual({ action: 'new' });
    expect(plan.reasons).toContainEqual({
      code: 'DUPLICATE_CONTACT',
      field: 'Contact.Email',
      message: `Contact ${ids.gavin} under another account already has the email gavin@hooli.example: converting creates a second contact.`,
      fix: `Convert into account ${ids.elsewhere}, the contact's, to reuse it, or merge the contacts afterwards.`,
      blocking: false
    });
  });
});
