/**
 * leadflow history + report against the local org, with a known history: the lead->opportunity timeline
 * is written back, milestones are set, an idle sync costs one API call, concurrent updates are picked up,
 * the SLA job escalates once, and the report's numbers match the history built here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { runHistory, runReport } from '../../src/history';
import { withRuntime } from '../../src/runtime/runtime';
import { createOrgClient } from '../../src/salesforce/client';
import type { OrgClient } from '../../src/salesforce/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const DAY = 86_400_000;

describe('leadflow history on the local org', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  let now = new Date();
  const ids: Record<string, string> = {};
  const config = { history: { overlapMinutes: 0, followUp: { cadence: [] } } };

  const run = <T>(fn: Parameters<typeof withRuntime<T>>[1]) =>
    withRuntime<T>({ store, org: client, json: true, config, now: () => now }, fn);

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });

    // Won deal: lead Name -> MQL -> SQL, converted, opportunity Prospecting -> Closed Won.
    const won = await conn
      .sobject('Lead')
      .create({ LastName: 'Winner', Company: 'Won Co', LeadSource: 'Web', Funnel_Stage__c: 'Name' });
    ids.won = (won as { id: string }).id;
    await conn.sobject('Lead').update({ Id: ids.won, Funnel_Stage__c: 'MQL' });
    await conn
      .sobject('Lead')
      .update({ Id: ids.won, Funnel_Stage__c: 'SQL', Qualification_Status__c: 'Qualified' });
    const conv = await conn.soap.convertLead({ leadId: ids.won, convertedStatus: 'Closed - Converted' });
    expect(conv.success).toBe(true);
    ids.wonOpp = conv.opportunityId!;
    await conn.sobject('Opportunity').update({ Id: ids.wonOpp, StageName: 'Closed Won', Amount: 1000 });

    // MQL waiting for sales, from a trade show.
    const mql = await conn
      .sobject('Lead')
      .create({ LastName: 'Waiting', Company: 'Wait Co', LeadSource: 'Trade Show', Funnel_Stage__c: 'MQL' });
    ids.mql = (mql as { id: string }).id;
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should sync, write the funnel timeline back and set milestone dates', async () => {
    const summary = await run((rt) => runHistory(rt, { sla: false }));
    expect(summary.sync.leads).toBe(2);
    expect(summary.timelines).toBe(2);
    expect(summary.writeBack?.failures).toEqual([]);

    const rows = await conn.query<{
      From_Stage__c: string | null;
      To_Stage__c: string;
      Opportunity__c: string | null;
    }>(
      `SELECT From_Stage__c, To_Stage__c, Opportunity__c FROM Funnel_Stage_Change__c WHERE Lead__c = '${ids.won}' ORDER BY Entered_At__c, CreatedDate`
    );
    expect(rows.records.map((r) => r.To_Stage__c)).toEqual([
      'Name',
      'MQL',
      'SQL',
      'Prospecting',
      'Closed Won'
    ]);
    expect(rows.records.every((r) => r.Opportunity__c === ids.wonOpp)).toBe(true);

    const opp = await conn.sobject('Opportunity').retrieve(ids.wonOpp!);
    expect(opp.Won_Date__c).toBe(new Date().toISOString().slice(0, 10));
    expect(opp.MQL_Date__c).toBeTruthy();
    const mql = await conn.sobject('Lead').retrieve(ids.mql!);
    expect(mql.MQL_Date__c).toBeTruthy();
  });

  it('should cost one API call and write nothing when nothing changed', async () => {
    const before = client.usage.total();
    const summary = await run((rt) => runHistory(rt, { sla: false }));
    expect(summary.writeBack?.stageChangesWritten).toBe(0);
    expect(summary.writeBack?.milestonesWritten).toBe(0);
    expect(client.usage.total() - before).toBe(1);
  });

  it('should read the org currency again, in a second call, once the stored copy is a day old', async () => {
    await store.query(`update hist_org_meta set value = '"XXX"'::jsonb, updated_at = now() - interval '25 hours' where key = 'currency'`);
    const before = client.usage.total();
    await run((rt) => runHistory(rt, { sla: false }));
    // Five queries fill one Composite request (Salesforce's limit): the currency query needs a second one.
    expect(client.usage.total() - before).toBe(2);
    const rows = await store.query<{ value: unknown }>(`select value from hist_org_meta where key = 'currency'`);
    expect(rows[0]?.value).toBe('USD');
  });

  it('should pick up changes made between syncs', async () => {
    await conn.sobject('Lead').update({ Id: ids.mql!, Status: 'Working - Contacted' });
    const summary = await run((rt) => runHistory(rt, { sla: false }));
    // The changed lead, plus at most the row sitting exactly on the watermark (re-read on purpose: `>=`).
    expect(summary.sync.leads).toBeGreaterThanOrEqual(1);
    expect(summary.sync.leadHistory).toBeGreaterThanOrEqual(1);
    const rows = await conn.query<{ To_Stage__c: string }>(
      `SELECT To_Stage__c FROM Funnel_Stage_Change__c WHERE Lead__c = '${ids.mql}' ORDER BY Entered_At__c`
    );
    expect(rows.records.map((r) => r.To_Stage__c)).toEqual(['MQL', 'SAL']);
  });

  it('should escalate an MQL not accepted within the SLA exactly once', async () => {
    const waiting = await conn
      .sobject('Lead')
      .create({ LastName: 'Ignored', Company: 'Slow Co', LeadSource: 'Web', Funnel_Stage__c: 'MQL' });
    const leadId = (waiting as { id: string }).id;
    await run((rt) => runHistory(rt, { sla: false }));
    now = new Date(Date.now() + 8 * DAY);
    const first = await run((rt) => runHistory(rt, {}));
    expect(first.sla?.escalated).toBe(1);
    const second = await run((rt) => runHistory(rt, {}));
    expect(second.sla?.escalated).toBe(0);
    const tasks = await conn.query(`SELECT Id, Priority FROM Task WHERE WhoId = '${leadId}'`);
    expect(tasks.totalSize).toBe(1);
    const lead = await conn.sobject('Lead').retrieve(leadId);
    expect(lead.SAL_Accept_By__c).toBeTruthy();
  });

  it('should report the funnel computed from the synced history', async () => {
    const result = await run((rt) =>
      runReport(rt, { outDir: path.join(os.tmpdir(), 'leadflow-history-test') })
    );
    // Three leads: Won Co (Customer), Wait Co (SAL), Slow Co (MQL); no lead-less deal.
    expect(result.report.subjects).toBe(3);
    expect(result.report.deals.subjects).toBe(0);
    expect(result.report.leads.leadToSale).toEqual({ count: 1, n: 3, rate: 1 / 3 });
    // The org's currency (Organization.DefaultCurrencyIsoCode), read during the history sync.
    expect(result.report.leads.won).toEqual({ amount: 1000, currency: 'USD' });
    const web = result.report.leads.byChannel.find((c) => c.channel === 'Web')!;
    expect(web).toMatchObject({ passes: 2, leadToSale: { count: 1, n: 2 } });
  });

  it('should delete stale lf: stage changes an older timeline wrote, report them, and keep rows it did not write', async () => {
    // As an older leadflow left them: an `lf:` row (and its hist_written entry) for a visit the timeline no
    // longer produces, next to a row someone entered by hand without the prefix.
    const staleKey = `lf:${ids.mql}:00000000deadbeef`;
    const seeded = await conn.sobject('Funnel_Stage_Change__c').create([
      { External_Id__c: staleKey, Lead__c: ids.mql, From_Stage__c: 'MQL', To_Stage__c: 'SAL', Entered_At__c: '2020-01-01T00:00:00.000Z', Duration_Hours__c: 0, Source_System__c: 'leadflow' },
      { External_Id__c: `manual-${ids.mql}`, Lead__c: ids.mql, To_Stage__c: 'SAL', Entered_At__c: '2020-01-01T00:00:00.000Z', Source_System__c: 'hand' }
    ]);
    expect(seeded.every((r) => r.success)).toBe(true);
    await store.query("insert into hist_written (kind, key, hash) values ('stage_change', $1, 'old')", [staleKey]);
    await conn.sobject('Lead').update({ Id: ids.mql!, Funnel_Stage__c: 'SQL' });

    const first = await run((rt) => runHistory(rt, { sla: false }));
    expect(first.writeBack?.staleStageChangesRemoved).toBe(1);
    expect(first.writeBack?.failures).toEqual([]);
    const left = await conn.query<{ External_Id__c: string }>(`SELECT External_Id__c FROM Funnel_Stage_Change__c WHERE Lead__c = '${ids.mql}'`);
    const keys = left.records.map((r) => r.External_Id__c);
    expect(keys).not.toContain(staleKey);
    expect(keys).toContain(`manual-${ids.mql}`);
    expect(keys.filter((k) => k.startsWith('lf:'))).toHaveLength(3); // MQL, SAL, SQL as the timeline has them
    expect(await store.query("select key from hist_written where kind = 'stage_change' and key = $1", [staleKey])).toEqual([]);

    const rerun = await run((rt) => runHistory(rt, { sla: false }));
    expect(rerun.writeBack).toMatchObject({ staleStageChangesRemoved: 0, stageChangesWritten: 0 });

    // A subject whose timeline did not change is only checked on a full run.
    const wonStale = `lf:${ids.won}:00000000cafebabe`;
    await conn.sobject('Funnel_Stage_Change__c').create({ External_Id__c: wonStale, Lead__c: ids.won, To_Stage__c: 'SAL', Source_System__c: 'leadflow' });
    expect((await run((rt) => runHistory(rt, { sla: false }))).writeBack?.staleStageChangesRemoved).toBe(0);
    expect((await run((rt) => runHistory(rt, { sla: false, full: true }))).writeBack?.staleStageChangesRemoved).toBe(1);
    expect((await conn.query(`SELECT Id FROM Funnel_Stage_Change__c WHERE External_Id__c = '${wonStale}'`)).totalSize).toBe(0);
  });
});

/**
 * Incremental sync under concurrent updates: leads change while a sync is paging through them. The sync
 * after that (with the default overlap window) must leave the store equal to the org, with no change lost.
 */
