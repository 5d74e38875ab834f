/**
 * Routing with the package definition (issue 14), through the real CLI (bin/leadflow.js as a child process)
 * against a local org whose package carries an admin's routing setup: custom metadata Routing Team and
 * Routing Member records, plus Routing_Out_Of_Office__c rows entered as data.
 *
 * - `leadflow route --simulate <file>` prints the distribution and fairness and writes nothing;
 * - `leadflow ingest` owns every new lead by the definition, writes one Routing_Decision__c per lead and keeps
 *   the fairness state in Routing_Cursor__c, so the next run (or Apex) continues the same round robin;
 * - the three fairness failure modes at ingest level: a 200-lead file spreads over the team by weight, a member
 *   back from leave gets no burst, an inactive member's turns are not piled onto one backup.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { cliEnv, runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { copyProject } from '../helpers/package-copy';

// Each test spawns the CLI up to three times; on a shared, loaded machine one spawn took over a minute.
jest.setTimeout(300_000);

const SAM = 'sam.seller@leadflow.local';
const RILEY = 'riley.rep@leadflow.local';
const ADMIN = 'admin@leadflow.local';

/** A custom metadata record file as Setup > Custom Metadata Types > Manage Records saves it. */
function cmdt(label: string, values: Record<string, string | number | boolean>): string {
  const typed = Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, v]) => {
      const t = typeof v === 'boolean' ? 'xsd:boolean' : typeof v === 'number' ? 'xsd:double' : 'xsd:string';
      return `    <values>\n        <field>${field}</field>\n        <value xsi:type="${t}">${String(v)}</value>\n    </values>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>${label}</label>
    <protected>false</protected>
${typed}
</CustomMetadata>
`;
}

/** The admin's setup: a weighted push team for Platform, an equal team for Analytics with one inactive member. */
function packageWithRoutingSetup(): string {
  const project = copyProject();
  const md = path.join(project, 'force-app', 'main', 'default', 'customMetadata');
  const write = (name: string, label: string, values: Record<string, string | number | boolean>) =>
    fs.writeFileSync(path.join(md, `${name}.md-meta.xml`), cmdt(label, values));
  write('Routing_Team.Inbound_Platform', 'Inbound platform', {
    Active__c: true,
    Mode__c: 'Push',
    Product_Interest__c: 'Platform',
    Overflow_Owner__c: ADMIN,
    Sort_Order__c: 1
  });
  write('Routing_Member.Inbound_Sam', 'Inbound: Sam', { Team__c: 'Inbound_Platform', User__c: SAM, Weight__c: 2, Active__c: true, Sort_Order__c: 1 });
  write('Routing_Member.Inbound_Riley', 'Inbound: Riley', { Team__c: 'Inbound_Platform', User__c: RILEY, Weight__c: 1, Active__c: true, Sort_Order__c: 2 });
  write('Routing_Team.Inbound_Analytics', 'Inbound analytics', { Active__c: true, Mode__c: 'Push', Product_Interest__c: 'Analytics', Sort_Order__c: 2 });
  // Order sam, admin (inactive), riley: a skipping cursor would hand riley admin's turns too (2 of 3 leads).
  write('Routing_Member.Analytics_Sam', 'Analytics: Sam', { Team__c: 'Inbound_Analytics', User__c: SAM, Weight__c: 1, Active__c: true, Sort_Order__c: 1 });
  write('Routing_Member.Analytics_Admin', 'Analytics: Admin', { Team__c: 'Inbound_Analytics', User__c: ADMIN, Weight__c: 1, Active__c: false, Sort_Order__c: 2 });
  write('Routing_Member.Analytics_Riley', 'Analytics: Riley', { Team__c: 'Inbound_Analytics', User__c: RILEY, Weight__c: 1, Active__c: true, Sort_Order__c: 3 });
  return project;
}

