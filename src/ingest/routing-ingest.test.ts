import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SalesforceError, type OrgClient, type RecordResult, type SObjectRecord } from '../salesforce/types';
import { emptyRoutingState, routeAll, routingDefinitionSchema, routingLeadSchema, type RoutingDefinition, type RoutingLead } from './routing-engine';
import { cursorStateFromRows, decisionRecord, PackageRouter } from './routing-ingest';
import type { NormalisedLead } from './validate';

/** A fake org answering the routing queries from tables, recording every query and upsert. */
function fakeOrg(tables: Record<string, SObjectRecord[]>, opts: { queueQueryFails?: boolean } = {}) {
  const queries: string[] = [];
  const upserts: { type: string; field: string; records: SObjectRecord[] }[] = [];
  const org = {
    rest: {
      query: async (soql: string) => {
        queries.push(soql);
        const from = /FROM (\w+)/.exec(soql)![1]!;
        if (from === 'Group' && opts.queueQueryFails) throw new Error("INVALID_TYPE: sObject type 'Group' is not supported.");
        return tables[from] ?? [];
      },
      upsert: async (type: string, field: string, records: SObjectRecord[]): Promise<RecordResult[]> => {
        upserts.push({ type, field, records });
        return records.map((_r, index) => ({ index, success: true, id: 'a00000000000001AAA', errors: [], created: true }));
      }
    }
  } as unknown as OrgClient;
  return { org, queries, upserts };
}

const team = (name: string, extra: SObjectRecord = {}): SObjectRecord => ({
  DeveloperName: name,
  Sort_Order__c: 1,
  Active__c: true,
  Mode__c: 'Push',
  Queue__c: null,
  Product_Interest__c: null,
  Country__c: null,
  Source_System__c: null,
  Use_Account_Owner__c: false,
  Overflow_Owner__c: null,
  ...extra
});
const member = (t: string, user: string, extra: SObjectRecord = {}): SObjectRecord => ({
  DeveloperName: `${t}_${user.split('@')[0]}`,
  Team__c: t,
  User__c: user,
  Weight__c: 1,
  Daily_Capacity__c: null,
  Active__c: true,
  ...extra
});
const USERS = [
  { Id: '005000000000001AAA', Username: 'ana@x.test', IsActive: true },
  { Id: '005000000000002AAA', Username: 'ben@x.test', IsActive: true },
  { Id: '005000000000003AAA', Username: 'gone@x.test', IsActive: false }
];
const lead = (row: number, fields: Partial<NormalisedLead['fields']> = {}): NormalisedLead =>
  ({
    row,
    source: 'csv',
    sourceRecordId: `r${row}`,
    fields: { LastName: `L${row}`, Company: 'C', Source_System__c: 'csv', Source_External_Id__c: `csv:${row}`, ...fields },
    campaign: null,
    domain: null,
    updatedAt: null,
    events: []
  }) as NormalisedLead;

