import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  emptyRoutingState,
  fairnessReport,
  routeAll,
  routeWithDefinition,
  routingDefinitionSchema,
  routingLeadSchema,
  type RoutingDefinition,
  type RoutingLead
} from './routing-engine';

const vectors = JSON.parse(
  readFileSync(join(__dirname, '../../force-app/main/default/staticresources/RoutingVectors.json'), 'utf8')
) as { definition: unknown; leads: (RoutingLead & { expected: { owner: string; ownerKind: string; skipped: string[] } })[] };

const count = (owners: (string | null)[]) => owners.reduce<Record<string, number>>((acc, o) => ({ ...acc, [String(o)]: (acc[String(o)] ?? 0) + 1 }), {});

describe('shared routing vectors (same file as LeadRoutingServiceTest)', () => {
  const def = routingDefinitionSchema.parse(vectors.definition);
  const state = emptyRoutingState();
  for (const v of vectors.leads) {
    it(`${v.key} -> ${v.expected.owner}`, () => {
      const d = routeWithDefinition(routingLeadSchema.parse(v), def, state, '2026-03-01');
      expect({ owner: d.owner, ownerKind: d.ownerKind, skipped: d.skipped.map((s) => s.user) }).toEqual(v.expected);
    });
  }
});

const team = (n: number, extra: Partial<RoutingDefinition> = {}): RoutingDefinition =>
  routingDefinitionSchema.parse({
    teams: [{ name: 'T', productInterest: ['Platform'] }],
    members: Array.from({ length: n }, (_, i) => ({ team: 'T', user: `rep${i + 1}` })),
    ...extra
  });
const leads = (n: number, day = '2026-03-02'): RoutingLead[] =>
  Array.from({ length: n }, (_, i) => ({ key: `L${i}`, Product_Interest__c: 'Platform', day }));

describe('fairness failure modes of other routing tools', () => {
  it('a bulk insert of 200 leads spreads evenly over the team, not all to one rep', () => {
    const decisions = routeAll(leads(200), team(4), emptyRoutingState(), '2026-03-02');
    expect(count(decisions.map((d) => d.owner))).toEqual({ rep1: 50, rep2: 50, rep3: 50, rep4: 50 });
  });

  it('a member back from leave does not receive a burst of "owed" leads', () => {
    const def = team(4, { outOfOffice: [{ user: 'rep4', from: '2026-03-01', to: '2026-03-05' }] });
    const state = emptyRoutingState();
    routeAll(leads(90, '2026-03-03'), def, state, '2026-03-03'); // rep4 away: 30 each for rep1..3
    const back = routeAll(leads(8, '2026-03-06'), def, state, '2026-03-06');
    // Fair share of 8 over 4 reps is 2; a deficit-based router would hand rep4 all 8.
    expect(count(back.map((d) => d.owner)).rep4).toBe(2);
  });

  it("inactive members' turns are spread over the team, not piled onto the next rep in line", () => {
    const def = team(4);
    def.members[1]!.active = false; // rep2 inactive: a skipping cursor gives rep3 rep2's turns too
    const decisions = routeAll(leads(300), def, emptyRoutingState(), '2026-03-02');
    expect(count(decisions.map((d) => d.owner))).toEqual({ rep1: 100, rep3: 100, rep4: 100 });
    expect(decisions[0]!.skipped).toEqual([{ user: 'rep2', reason: 'inactive' }]);
  });

  it('weights hold over a run and the fairness report shows share vs target', () => {
    const def = routingDefinitionSchema.parse({
      teams: [{ name: 'T' }],
      members: [{ team: 'T', user: 'a', weight: 3 }, { team: 'T', user: 'b', weight: 1 }]
    });
    const state = emptyRoutingState();
    routeAll(leads(100), def, state, '2026-03-02');
    expect(fairnessReport(def, state)).toEqual([
      { team: 'T', user: 'a', assigned: 75, share: 0.75, target: 0.75, delta: 0 },
      { team: 'T', user: 'b', assigned: 25, share: 0.25, target: 0.25, delta: 0 }
    ]);
  });

  it('daily capacity sends the rest to the overflow owner and says why in the ledger', () => {
    const def = routingDefinitionSchema.parse({
      teams: [{ name: 'T', overflowOwner: 'mgr' }],
      members: [{ team: 'T', user: 'a', dailyCapacity: 2 }]
    });
    const ds = routeAll(leads(3), def, emptyRoutingState(), '2026-03-02');
    expect(ds.map((d) => d.owner)).toEqual(['a', 'a', 'mgr']);
    expect(ds[2]!.explanation).toContain('a at daily capacity 2/2');
  });
});