function writeCsv(file: string, prefix: string, n: number, product: string): void {
  const lines = ['Record ID,First Name,Last Name,Email,Company Name,Product Interest'];
  for (let i = 1; i <= n; i++) lines.push(`${prefix}-${i},Pat,${prefix}${i},pat.${prefix.toLowerCase()}${i}@example-${prefix.toLowerCase()}${i}.com,${prefix} Co ${i},${product}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const today = () => new Date().toISOString().slice(0, 10);

describe('routing with the package definition (real CLI, local org)', () => {
  let org: TestOrg;
  let conn: Connection;
  let dir: string;
  let project: string;
  let configPath: string;
  const users = new Map<string, string>();

  const leadflow = async (args: string[]) => {
    const run = await runLeadflow(['--config', configPath, ...args], { cwd: dir, env: cliEnv(), timeoutMs: 240_000 });
    if (run.code !== 0) throw new Error(`leadflow ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
    return run;
  };
  const ownersOf = async (prefix: string) => {
    const rows = (await conn.query<{ OwnerId: string }>(`SELECT OwnerId FROM Lead WHERE LastName LIKE '${prefix}%'`)).records;
    const byId = new Map([...users].map(([u, id]) => [id.slice(0, 15), u]));
    const counts: Record<string, number> = {};
    for (const r of rows) {
      const u = byId.get(r.OwnerId.slice(0, 15)) ?? r.OwnerId;
      counts[u] = (counts[u] ?? 0) + 1;
    }
    return counts;
  };
  const ingest = async (name: string, prefix: string, n: number, product: string) => {
    const file = path.join(dir, `${name}.csv`);
    writeCsv(file, prefix, n, product);
    return JSON.parse((await leadflow(['--json', 'ingest', file, '--preset', 'hubspot'])).stdout) as { ok: boolean; summary: Record<string, unknown> };
  };

  beforeAll(async () => {
    project = packageWithRoutingSetup();
    org = await startTestOrg({ seed: 'none', forceAppDir: path.join(project, 'force-app', 'main', 'default') });
    conn = org.connection();
    for (const u of (await conn.query<{ Id: string; Username: string }>('SELECT Id, Username FROM User')).records) users.set(u.Username, u.Id);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-routing-'));
    configPath = writeLocalConfig(dir, org.url);
  }, 120_000);

  afterAll(async () => {
    await org?.close();
    for (const d of [dir, project]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('route --simulate prints the distribution and fairness from the org definition and writes nothing', async () => {
    const leadsFile = path.join(dir, 'simulate.json');
    fs.writeFileSync(
      leadsFile,
      JSON.stringify([
        ...Array.from({ length: 6 }, (_, i) => ({ key: `P${i + 1}`, Product_Interest__c: 'Platform' })),
        ...Array.from({ length: 4 }, (_, i) => ({ key: `A${i + 1}`, Product_Interest__c: 'Analytics' })),
        { key: 'X1', Product_Interest__c: 'Hardware' }
      ])
    );
    const counts = async () => ({
      leads: (await conn.query('SELECT COUNT() FROM Lead')).totalSize,
      decisions: (await conn.query('SELECT COUNT() FROM Routing_Decision__c')).totalSize,
      cursors: (await conn.query('SELECT COUNT() FROM Routing_Cursor__c')).totalSize
    });
    const before = await counts();

    const human = await leadflow(['route', '--simulate', leadsFile]);
    expect(human.stdout).toContain('Simulated 11 lead(s) from an empty fairness state; nothing was written.');
    expect(human.stdout).toMatch(new RegExp(`${SAM.replace(/\./g, '\\.')}\\s+6`));
    expect(human.stdout).toMatch(/\(unassigned\)\s+1/);

    const json = JSON.parse((await leadflow(['--json', 'route', '--simulate', leadsFile])).stdout) as {
      summary: { distribution: Record<string, number>; fairness: { team: string; user: string; assigned: number; target: number }[] };
    };
    // Platform 2:1 -> sam 4, riley 2; Analytics equal over the two active members -> 2 and 2; Hardware: no team.
    expect(json.summary.distribution).toEqual({ [SAM]: 6, [RILEY]: 4, '(unassigned)': 1 });
    expect(json.summary.fairness).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ team: 'Inbound_Platform', user: SAM, assigned: 4, target: 0.6667 }),
        expect.objectContaining({ team: 'Inbound_Analytics', user: ADMIN, assigned: 0, target: 0 })
      ])
    );
    expect(await counts()).toEqual(before);
  });

  it('ingest spreads a 200-lead file over the team by weight and records every decision in the ledger', async () => {
    const out = await ingest('bulk', 'Bulk', 200, 'Platform');
    expect(out.summary).toMatchObject({ created: 200, routingDecisions: 200 });
    // Smooth weighted round robin, weights 2:1, one lead at a time (sam, riley, sam, ...): never all to one rep.
    expect(await ownersOf('Bulk')).toEqual({ [SAM]: 133, [RILEY]: 67 });

    const ledger = (
      await conn.query<{ Lead__c: string; Team__c: string; Owner__c: string; Owner_Kind__c: string; Candidates__c: string; Shares__c: string; Decided_By__c: string }>(
        "SELECT Lead__c, Team__c, Owner__c, Owner_Kind__c, Candidates__c, Shares__c, Decided_By__c FROM Routing_Decision__c WHERE Team__c = 'Inbound_Platform'"
      )
    ).records;
    expect(ledger).toHaveLength(200);
    expect(new Set(ledger.map((r) => r.Lead__c)).size).toBe(200);
    expect(ledger[0]).toMatchObject({ Owner_Kind__c: 'member', Decided_By__c: 'service', Candidates__c: `${SAM}; ${RILEY}` });
    const last = ledger.map((r) => JSON.parse(r.Shares__c) as { user: string; assigned: number; target: number }[]).find((s) => s.reduce((n, m) => n + m.assigned, 0) === 200);
    expect(last).toEqual([
      { user: SAM, assigned: 133, share: 0.665, target: 0.6667 },
      { user: RILEY, assigned: 67, share: 0.335, target: 0.3333 }
    ]);

    const cursors = (await conn.query<{ Key__c: string; Assigned__c: number; Assigned_On_Day__c: number; Day__c: string }>('SELECT Key__c, Assigned__c, Assigned_On_Day__c, Day__c FROM Routing_Cursor__c ORDER BY Key__c')).records;
    expect(cursors.map((c) => [c.Key__c, c.Assigned__c, c.Assigned_On_Day__c, c.Day__c])).toEqual([
      [`Inbound_Platform|${RILEY}`, 67, 67, today()],
      [`Inbound_Platform|${SAM}`, 133, 133, today()]
    ]);

    // A rerun of the same file routes nothing again and adds no ledger row.
    const rerun = await ingest('bulk', 'Bulk', 200, 'Platform');
    expect(rerun.summary).toMatchObject({ created: 0, routingDecisions: 0 });
    expect((await conn.query("SELECT COUNT() FROM Routing_Decision__c WHERE Team__c = 'Inbound_Platform'")).totalSize).toBe(200);
  });

  it('a member back from leave gets their share, not a burst of the leads they missed', async () => {
    const [ooo] = await conn.sobject('Routing_Out_Of_Office__c').create([{ Name: 'Riley away', Username__c: RILEY, From__c: today(), To__c: today() }]);
    expect(ooo?.success).toBe(true);
    const away = await ingest('away', 'Away', 30, 'Platform');
    expect(away.summary).toMatchObject({ created: 30 });
    expect(await ownersOf('Away')).toEqual({ [SAM]: 30 });
    const skipped = (await conn.query<{ Skipped__c: string }>("SELECT Skipped__c FROM Routing_Decision__c WHERE Lead__r.LastName = 'Away1'")).records;
    expect(skipped[0]?.Skipped__c).toBe(`${RILEY}: out of office until ${today()}`);

    await conn.sobject('Routing_Out_Of_Office__c').destroy(ooo!.id!);
    await ingest('back', 'Back', 30, 'Platform');
    // Riley's weight is a third: 10 of the next 30, not the 30 a "catch up on what was missed" router would give.
    expect(await ownersOf('Back')).toEqual({ [SAM]: 20, [RILEY]: 10 });
  });

  it("an inactive member's turns spread over the team instead of piling onto the next member in line", async () => {
    await ingest('analytics', 'Ana', 90, 'Analytics');
    expect(await ownersOf('Ana')).toEqual({ [SAM]: 45, [RILEY]: 45 });
    const row = (await conn.query<{ Skipped__c: string }>("SELECT Skipped__c FROM Routing_Decision__c WHERE Team__c = 'Inbound_Analytics' LIMIT 1")).records[0];
    expect(row?.Skipped__c).toBe(`${ADMIN}: inactive`);
  });

  it('route --simulate --from-cursors continues from the org fairness state, route --fairness reports it, and neither touches the cursors', async () => {
    const cursors = async () =>
      (await conn.query<Record<string, unknown>>('SELECT Key__c, Credit__c, Assigned__c, SystemModstamp FROM Routing_Cursor__c ORDER BY Key__c')).records.map(
        ({ attributes: _a, ...r }) => r
      );
    const before = await cursors();
    const file = path.join(dir, 'next.json');
    fs.writeFileSync(file, JSON.stringify([1, 2, 3].map((i) => ({ key: `N${i}`, Product_Interest__c: 'Platform' }))));
    const owners = async (extra: string[]) =>
      (JSON.parse((await leadflow(['--json', 'route', '--simulate', file, ...extra])).stdout) as { summary: { decisions: { owner: string }[] } }).summary.decisions.map((d) => d.owner);
    // After 260 platform leads the credits stand at sam +1, riley -1: sam is next twice, then riley.
    expect(await owners(['--from-cursors'])).toEqual([SAM, SAM, RILEY]);
    expect(await owners([])).toEqual([SAM, RILEY, SAM]);
    expect(await cursors()).toEqual(before);

    // The fairness report: cumulative leads per member and share vs target, from the same cursors (sam 133 + 30
    // while riley was away + 20 = 183 of 260: above target because of the leave, which is not made up in a burst).
    const report = await leadflow(['route', '--fairness']);
    expect(report.stdout).toContain("Fairness from the org's routing cursors");
    expect(report.stdout).toMatch(/Inbound_Platform\s+sam\.seller@leadflow\.local\s+183\s+70\.4% vs\s+66\.7%/);
    expect(report.stdout).toMatch(/Inbound_Analytics\s+admin@leadflow\.local\s+0\s+0\.0% vs\s+0\.0%/);
    expect(await cursors()).toEqual(before);
  });
});
