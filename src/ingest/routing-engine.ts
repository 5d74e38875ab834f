/**
 * Routing as one package definition (issue 14): the same pure algorithm the Apex class
 * LeadRoutingService applies on lead insert, proven equal by the shared vectors in
 * force-app/main/default/staticresources/RoutingVectors.json.
 *
 * Push teams use smooth weighted round robin (SWRR): each pick, every *eligible* member's credit grows
 * by their weight, the member with the most credit gets the lead and pays back the eligible total.
 * Why SWRR and not a cursor or a deficit count:
 * - a skipped member (inactive, out of office, at capacity) simply does not earn credit, so their turns
 *   spread over the others in proportion to weight instead of falling to the next one in line;
 * - a member back from leave has earned nothing while away, so they get no burst of "owed" leads;
 * - the state is updated per lead, so a bulk insert of 200 spreads over the team.
 */
import { z } from 'zod';

export const routingTeamSchema = z.object({
  name: z.string().min(1),
  sortOrder: z.number().int().default(0),
  active: z.boolean().default(true),
  mode: z.enum(['Push', 'Pull']).default('Push'),
  /** Queue the pull team's leads go to (DeveloperName in the org, Id after resolution). */
  queue: z.string().optional(),
  productInterest: z.array(z.string()).optional(),
  country: z.array(z.string()).optional(),
  source: z.array(z.string()).optional(),
  /** Lead matching an existing account with an open opportunity goes to the account owner. */
  useAccountOwner: z.boolean().default(false),
  overflowOwner: z.string().optional()
});
export type RoutingTeam = z.infer<typeof routingTeamSchema>;

export const routingMemberSchema = z.object({
  team: z.string().min(1),
  /** Username in the package definition; the service resolves it to a User Id. */
  user: z.string().min(1),
  weight: z.number().positive().default(1),
  dailyCapacity: z.number().int().nonnegative().optional(),
  active: z.boolean().default(true)
});
export type RoutingMember = z.infer<typeof routingMemberSchema>;

export const outOfOfficeSchema = z.object({
  user: z.string().min(1),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
});
export type OutOfOffice = z.infer<typeof outOfOfficeSchema>;

export const routingDefinitionSchema = z.object({
  teams: z.array(routingTeamSchema).default([]),
  members: z.array(routingMemberSchema).default([]),
  outOfOffice: z.array(outOfOfficeSchema).default([]),
  defaultOwner: z.string().optional()
});
export type RoutingDefinition = z.infer<typeof routingDefinitionSchema>;

