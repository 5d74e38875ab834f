import type { OrgClient, RecordResult, SObjectRecord } from '../salesforce/types';
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