describe('leadflow history with concurrent updates', () => {
  const LEADS = 2500; // more than one 2000-row query page
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  const config = { history: { followUp: { cadence: [] } } };
  const sync = () =>
    withRuntime({ store, org: client, json: true, config }, (rt) =>
      runHistory(rt, { writeBack: false, sla: false })
    );

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    const leads = Array.from({ length: LEADS }, (_, i) => ({
      LastName: `Busy${i}`,
      Company: `Busy Co ${i}`,
      Funnel_Stage__c: 'Name'
    }));
    const res = await client.bulk.ingest('Lead', 'insert', leads);
    expect(res.results.every((r) => r.success)).toBe(true);
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should converge on the org state after updates made during a sync', async () => {
    const readAll = async () => {
      const rows: { Id: string; Funnel_Stage__c: string }[] = [];
      let page = await conn.query<{ Id: string; Funnel_Stage__c: string }>(
        'SELECT Id, Funnel_Stage__c FROM Lead ORDER BY Id'
      );
      for (;;) {
        rows.push(...page.records);
        if (page.done) return rows;
        page = await conn.queryMore<{ Id: string; Funnel_Stage__c: string }>(page.nextRecordsUrl!);
      }
    };
    const ids = (await readAll()).map((r) => r.Id);
    expect(ids).toHaveLength(LEADS);
    // Update leads from both ends of the paging order while the first sync runs.
    let updates = 0;
    let syncing = true;
    const first = sync().finally(() => (syncing = false));
    while (syncing && updates < 400) {
      const batch = [ids[updates]!, ids[LEADS - 1 - updates]!].map((Id) => ({ Id, Funnel_Stage__c: 'MQL' }));
      await conn.sobject('Lead').update(batch);
      updates += 1;
    }
    await first;
    expect(updates).toBeGreaterThan(0);
    await sync();

    const orgStages = new Map((await readAll()).map((r) => [r.Id, r.Funnel_Stage__c]));
    const stored = await store.query<{ id: string; funnel_stage: string }>(
      'select id, funnel_stage from hist_lead'
    );
    expect(stored).toHaveLength(LEADS);
    const mismatched = stored.filter((r) => orgStages.get(r.id) !== r.funnel_stage);
    expect(mismatched).toEqual([]);
    expect([...orgStages.values()].filter((s) => s === 'MQL')).toHaveLength(updates * 2);
  });
});