export const routingLeadSchema = z.object({
  key: z.string().min(1),
  Product_Interest__c: z.string().optional(),
  Country: z.string().optional(),
  source: z.string().optional(),
  /** UTC date the lead is routed on (YYYY-MM-DD); out of office and capacity are per day. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  matchedAccount: z.object({ ownerId: z.string(), hasOpenOpportunity: z.boolean() }).optional()
});
export type RoutingLead = z.infer<typeof routingLeadSchema>;

/** Persisted between runs (store / Routing_Cursor__c in the org). Keys are `team|user`. */
export interface RoutingEngineState {
  credit: Record<string, number>;
  assigned: Record<string, number>;
  /** `day|user` -> leads assigned that day (capacity counts across teams). */
  assignedOnDay: Record<string, number>;
}
export const emptyRoutingState = (): RoutingEngineState => ({ credit: {}, assigned: {}, assignedOnDay: {} });

export type OwnerKind = 'member' | 'queue' | 'accountOwner' | 'overflow' | 'default' | 'none';

export interface MemberShare {
  user: string;
  assigned: number;
  share: number;
  target: number;
}

/** One routing ledger entry (Routing_Decision__c). */
export interface RoutingDecision {
  leadKey: string;
  team: string | null;
  mode: 'Push' | 'Pull' | null;
  owner: string | null;
  ownerKind: OwnerKind;
  candidates: string[];
  skipped: { user: string; reason: string }[];
  shares: MemberShare[];
  explanation: string;
}

const lc = (s: string) => s.trim().toLowerCase();
const matchesAny = (value: string | undefined, allowed: string[] | undefined): boolean =>
  allowed === undefined || allowed.length === 0 || (value !== undefined && allowed.some((a) => lc(a) === lc(value)));

export function teamMatches(team: RoutingTeam, lead: RoutingLead): boolean {
  return matchesAny(lead.Product_Interest__c, team.productInterest) && matchesAny(lead.Country, team.country) && matchesAny(lead.source, team.source);
}

const memberKey = (team: string, user: string) => `${team}|${user}`;
const round4 = (n: number) => Math.round(n * 10000) / 10000;

function sharesFor(team: string, members: RoutingMember[], state: RoutingEngineState): MemberShare[] {
  const active = members.filter((m) => m.active);
  const totalWeight = active.reduce((s, m) => s + m.weight, 0);
  const totalAssigned = members.reduce((s, m) => s + (state.assigned[memberKey(team, m.user)] ?? 0), 0);
  return members.map((m) => {
    const assigned = state.assigned[memberKey(team, m.user)] ?? 0;
    return {
      user: m.user,
      assigned,
      share: totalAssigned ? round4(assigned / totalAssigned) : 0,
      target: m.active && totalWeight ? round4(m.weight / totalWeight) : 0
    };
  });
}

/** Routes one lead and updates `state` in place. `today` applies when the lead has no `day`. */
export function routeWithDefinition(lead: RoutingLead, def: RoutingDefinition, state: RoutingEngineState, today: string): RoutingDecision {
  const day = lead.day ?? today;
  const teams = [...def.teams].filter((t) => t.active).sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
  const team = teams.find((t) => teamMatches(t, lead));
  const base = { leadKey: lead.key, candidates: [] as string[], skipped: [] as { user: string; reason: string }[], shares: [] as MemberShare[] };
  if (!team) {
    return def.defaultOwner
      ? { ...base, team: null, mode: null, owner: def.defaultOwner, ownerKind: 'default', explanation: `no team matched -> default owner ${def.defaultOwner}` }
      : { ...base, team: null, mode: null, owner: null, ownerKind: 'none', explanation: 'no team matched -> left unassigned' };
  }
  const members = def.members.filter((m) => m.team === team.name);
  if (team.useAccountOwner && lead.matchedAccount?.hasOpenOpportunity) {
    return {
      ...base, team: team.name, mode: team.mode, owner: lead.matchedAccount.ownerId, ownerKind: 'accountOwner',
      shares: sharesFor(team.name, members, state),
      explanation: `team "${team.name}": lead matches an account with an open opportunity -> account owner ${lead.matchedAccount.ownerId}`
    };
  }
  if (team.mode === 'Pull') {
    const owner = team.queue ?? def.defaultOwner ?? null;
    return {
      ...base, team: team.name, mode: 'Pull', owner, ownerKind: team.queue ? 'queue' : owner ? 'default' : 'none',
      candidates: members.filter((m) => m.active).map((m) => m.user), shares: sharesFor(team.name, members, state),
      explanation: `team "${team.name}" (pull) -> queue ${team.queue ?? '(none configured)'}; members claim from it`
    };
  }
  const skipped: { user: string; reason: string }[] = [];
  const eligible: RoutingMember[] = [];
  for (const m of members) {
    const ooo = def.outOfOffice.find((o) => o.user === m.user && o.from <= day && day <= o.to);
    const used = state.assignedOnDay[`${day}|${m.user}`] ?? 0;
    if (!m.active) skipped.push({ user: m.user, reason: 'inactive' });
    else if (ooo) skipped.push({ user: m.user, reason: `out of office until ${ooo.to}` });
    else if (m.dailyCapacity !== undefined && used >= m.dailyCapacity) skipped.push({ user: m.user, reason: `at daily capacity ${used}/${m.dailyCapacity}` });
    else eligible.push(m);
  }
  const candidates = eligible.map((m) => m.user);
  if (eligible.length === 0) {
    const owner = team.overflowOwner ?? def.defaultOwner ?? null;
    const why = skipped.map((s) => `${s.user} ${s.reason}`).join(', ') || 'no members';
    return {
      ...base, team: team.name, mode: 'Push', owner, ownerKind: team.overflowOwner ? 'overflow' : owner ? 'default' : 'none',
      skipped, shares: sharesFor(team.name, members, state),
      explanation: `team "${team.name}" has nobody available (${why}) -> ${owner ?? 'left unassigned'}`
    };
  }
  const total = eligible.reduce((s, m) => s + m.weight, 0);
  let pick: RoutingMember | undefined;
  let best = -Infinity;
  for (const m of eligible) {
    const k = memberKey(team.name, m.user);
    const c = round4((state.credit[k] ?? 0) + m.weight);
    state.credit[k] = c;
    // Strictly greater: ties go to the member listed first (definition order), same as Apex.
    if (c > best) { best = c; pick = m; }
  }
  const chosen = pick!;
  const ck = memberKey(team.name, chosen.user);
  state.credit[ck] = round4((state.credit[ck] ?? 0) - total);
  state.assigned[ck] = (state.assigned[ck] ?? 0) + 1;
  state.assignedOnDay[`${day}|${chosen.user}`] = (state.assignedOnDay[`${day}|${chosen.user}`] ?? 0) + 1;
  const skipNote = skipped.length ? `; skipped ${skipped.map((s) => `${s.user} (${s.reason})`).join(', ')}` : '';
  return {
    ...base, team: team.name, mode: 'Push', owner: chosen.user, ownerKind: 'member', candidates, skipped,
    shares: sharesFor(team.name, members, state),
    explanation: `team "${team.name}" weighted round robin -> ${chosen.user}${skipNote}`
  };
}

/** Routes leads in order, carrying the state lead by lead (a bulk insert spreads, never all to one rep). */
export function routeAll(leads: RoutingLead[], def: RoutingDefinition, state: RoutingEngineState, today: string): RoutingDecision[] {
  return leads.map((l) => routeWithDefinition(l, def, state, today));
}

export interface FairnessRow { team: string; user: string; assigned: number; share: number; target: number; delta: number }

/** Share vs target per team member, from the cumulative state (the fairness report). */
export function fairnessReport(def: RoutingDefinition, state: RoutingEngineState): FairnessRow[] {
  const rows: FairnessRow[] = [];
  for (const team of def.teams) {
    if (team.mode !== 'Push') continue;
    for (const s of sharesFor(team.name, def.members.filter((m) => m.team === team.name), state)) {
      rows.push({ team: team.name, user: s.user, assigned: s.assigned, share: s.share, target: s.target, delta: round4(s.share - s.target) });
    }
  }
  return rows;
}
