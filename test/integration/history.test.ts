/**
 * leadflow history + report against the local org, with a known history: the lead->opportunity timeline
 * is written back, milestones are set, an idle sync costs one API call, concurrent updates are picked up,
 * the SLA job escalates once, and the report's numbers match the history built here.
 */
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
    // Three leads: Won Co (Customer), Wait Co (SAL), Slow Co (MQL).
    expect(result.report.subjects).toBe(3);
    expect(result.report.totals.leadToSaleRate).toBeCloseTo(1 / 3);
    expect(result.report.totals.wonAmount).toBe(1000);
    const web = result.report.byChannel.find((c) => c.channel === 'Web')!;
    expect(web).toMatchObject({ leads: 2, customers: 1 });
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
