/**
 * leadflow convert against the local org: account matching (same domain different name, free-mail domains
 * never matched, non-Latin names), ambiguous accounts skipped, shared new account for one company, contact
 * reuse, refusal by the org's server-side enforcement, dry run, idempotent rerun and call counts.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { runConvert } from '../../src/conversion';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;

describe('leadflow convert on the local org', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  const ids: Record<string, string> = {};

  const qualified = { Status: 'Open - Not Contacted', Qualification_Status__c: 'Qualified', Lead_Grade__c: 'Hot' };

  async function create(type: string, name: string, record: Record<string, unknown>): Promise<string> {
    const res = (await conn.sobject(type).create(record)) as { id: string; success: boolean; errors: unknown[] };
    if (!res.success) throw new Error(`${type} ${name}: ${JSON.stringify(res.errors)}`);
    ids[name] = res.id;
    return res.id;
  }

  const run = (opts: Parameters<typeof runConvert>[1] = {}) =>
    withRuntime({ store, org: client, json: true, config: {} }, (rt) => runConvert(rt, opts));

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });

    await create('Account', 'acmeAccount', { Name: 'Acme Corporation', Website: 'https://acme.com', Website_Domain__c: 'acme.com' });
    await create('Account', 'gmailFans', { Name: 'Gmail Fans', Website_Domain__c: 'gmail.com' });
    await create('Account', 'globex', { Name: 'Globex' });
    await create('Account', 'toyota', { Name: 'トヨタ' });
    await create('Account', 'dup1', { Name: 'Dup One', Website_Domain__c: 'dup.com' });
    await create('Account', 'dup2', { Name: 'Dup Two', Website_Domain__c: 'dup.com' });
    await create('Contact', 'acmeContact', { LastName: 'Existing', Email: 'ann@acme.com', AccountId: ids.acmeAccount });

    await create('Lead', 'acmeLead', { ...qualified, FirstName: 'Ann', LastName: 'Lee', Company: 'Acme Inc', Website: 'www.acme.com', Email: 'ann@acme.com', Budget_Amount__c: 25000, Purchase_Timeline__c: '1-3 Months' });
    await create('Lead', 'globexLead', { ...qualified, LastName: 'Gmailer', Company: 'Globex GmbH', Email: 'boss@gmail.com' });
    await create('Lead', 'toyotaLead', { ...qualified, LastName: '山田', Company: '株式会社トヨタ' });
    await create('Lead', 'dupLead', { ...qualified, LastName: 'Ambiguous', Company: 'Dup', Website: 'dup.com' });
    await create('Lead', 'newco1', { ...qualified, LastName: 'One', Company: 'NewCo', Website: 'https://newco.io' });
    await create('Lead', 'newco2', { ...qualified, LastName: 'Two', Company: 'NewCo Ltd', Email: 'two@newco.io' });
    await create('Lead', 'raced', { ...qualified, LastName: 'Raced', Company: 'Raced Corp', Website: 'raced.example' });
    await create('Lead', 'unqualified', { Status: 'Open - Not Contacted', LastName: 'Nope', Company: 'Nope Inc', Qualification_Status__c: 'Not Qualified' });
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should print a plan on --dry-run and write nothing', async () => {
    const accountsBefore = (await conn.query('SELECT COUNT() FROM Account')).totalSize;
    const result = await run({ dryRun: true });
    const byLead = new Map(result.plan.leads.map((p) => [p.leadId, p]));

    expect(result.execution).toBeNull();
    expect(byLead.has(ids.unqualified!)).toBe(false);
    expect(byLead.get(ids.acmeLead!)).toMatchObject({
      account: { action: 'existing', accountId: ids.acmeAccount, matchedBy: 'domain' },
      contact: { action: 'existing', contactId: ids.acmeContact },
      opportunity: { stage: 'Prospecting', amount: 25000 }
    });
    // gmail.com is a free-mail domain: never matched by domain, so the company name decides.
    expect(byLead.get(ids.globexLead!)?.account).toMatchObject({ action: 'existing', accountId: ids.globex, matchedBy: 'name' });
    expect(byLead.get(ids.toyotaLead!)?.account).toMatchObject({ action: 'existing', accountId: ids.toyota, matchedBy: 'name' });
    expect(byLead.get(ids.dupLead!)?.skipReason).toMatch(/ambiguous account: 2 accounts have domain dup\.com/);
    expect(byLead.get(ids.newco1!)?.account).toMatchObject({ action: 'new', domain: 'newco.io' });
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(accountsBefore);
  });

  it('should convert qualified leads, share one new account per company and report refusals', async () => {
    // A rep marks one lead unqualified after it was selected: the org's validation rule must refuse it.
    const { buildPlan, executePlan, parseConversionConfig } = await import('../../src/conversion');
    const config = parseConversionConfig({});
    const plan = await buildPlan(client, config, { today: new Date() });
    await conn.sobject('Lead').update({ Id: ids.raced!, Qualification_Status__c: 'Not Qualified' });
    const before = client.usage.bySurface().soap ?? 0;
    const summary = await executePlan(client, store, plan, config);

    expect(summary.converted).toBe(5);
    expect(summary.skipped).toBe(1);
    expect(summary.failed).toBe(1);
    expect(summary.convertCalls).toBe(1);
    expect((client.usage.bySurface().soap ?? 0) - before).toBe(1);
    const raced = summary.outcomes.find((o) => o.leadId === ids.raced)!;
    expect(raced.errors[0]).toMatchObject({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    expect(raced.errors[0]!.message).toMatch(/required qualification criteria are not met/);

    const converted = await conn.query<{ Id: string; ConvertedAccountId: string; ConvertedContactId: string; ConvertedOpportunityId: string; IsConverted: boolean }>(
      `SELECT Id, IsConverted, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE IsConverted = true`
    );
    const byId = new Map(converted.records.map((r) => [r.Id, r]));
    expect(byId.get(ids.acmeLead!)).toMatchObject({ ConvertedAccountId: ids.acmeAccount, ConvertedContactId: ids.acmeContact });
    expect(byId.get(ids.globexLead!)?.ConvertedAccountId).toBe(ids.globex);
    expect(byId.get(ids.toyotaLead!)?.ConvertedAccountId).toBe(ids.toyota);
    expect(byId.get(ids.newco1!)?.ConvertedAccountId).toBe(byId.get(ids.newco2!)?.ConvertedAccountId);
    expect(byId.has(ids.raced!)).toBe(false);
    const newco = await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Website_Domain__c = 'newco.io'");
    expect(newco.totalSize).toBe(1);

    const opp = await conn.sobject('Opportunity').retrieve(byId.get(ids.acmeLead!)!.ConvertedOpportunityId);
    expect(opp).toMatchObject({ Amount: 25000, StageName: 'Prospecting' });
  });

  it('should never convert twice nor create a second account on rerun', async () => {
    const accountsBefore = (await conn.query('SELECT COUNT() FROM Account')).totalSize;
    const result = await run();
    expect(result.execution?.converted).toBe(0);
    expect(result.execution?.accountsCreated).toBe(0);
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(accountsBefore);
    const ledger = await store.query<{ status: string; n: string }>('select status, count(*)::text as n from conversion_ledger group by status order by status');
    expect(ledger).toEqual([
      { status: 'converted', n: '5' },
      { status: 'failed', n: '1' },
      { status: 'skipped', n: '1' }
    ]);
  });
});
