/**
 * leadflow qualify against the local org: criteria from the org's custom metadata, engagement from Tasks
 * and store events, write-back of only the changed leads (<= ceil(changed/200) collection calls), a
 * second sweep that writes nothing, the watermark, a resumed sweep after a crash between batches, and
 * the Bulk API 2.0 path above the threshold.
 */
import { runQualify, WATERMARK_NAME, type QualifyOptions, type QualifySummary } from '../../src/qualification';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient, RestApi, SObjectRecord } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;

const LEADS = 450;
const OUTPUT = 'Fit_Score__c, Engagement_Score__c, Total_Score__c, Lead_Grade__c, Qualification_Status__c, Missing_Criteria__c, Funnel_Stage__c, Qualified_At__c';

describe('leadflow qualify on the local org', () => {
  let org: TestOrg;
  let store: Store;
  let client: OrgClient;
  let ids: string[] = [];

  const run = (opts: QualifyOptions = {}, config: Record<string, unknown> = {}, useClient: OrgClient = client): Promise<QualifySummary> =>
    withRuntime({ store, org: useClient, json: true, config }, (rt) => runQualify(rt, opts));
  const updateCalls = () => client.usage.bySurface()['collections'] ?? 0;
  const lead = async (id: string) => (await client.rest.query(`SELECT Id, ${OUTPUT} FROM Lead WHERE Id = '${id}'`))[0] as SObjectRecord;

  /** Lead i: every third meets all BANT requirements; the rest miss "Budget confirmed". */
  const leadRecord = (i: number): SObjectRecord => ({
    LastName: `Lead ${i}`,
    Company: `Company ${i}`,
    Status: 'Open - Not Contacted',
    Budget_Confirmed__c: i % 3 === 0,
    Budget_Amount__c: 20000,
    Authority_Level__c: 'Decision Maker',
    Need_Identified__c: true,
    Purchase_Timeline__c: 'Immediate',
    NumberOfEmployees: 500,
    Industry: 'Technology'
  });

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    const created = await client.rest.create('Lead', Array.from({ length: LEADS }, (_, i) => leadRecord(i)));
    expect(created.every((r) => r.success)).toBe(true);
    ids = created.map((r) => r.id as string);
    // Engagement: an email open and a pricing page view as Tasks on lead 1, a form fill from ingest in the store.
    const tasks = await client.rest.create('Task', [
      { WhoId: ids[1], Subject: 'Email Opened: spring launch' },
      { WhoId: ids[1], Subject: 'Page View: /pricing' },
      { WhoId: ids[1], Subject: 'Call', Type: 'Call' }
    ]);
    expect(tasks.every((r) => r.success)).toBe(true);
    await store.query(
      `insert into engagement_events (event_key, source, lead_key, lead_id, event_type, occurred_at) values ('k1', 'webform', 'webform:1', $1, 'form_fill', now())`,
      [ids[2]]
    );
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should evaluate every lead on the first sweep and write them with one collections call per 200', async () => {
    const before = updateCalls();
    const s = await run();
    expect(s).toMatchObject({ mode: 'all', resumed: false, candidates: LEADS, changed: LEADS, written: LEADS, failed: 0, writeApi: 'collections', criteriaSource: 'org custom metadata', criteria: 7 });
    expect(s.writeCalls).toBe(Math.ceil(LEADS / 200));
    expect(updateCalls() - before).toBe(Math.ceil(LEADS / 200));

    // Lead 0 meets every BANT + ICP criterion: fit 100, engagement 0 -> total 60, Warm, Qualified, SQL.
    expect(await lead(ids[0]!)).toMatchObject({ Fit_Score__c: 100, Engagement_Score__c: 0, Total_Score__c: 60, Lead_Grade__c: 'Warm', Qualification_Status__c: 'Qualified', Missing_Criteria__c: null, Funnel_Stage__c: 'SQL' });
    // Lead 1 misses "Budget confirmed" (25 of 100) but has an email open (2) and a pricing page view (8).
    expect(await lead(ids[1]!)).toMatchObject({ Fit_Score__c: 75, Engagement_Score__c: 10, Total_Score__c: 49, Lead_Grade__c: 'Warm', Qualification_Status__c: 'Not Qualified', Missing_Criteria__c: 'Budget confirmed', Funnel_Stage__c: 'MQL' });
    // Lead 2: the stored form fill (15 points).
    expect(await lead(ids[2]!)).toMatchObject({ Engagement_Score__c: 15, Total_Score__c: 51 });
    expect((await lead(ids[3]!))['Qualified_At__c']).toEqual(expect.any(String));
  });

  it('should write nothing on a second sweep and move the watermark to the run start', async () => {
    const qualifiedAt = (await lead(ids[5]!))['Qualified_At__c'];
    const before = updateCalls();
    const s = await run();
    expect(s).toMatchObject({ mode: 'incremental', changed: 0, written: 0, writeCalls: 0, writeApi: 'none' });
    // Everything was just written, so every lead is inside the window; all evaluated, none changed.
    expect(s.candidates).toBe(LEADS);
    expect(updateCalls() - before).toBe(0);
    expect((await lead(ids[5]!))['Qualified_At__c']).toBe(qualifiedAt);
    const wm = await store.query<{ value: string }>('select value from watermarks where name = $1', [WATERMARK_NAME]);
    expect(wm[0]?.value).toBe(s.until);
  });

  it('should only evaluate leads changed since the watermark, plus leads with new activity', async () => {
    // Move the watermark past the overlap so the earlier writes fall outside the window.
    // SOQL datetimes have second precision, so the sweep compares from the watermark's whole second: put the
    // watermark on the next second boundary and wait past it so the earlier writes are strictly before it.
    const mark = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((r) => setTimeout(r, mark - Date.now() + 20));
    await store.query('update watermarks set value = $2 where name = $1', [WATERMARK_NAME, new Date(mark).toISOString()]);
    await client.rest.update('Lead', [{ Id: ids[3], Budget_Confirmed__c: false }, { Id: ids[4], Budget_Confirmed__c: true }]);
    await client.rest.create('Task', [{ WhoId: ids[7], Subject: 'Form Submitted: demo request' }]);
    const before = updateCalls();
    const s = await run({}, { qualification: { sweep: { overlapSeconds: 0 } } });
    expect(s.candidates).toBe(3);
    expect(s).toMatchObject({ changed: 3, written: 3, writeCalls: 1 });
    expect(updateCalls() - before).toBe(1);
    expect(await lead(ids[3]!)).toMatchObject({ Qualification_Status__c: 'Not Qualified', Missing_Criteria__c: 'Budget confirmed' });
    expect(await lead(ids[4]!)).toMatchObject({ Qualification_Status__c: 'Qualified', Funnel_Stage__c: 'SQL' });
    expect(await lead(ids[7]!)).toMatchObject({ Engagement_Score__c: 15 });
  });

  it('should resume after a crash between batches without redoing the finished batch', async () => {
    // A new criteria file (no org read) where every lead's fit changes: 450 leads, 3 batches.
    const config = { qualification: { sweep: { overlapSeconds: 0 } } };
    const model = { criteria: [{ developerName: 'Size', label: 'Big company', framework: 'Custom' as const, field: 'NumberOfEmployees', operator: 'greaterOrEqual' as const, value: '1000', weight: 10, requiredForConversion: false, active: true, sortOrder: 1 }], thresholds: { hotMinScore: 70, warmMinScore: 40, fitWeight: 0.6, engagementWeight: 0.4 } };
    let updates = 0;
    const written: string[][] = [];
    const rest: RestApi = new Proxy(client.rest, {
      get(target, prop, receiver) {
        if (prop !== 'update') return Reflect.get(target, prop, receiver);
        return async (type: string, records: SObjectRecord[]) => {
          updates++;
          if (updates === 2) throw new Error('simulated crash');
          written.push(records.map((r) => String(r.Id)));
          return target.update(type, records);
        };
      }
    });
    const crashing = new Proxy(client, { get: (target, prop, receiver) => (prop === 'rest' ? rest : Reflect.get(target, prop, receiver)) });

    await expect(run({ all: true, model }, config, crashing)).rejects.toThrow('simulated crash');
    const [open] = await store.query<{ status: string; batches_done: number; done_through_id: string }>(`select status, batches_done, done_through_id from qualify_runs order by id desc limit 1`);
    expect(open).toMatchObject({ status: 'running', batches_done: 1 });
    expect(written[0]).toHaveLength(200);

    const s = await run({ model }, config, crashing);
    expect(s).toMatchObject({ resumed: true, mode: 'all', changed: LEADS - 200, written: LEADS - 200, failed: 0, writeCalls: 2 });
    const firstBatch = new Set(written[0]);
    const later = written.slice(1).flat();
    expect(later).toHaveLength(LEADS - 200);
    expect(later.some((id) => firstBatch.has(id))).toBe(false);
    expect(new Set([...written[0]!, ...later]).size).toBe(LEADS);
    const runs = await store.query<{ status: string }>(`select status from qualify_runs where status = 'running'`);
    expect(runs).toHaveLength(0);
    expect(await lead(ids[0]!)).toMatchObject({ Fit_Score__c: 0, Lead_Grade__c: 'Cold', Qualification_Status__c: 'Qualified' });
  });

  it('should refuse to run while another sweep holds the lock', async () => {
    await store.query(`insert into job_locks (name, owner) values ('qualify.sweep', 'someone-else')`);
    await expect(run()).rejects.toMatchObject({ code: 'LOCKED' });
    await store.query(`delete from job_locks where name = 'qualify.sweep'`);
  });

  it('should evaluate without writing on a dry run', async () => {
    const before = updateCalls();
    const s = await run({ all: true, dryRun: true });
    expect(s).toMatchObject({ dryRun: true, candidates: LEADS, changed: LEADS, written: 0, writeCalls: 0 });
    expect(updateCalls() - before).toBe(0);
  });

  it('should write through Bulk API 2.0 above the threshold, still only the changed leads', async () => {
    const config = { qualification: { sweep: { bulkThreshold: 10, overlapSeconds: 0 } }, org: { bulkPollIntervalMs: 50 } };
    const s = await run({ all: true }, config);
    expect(s).toMatchObject({ writeApi: 'bulk', changed: LEADS, written: LEADS, failed: 0 });
    expect(await lead(ids[0]!)).toMatchObject({ Fit_Score__c: 100, Qualification_Status__c: 'Qualified' });
    const again = await run({ all: true }, config);
    expect(again).toMatchObject({ changed: 0, writeCalls: 0 });
  });

  it('should retry a lead whose write failed on the next sweep, even when nothing on it changed', async () => {
    const config = { qualification: { sweep: { overlapSeconds: 0 } } };
    // SOQL datetimes have second precision, so the sweep compares from the watermark's whole second: put the
    // watermark on the next second boundary and wait past it so the earlier writes are strictly before it.
    const mark = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((r) => setTimeout(r, mark - Date.now() + 20));
    await store.query('update watermarks set value = $2 where name = $1', [WATERMARK_NAME, new Date(mark).toISOString()]);
    await client.rest.update('Lead', [{ Id: ids[10], Need_Identified__c: false }, { Id: ids[11], Need_Identified__c: false }]);
    const rest: RestApi = new Proxy(client.rest, {
      get(target, prop, receiver) {
        if (prop !== 'update') return Reflect.get(target, prop, receiver);
        // The org refuses lead 10 (as a validation rule would) and accepts the others.
        return async (type: string, records: SObjectRecord[]) => {
          const accepted = records.filter((r) => r.Id !== ids[10]);
          const results = await target.update(type, accepted);
          return records.map((r, index) =>
            r.Id === ids[10]
              ? { index, id: null, success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Not now', fields: [] }] }
              : { ...results[accepted.indexOf(r)]!, index }
          );
        };
      }
    });
    const refusing = new Proxy(client, { get: (target, prop, receiver) => (prop === 'rest' ? rest : Reflect.get(target, prop, receiver)) });
    const first = await run({}, config, refusing);
    expect(first).toMatchObject({ changed: 2, written: 1, failed: 1, errors: [{ id: ids[10], statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Not now' }] });
    expect(await store.query('select lead_id from qualify_failures')).toEqual([{ lead_id: ids[10] }]);

    // Nothing changes on lead 10, and the watermark has moved past its change: only the failure log brings it back.
    await store.query('update watermarks set value = $2 where name = $1', [WATERMARK_NAME, new Date(Date.now() + 1000).toISOString()]);
    const second = await run({}, config);
    expect(second).toMatchObject({ candidates: 1, changed: 1, written: 1, failed: 0 });
    // Lead 10 (10 % 3 != 0) already missed "Budget confirmed"; now it misses "Need identified" too.
    expect(await lead(ids[10]!)).toMatchObject({ Qualification_Status__c: 'Not Qualified', Missing_Criteria__c: 'Budget confirmed; Need identified' });
    expect(await store.query('select lead_id from qualify_failures')).toEqual([]);
  });
});