describe('PackageRouter (ingest with the package definition)', () => {
  it('should leave routing to the JSON config when the org has no active Routing Team', async () => {
    const { org, queries } = fakeOrg({ Routing_Team__mdt: [team('T', { Active__c: false })], Routing_Member__mdt: [member('T', 'ana@x.test')] });
    expect(await PackageRouter.load(org, '2026-03-02')).toBeNull();
    expect(queries.some((q) => q.includes('Routing_Cursor__c'))).toBe(false);
  });

  it('should leave routing to the JSON config when the org does not have the routing objects (older package)', async () => {
    const org = {
      rest: {
        query: async () => {
          throw new SalesforceError('INVALID_TYPE', "sObject type 'Routing_Team__mdt' is not supported.");
        }
      }
    } as unknown as OrgClient;
    expect(await PackageRouter.load(org, '2026-03-02')).toBeNull();
    const down = { rest: { query: async () => Promise.reject(new SalesforceError('SERVER_UNAVAILABLE', 'down')) } } as unknown as OrgClient;
    await expect(PackageRouter.load(down, '2026-03-02')).rejects.toThrow('down');
  });

  it('should continue the fairness state stored in Routing_Cursor__c and write back only the cursors it moved', async () => {
    const { org, upserts } = fakeOrg({
      Routing_Team__mdt: [team('T'), team('Other', { Product_Interest__c: 'Other' })],
      Routing_Member__mdt: [member('T', 'ana@x.test'), member('T', 'ben@x.test'), member('Other', 'ana@x.test')],
      User: USERS,
      // ben is owed a turn (credit 0.5 vs -0.5): he must get the next lead, not ana.
      Routing_Cursor__c: [
        { Key__c: 'T|ana@x.test', Credit__c: -0.5, Assigned__c: 4, Assigned_On_Day__c: 2, Day__c: '2026-03-02' },
        { Key__c: 'T|ben@x.test', Credit__c: 0.5, Assigned__c: 3, Assigned_On_Day__c: 1, Day__c: '2026-03-01' },
        { Key__c: 'Other|ana@x.test', Credit__c: 0, Assigned__c: 9, Assigned_On_Day__c: 9, Day__c: '2026-03-02' }
      ]
    });
    const router = (await PackageRouter.load(org, '2026-03-02'))!;
    const a = router.route(lead(1));
    expect(a).toMatchObject({ ownerId: '005000000000002AAA', rule: 'T' });
    expect(a.decision.shares).toEqual([
      { user: 'ana@x.test', assigned: 4, share: 0.5, target: 0.5 },
      { user: 'ben@x.test', assigned: 4, share: 0.5, target: 0.5 }
    ]);
    const { decisions } = await router.commit([{ decision: a.decision, leadId: '00Q000000000001AAA' }], '2026-03-02T10:00:00.000Z');
    expect(decisions).toBe(1);
    expect(upserts.map((u) => [u.type, u.field])).toEqual([
      ['Routing_Decision__c', 'External_Id__c'],
      ['Routing_Cursor__c', 'Key__c']
    ]);
    // ben's day count restarts on the new day; the Other team's cursor is untouched.
    expect(upserts[1]!.records).toEqual([
      { Key__c: 'T|ana@x.test', Name: 'T|ana@x.test', Credit__c: 0.5, Assigned__c: 4, Assigned_On_Day__c: 2, Day__c: '2026-03-02' },
      { Key__c: 'T|ben@x.test', Name: 'T|ben@x.test', Credit__c: -0.5, Assigned__c: 4, Assigned_On_Day__c: 1, Day__c: '2026-03-02' }
    ]);
  });

  it('should count capacity per member and day across teams', () => {
    const s = cursorStateFromRows([
      { Key__c: 'A|ana@x.test', Credit__c: 0, Assigned__c: 5, Assigned_On_Day__c: 2, Day__c: '2026-03-02' },
      { Key__c: 'B|ana@x.test', Credit__c: 0, Assigned__c: 5, Assigned_On_Day__c: 3, Day__c: '2026-03-02' },
      { Key__c: 'C|ana@x.test', Credit__c: 0, Assigned__c: 5, Assigned_On_Day__c: 7, Day__c: '2026-03-01' }
    ]);
    expect(s.engine.assignedOnDay).toEqual({ '2026-03-02|ana@x.test': 5, '2026-03-01|ana@x.test': 7 });
  });

  it('should skip a member whose username has no active user, and say so', async () => {
    const { org } = fakeOrg({
      Routing_Team__mdt: [team('T')],
      Routing_Member__mdt: [member('T', 'gone@x.test'), member('T', 'typo@x.test'), member('T', 'ana@x.test')],
      User: USERS
    });
    const router = (await PackageRouter.load(org, '2026-03-02'))!;
    expect(router.warnings).toEqual([
      'Routing member gone@x.test (team T): no active user with this username; skipped as inactive',
      'Routing member typo@x.test (team T): no active user with this username; skipped as inactive'
    ]);
    const a = router.route(lead(1));
    expect(a.ownerId).toBe('005000000000001AAA');
    expect(a.decision.skipped).toEqual([
      { user: 'gone@x.test', reason: 'inactive' },
      { user: 'typo@x.test', reason: 'inactive' }
    ]);
  });

  it('should give a pull team lead to its queue, and keep the integration user when the queue is missing', async () => {
    const tables = {
      Routing_Team__mdt: [team('Q', { Mode__c: 'Pull', Queue__c: 'Services_Queue' })],
      Routing_Member__mdt: [member('Q', 'ana@x.test')],
      User: USERS,
      Group: [{ Id: '00G000000000001AAA', DeveloperName: 'Services_Queue' }]
    };
    const found = (await PackageRouter.load(fakeOrg(tables).org, '2026-03-02'))!;
    expect(found.route(lead(1))).toMatchObject({ ownerId: '00G000000000001AAA', decision: { ownerKind: 'queue', owner: 'Services_Queue' } });

    const missing = (await PackageRouter.load(fakeOrg({ ...tables, Group: [] }).org, '2026-03-02'))!;
    expect(missing.warnings).toEqual(["Routing queue Services_Queue does not exist; its leads keep the integration user as owner"]);
    expect(missing.route(lead(1)).ownerId).toBeNull();

    const unsupported = (await PackageRouter.load(fakeOrg(tables, { queueQueryFails: true }).org, '2026-03-02'))!;
    expect(unsupported.warnings[0]).toMatch(/^Routing queues could not be read \(INVALID_TYPE/);
  });

  it('should send a lead whose domain has an account with an open opportunity to the account owner', async () => {
    const { org, queries } = fakeOrg({
      Routing_Team__mdt: [team('T', { Use_Account_Owner__c: true })],
      Routing_Member__mdt: [member('T', 'ana@x.test')],
      User: USERS,
      Account: [{ Id: '001000000000001AAA', OwnerId: '005000000000009AAA', Website_Domain__c: 'acme.com' }],
      Opportunity: [{ AccountId: '001000000000001AAA' }]
    });
    const router = (await PackageRouter.load(org, '2026-03-02'))!;
    await router.prepare([lead(1, { Email: 'pat@acme.com' }), lead(2, { Email: 'kim@other.org' })]);
    expect(queries.find((q) => q.includes('FROM Account'))).toContain("Website_Domain__c IN ('acme.com','other.org')");
    expect(router.route(lead(1, { Email: 'pat@acme.com' }))).toMatchObject({ ownerId: '005000000000009AAA', decision: { ownerKind: 'accountOwner' } });
    expect(router.route(lead(2, { Email: 'kim@other.org' }))).toMatchObject({ ownerId: '005000000000001AAA', decision: { ownerKind: 'member' } });
  });
});

describe('decisionRecord (the Routing_Decision__c row)', () => {
  it('should carry candidates, skipped members with the reason, owner and shares', () => {
    expect(
      decisionRecord(
        {
          leadKey: 'csv:1',
          team: 'T',
          mode: 'Push',
          owner: 'ana@x.test',
          ownerKind: 'member',
          candidates: ['ana@x.test', 'ben@x.test'],
          skipped: [{ user: 'cleo@x.test', reason: 'out of office until 2026-03-03' }],
          shares: [{ user: 'ana@x.test', assigned: 1, share: 1, target: 0.5 }],
          explanation: 'team "T" weighted round robin -> ana@x.test'
        },
        '00Q000000000001AAA',
        '2026-03-02T10:00:00.000Z'
      )
    ).toEqual({
      External_Id__c: '00Q000000000001AAA',
      Lead__c: '00Q000000000001AAA',
      Team__c: 'T',
      Mode__c: 'Push',
      Owner__c: 'ana@x.test',
      Owner_Kind__c: 'member',
      Candidates__c: 'ana@x.test; ben@x.test',
      Skipped__c: 'cleo@x.test: out of office until 2026-03-03',
      Shares__c: '[{"user":"ana@x.test","assigned":1,"share":1,"target":0.5}]',
      Explanation__c: 'team "T" weighted round robin -> ana@x.test',
      Decided_At__c: '2026-03-02T10:00:00.000Z',
      Decided_By__c: 'service'
    });
  });
});

describe('shared routing vectors through the ingest router (definition from custom metadata rows, cursors across two runs)', () => {
  const vectors = JSON.parse(
    readFileSync(join(__dirname, '../../force-app/main/default/staticresources/RoutingVectors.json'), 'utf8')
  ) as {
    definition: RoutingDefinition;
    leads: (RoutingLead & { expected: { owner: string; ownerKind: string; skipped: string[] } })[];
  };
  const def = vectors.definition;
  const usernames = [...new Set([...def.members.map((m) => m.user), 'kim@leadflow.local', def.defaultOwner!])];
  const idOf = new Map(usernames.map((u, i) => [u, `005${String(i + 1).padStart(12, '0')}AAA`]));
  const tables: Record<string, SObjectRecord[]> = {
    Routing_Team__mdt: def.teams.map((t) =>
      team(t.name, {
        Sort_Order__c: t.sortOrder ?? 0,
        Mode__c: t.mode ?? 'Push',
        Queue__c: t.queue ?? null,
        Product_Interest__c: t.productInterest?.join(';') ?? null,
        Use_Account_Owner__c: t.useAccountOwner ?? false,
        Overflow_Owner__c: t.overflowOwner ?? null
      })
    ),
    Routing_Member__mdt: def.members.map((m) =>
      member(m.team, m.user, { Weight__c: m.weight ?? 1, Daily_Capacity__c: m.dailyCapacity ?? null, Active__c: m.active ?? true })
    ),
    Routing_Out_Of_Office__c: def.outOfOffice.map((o) => ({ Username__c: o.user, From__c: o.from, To__c: o.to })),
    User: usernames.map((u) => ({ Id: idOf.get(u)!, Username: u, IsActive: true })),
    Group: [{ Id: '00G000000000001AAA', DeveloperName: 'Leadflow_Services_Queue' }],
    // The vectors' matchedAccount, as the org has it: an account per domain, one with an open opportunity.
    Account: [
      { Id: '001000000000001AAA', OwnerId: idOf.get('kim@leadflow.local')!, Website_Domain__c: 'open-deal.example' },
      { Id: '001000000000002AAA', OwnerId: idOf.get('kim@leadflow.local')!, Website_Domain__c: 'no-deal.example' }
    ],
    Opportunity: [{ AccountId: '001000000000001AAA' }],
    Routing_Cursor__c: []
  };
  const { org, upserts } = fakeOrg(tables);
  const asLead = (v: (typeof vectors.leads)[number], i: number) =>
    lead(i + 1, {
      Product_Interest__c: v.Product_Interest__c,
      Email: v.matchedAccount ? `pat@${v.matchedAccount.hasOpenOpportunity ? 'open-deal' : 'no-deal'}.example` : `p${i}@lead${i}.example`
    });
  const expectedOwnerId = (owner: string) => (owner === 'Leadflow_Services_Queue' ? '00G000000000001AAA' : idOf.get(owner));

  it('should give every vector lead its expected owner over two runs (one per day), the second continuing the first run\'s cursors', async () => {
    const results: unknown[] = [];
    for (const day of [...new Set(vectors.leads.map((v) => v.day!))]) {
      // One ingest run per day: a fresh router reads the cursors the previous run wrote.
      tables.Routing_Cursor__c = upserts.filter((u) => u.type === 'Routing_Cursor__c').reduce<SObjectRecord[]>((rows, u) => {
        const byKey = new Map(rows.map((r) => [r.Key__c, r]));
        for (const r of u.records) byKey.set(r.Key__c, r);
        return [...byKey.values()];
      }, []);
      const router = (await PackageRouter.load(org, day, idOf.get(def.defaultOwner!)))!;
      const todays = vectors.leads.map((v, i) => ({ v, l: asLead(v, i) })).filter(({ v }) => v.day === day);
      await router.prepare(todays.map((t) => t.l));
      const decided = todays.map(({ v, l }) => ({ v, a: router.route(l) }));
      await router.commit(decided.map(({ a }, i) => ({ decision: a.decision, leadId: `00Q00000000000${i}AAA` })), `${day}T12:00:00.000Z`);
      for (const { v, a } of decided) {
        results.push({ key: v.key, ownerId: a.ownerId, ownerKind: a.decision.ownerKind, skipped: a.decision.skipped.map((s) => s.user) });
      }
    }
    expect(results).toEqual(
      vectors.leads.map((v) => ({ key: v.key, ownerId: expectedOwnerId(v.expected.owner), ownerKind: v.expected.ownerKind, skipped: v.expected.skipped }))
    );
    // The cursors the two runs left equal one uninterrupted engine pass over all vectors: the second run
    // continued the first run's credits and counts instead of starting over.
    const engine = emptyRoutingState();
    routeAll(vectors.leads.map((v) => routingLeadSchema.parse(v)), routingDefinitionSchema.parse(def), engine, '2026-03-01');
    const last = new Map<unknown, SObjectRecord>();
    for (const u of upserts.filter((x) => x.type === 'Routing_Cursor__c')) for (const r of u.records) last.set(r.Key__c, r);
    expect(Object.fromEntries([...last].map(([k, r]) => [k, [r.Credit__c, r.Assigned__c]]))).toEqual(
      Object.fromEntries([...last.keys()].map((k) => [k, [engine.credit[k as string] ?? 0, engine.assigned[k as string] ?? 0]]))
    );
    expect(last.get('Analytics_Team|dev@leadflow.local')).toMatchObject({ Assigned__c: 4, Assigned_On_Day__c: 2, Day__c: '2026-03-04' });
  });
});