/**
 * The demo org (emulator/seed/demo.ts): 300 leads, whose MQL step saves Funnel_Stage__c and Status together,
 * and 80 opportunities created without a lead. The report must keep the two apart, show no 0-hour SAL visit
 * (in the report or in the Funnel_Stage_Change__c rows written back), list stages in funnel order, and agree
 * with headline numbers recomputed here from the org's raw records with plain code.
 */
describe('leadflow report on the demo org', () => {
  let org: TestOrg;
  let conn: Connection;
  let store: Store;
  let client: OrgClient;
  let report: Awaited<ReturnType<typeof runReport>>['report'];
  let html: string;
  const now = new Date();
  const config = { history: { followUp: { cadence: [] } } };

  async function all<T extends Record<string, unknown>>(soql: string): Promise<T[]> {
    const rows: T[] = [];
    let page = await conn.query<T>(soql);
    for (;;) {
      rows.push(...page.records);
      if (page.done) return rows;
      page = await conn.queryMore<T>(page.nextRecordsUrl!);
    }
  }

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'demo' });
    conn = org.connection();
    store = await openStore({ dataDir: 'memory://' });
    client = await createOrgClient({ emulatorUrl: org.url, env: {} });
    const outDir = path.join(os.tmpdir(), `leadflow-demo-report-${process.pid}`);
    await withRuntime({ store, org: client, json: true, config, now: () => now }, (rt) => runHistory(rt, { sla: false }));
    const result = await withRuntime({ store, org: client, json: true, config, now: () => now }, (rt) => runReport(rt, { outDir }));
    report = result.report;
    html = fs.readFileSync(result.files.html, 'utf8');
  });

  afterAll(async () => {
    await client?.close();
    await store?.close();
    await org?.close();
  });

  it('should count leads and lead-less deals apart', () => {
    expect(report.leads.subjects).toBe(300);
    expect(report.deals.subjects).toBe(80);
    expect(report.leads.leadToSql.n).toBe(report.leads.passes);
    expect(html).toContain('<h2>Deals without a lead</h2>');
    expect(html).toContain('Lead-less deals are reported on their own and never counted as leads');
  });

  it('should show no 0-hour SAL visit in the report or in the rows written back', async () => {
    const sal = report.leads.timeInStage.find((d) => d.stage === 'SAL')!;
    expect(sal.visits).toBeGreaterThan(0);
    expect(sal.medianDays!).toBeGreaterThan(0);
    const zero = await conn.query('SELECT Id FROM Funnel_Stage_Change__c WHERE Duration_Hours__c = 0');
    expect(zero.totalSize).toBe(0);
    const written = await conn.query('SELECT Id FROM Funnel_Stage_Change__c');
    expect(written.totalSize).toBeGreaterThan(500);
  });

  it('should list stages in funnel order: lead stages, then the org stage order, then the won stage', async () => {
    const stages = await all<{ ApiName: string; IsClosed: boolean; IsWon: boolean }>(
      'SELECT ApiName, IsClosed, IsWon FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder'
    );
    const expected = [
      'Name', 'Engaged', 'Target', 'MQL', 'SAL', 'SQL',
      ...stages.filter((s) => !s.IsClosed).map((s) => s.ApiName),
      stages.find((s) => s.IsWon)!.ApiName
    ];
    expect(report.stageOrder).toEqual(expected);
    expect(report.leads.stages.map((s) => s.stage)).toEqual(expected);
    // Time in stage lists every visited stage in that order (closed stages last).
    const dealStages = report.deals.timeInStage.map((d) => d.stage);
    expect(dealStages.filter((s) => expected.includes(s))).toEqual(expected.slice(6).filter((s) => dealStages.includes(s)));
    expect(dealStages).toContain('Closed Lost');
    expect(report.leads.timeInStage.map((d) => d.stage)).toEqual(expect.arrayContaining(['SQL', 'Recycled']));
  });

  it('should agree with headline numbers recomputed from the raw records', async () => {
    const leads = await all<{ Id: string; LeadSource: string | null; ConvertedOpportunityId: string | null }>(
      'SELECT Id, LeadSource, ConvertedOpportunityId FROM Lead'
    );
    const history = await all<{ LeadId: string; Field: string; OldValue: string | null; NewValue: string | null; CreatedDate: string }>(
      "SELECT LeadId, Field, OldValue, NewValue, CreatedDate FROM LeadHistory WHERE Field IN ('Status', 'Funnel_Stage__c')"
    );
    const opps = await all<{ Id: string; IsClosed: boolean; IsWon: boolean; Amount: number | null; CreatedDate: string }>(
      'SELECT Id, IsClosed, IsWon, Amount, CreatedDate FROM Opportunity'
    );
    const oppHistory = await all<{ OpportunityId: string; StageName: string; CreatedDate: string }>(
      'SELECT OpportunityId, StageName, CreatedDate FROM OpportunityHistory'
    );
    // Precondition of this simple recomputation: nobody re-enters after Recycled, so passes = leads.
    expect(history.some((h) => h.Field === 'Funnel_Stage__c' && h.OldValue === 'Recycled')).toBe(false);
    expect(report.leads.passes).toBe(leads.length);

    const sqlLeads = new Set(history.filter((h) => h.Field === 'Funnel_Stage__c' && h.NewValue === 'SQL').map((h) => h.LeadId));
    const recycled = new Set(
      history
        .filter((h) => (h.Field === 'Funnel_Stage__c' && h.NewValue === 'Recycled') || (h.Field === 'Status' && h.NewValue === 'Closed - Not Converted'))
        .map((h) => h.LeadId)
    );
    // A SAL visit: Funnel_Stage__c set to SAL, or Status set to Working - Contacted in a save that did not also set Funnel_Stage__c.
    const funnelSaves = new Set(history.filter((h) => h.Field === 'Funnel_Stage__c').map((h) => `${h.LeadId}|${h.CreatedDate}`));
    const salLeads = new Set(
      history
        .filter(
          (h) =>
            (h.Field === 'Funnel_Stage__c' && h.NewValue === 'SAL') ||
            (h.Field === 'Status' && h.NewValue === 'Working - Contacted' && !funnelSaves.has(`${h.LeadId}|${h.CreatedDate}`))
        )
        .map((h) => h.LeadId)
    );
    expect(report.leads.leadToSql).toEqual({ count: sqlLeads.size, n: leads.length, rate: sqlLeads.size / leads.length });
    expect(report.leads.recycled.count).toBe(recycled.size);
    expect(report.leads.stages.find((s) => s.stage === 'SAL')!.visited).toBe(salLeads.size);
    for (const channel of new Set(leads.map((l) => l.LeadSource ?? '(none)'))) {
      const ids = leads.filter((l) => (l.LeadSource ?? '(none)') === channel).map((l) => l.Id);
      const row = report.leads.byChannel.find((c) => c.channel === channel)!;
      expect({ channel, sql: row.leadToSql.count, n: row.leadToSql.n }).toEqual({
        channel,
        sql: ids.filter((id) => sqlLeads.has(id)).length,
        n: ids.length
      });
    }

    const converted = new Set(leads.map((l) => l.ConvertedOpportunityId).filter(Boolean));
    const deals = opps.filter((o) => !converted.has(o.Id));
    const won = deals.filter((o) => o.IsWon);
    expect(report.deals.leadToSale).toEqual({ count: won.length, n: deals.length, rate: won.length / deals.length });
    expect(report.leads.leadToSale.count).toBe(0);
    const sum = (xs: { Amount: number | null }[]) => xs.reduce((s, o) => s + (o.Amount ?? 0), 0);
    expect(report.deals.won.amount).toBeCloseTo(sum(won), 2);
    expect(report.deals.pipeline.amount).toBeCloseTo(sum(deals.filter((o) => !o.IsClosed)), 2);
    const daysToWin = won
      .map((o) => {
        const wonAt = oppHistory
          .filter((h) => h.OpportunityId === o.Id && h.StageName === 'Closed Won')
          .map((h) => Date.parse(h.CreatedDate))
          .sort((a, b) => a - b)[0]!;
        return (wonAt - Date.parse(o.CreatedDate)) / 86_400_000;
      })
      .sort((a, b) => a - b);
    const mid = Math.floor(daysToWin.length / 2);
    const medianDays = daysToWin.length % 2 ? daysToWin[mid]! : (daysToWin[mid - 1]! + daysToWin[mid]!) / 2;
    expect(report.deals.velocity.daysToWin.medianDays).toBeCloseTo(medianDays, 6);
    expect(report.leads.velocity.daysToWin.n).toBe(0);
  });
});
