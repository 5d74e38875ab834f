/**
 * The sales acceptance clock end to end with the real `leadflow` CLI against the local org: an MQL nobody accepts
 * is recycled by `leadflow history` (SLA Expired), marketing sends the same person back as a new MQL, the second
 * pass gets its own clock (and expires on its own), and `leadflow report` counts two passes for that person with
 * both recycles kept in Funnel_Stage_Change__c. The clock is two seconds long (history.sla.acceptWithinDays is a
 * number of days and may be fractional), so the test waits for real time to pass instead of faking it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

const CLOCK_MS = 2000;
const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LeadRow {
  Funnel_Stage__c: string;
  Status: string;
  Recycle_Reason__c: string | null;
  SAL_Accept_By__c: string | null;
}

describe('sales acceptance clock: expiry, re-entry and two passes (leadflow CLI)', () => {
  let org: Awaited<ReturnType<typeof startTestOrg>>;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  let leadId: string;

  const cli = async (...args: string[]) => {
    const run = await runLeadflow(['--config', configPath, '--json', ...args], {
      cwd: dir,
      timeoutMs: 90_000
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as {
      ok: boolean;
      summary: Record<string, unknown> & { sla?: unknown; report?: { leads: unknown } };
    };
  };
  const lead = async () =>
    (
      await conn.query<LeadRow>(
        `SELECT Funnel_Stage__c, Status, Recycle_Reason__c, SAL_Accept_By__c FROM Lead WHERE Id = '${leadId}'`
      )
    ).records[0]!;
  const mqlEntries = async () =>
    (
      await conn.query<{ CreatedDate: string; NewValue: string }>(
        `SELECT CreatedDate, NewValue FROM LeadHistory WHERE LeadId = '${leadId}' AND Field = 'Funnel_Stage__c' ORDER BY CreatedDate`
      )
    ).records
      .filter((h) => h.NewValue === 'MQL')
      .map((h) => new Date(h.CreatedDate).getTime());

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-sal-'));
    configPath = writeLocalConfig(dir, org.url, {
      history: {
        overlapMinutes: 0,
        followUp: { cadence: [] },
        sla: { acceptWithinDays: CLOCK_MS / DAY_MS, action: 'recycle' }
      }
    });
    const created = (await conn
      .sobject('Lead')
      .create({ LastName: 'Twice', Company: 'Loop Co', LeadSource: 'Webinar', Funnel_Stage__c: 'Name' })) as {
      id: string;
    };
    leadId = created.id;
    await conn.sobject('Lead').update({ Id: leadId, Funnel_Stage__c: 'MQL' });
  });

  afterAll(async () => {
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should recycle the MQL with SLA Expired once its clock has run out', async () => {
    await sleep(CLOCK_MS + 500);

    const run = await cli('history');

    expect(run.summary.sla).toMatchObject({ breaches: 1, recycled: 1, failures: [] });
    const [firstEntry] = await mqlEntries();
    expect(await lead()).toMatchObject({
      Funnel_Stage__c: 'Recycled',
      Status: 'Closed - Not Converted',
      Recycle_Reason__c: 'SLA Expired'
    });
    expect(new Date((await lead()).SAL_Accept_By__c!).getTime()).toBe(firstEntry! + CLOCK_MS);

    const again = await cli('history');
    expect(again.summary.sla).toMatchObject({ breaches: 0, recycled: 0 });
  });

  it('should give the re-entered lead a new clock that expires on its own', async () => {
    // Marketing re-qualifies the same person: a new MQL for the same lead record.
    await conn.sobject('Lead').update({ Id: leadId, Funnel_Stage__c: 'MQL', Status: 'Open - Not Contacted' });
    await sleep(CLOCK_MS + 500);

    const run = await cli('history');

    expect(run.summary.sla).toMatchObject({ breaches: 1, recycled: 1, failures: [] });
    const entries = await mqlEntries();
    expect(entries).toHaveLength(2);
    const saved = await lead();
    expect(saved).toMatchObject({ Funnel_Stage__c: 'Recycled', Recycle_Reason__c: 'SLA Expired' });
    // The deadline of the second pass, not the first one's.
    expect(new Date(saved.SAL_Accept_By__c!).getTime()).toBe(entries[1]! + CLOCK_MS);
  });

  it('should count two passes for the person and keep both recycles in the stage history', async () => {
    await cli('history', '--no-sla');

    const report = await cli('report', '--format', 'json');

    const leads = report.summary.report?.leads as { subjects: number; passes: number };
    expect(leads.subjects).toBe(1);
    expect(leads.passes).toBe(2);
    const rows = await conn.query<{ From_Stage__c: string | null; To_Stage__c: string }>(
      `SELECT From_Stage__c, To_Stage__c FROM Funnel_Stage_Change__c WHERE Lead__c = '${leadId}' ORDER BY Entered_At__c`
    );
    expect(rows.records.map((r) => r.To_Stage__c)).toEqual(['Name', 'MQL', 'Recycled', 'MQL', 'Recycled']);
  });
});
