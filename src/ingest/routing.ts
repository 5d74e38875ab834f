/**
 * Owner routing for new leads. Rules are evaluated in order (product interest -> specialist, territory
 * -> team, ...); a team assigns round-robin, skipping members who are out of office or have reached
 * their daily capacity. Every decision carries a human explanation for the run report. Pure: the
 * round-robin cursors and today's counts come in as state and are returned updated.
 */
import type { RoutingConfig, RoutingRule, TeamMember } from './config';
import type { NormalisedLead } from './validate';

export interface RoutingState {
  /** Next member index per team. */
  cursors: Record<string, number>;
  /** Leads assigned today per user id. */
  assignedToday: Record<string, number>;
}

export interface Assignment {
  ownerId: string | null;
  rule: string | null;
  explanation: string;
}

const lc = (s: string) => s.trim().toLowerCase();
const matchesAny = (value: string | undefined, allowed: string[] | undefined): boolean =>
  allowed === undefined || (value !== undefined && allowed.some((a) => lc(a) === lc(value)));

export function ruleMatches(rule: RoutingRule, lead: Pick<NormalisedLead, 'fields' | 'source'>): boolean {
  const w = rule.when;
  return (
    matchesAny(lead.fields.Product_Interest__c, w.productInterest) &&
    matchesAny(lead.fields.Country, w.country) &&
    matchesAny(lead.fields.State, w.state) &&
    matchesAny(lead.source, w.source)
  );
}

function describeWhen(rule: RoutingRule): string {
  const parts = Object.entries(rule.when)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} in [${(v as string[]).join(', ')}]`);
  return parts.length ? parts.join(' and ') : 'always';
}

export function isOutOfOffice(member: TeamMember, today: string): boolean {
  const ooo = member.outOfOffice;
  if (ooo === undefined || ooo === false) return false;
  if (ooo === true) return true;
  return ooo.from <= today && today <= ooo.to;
}

/** Assigns one lead and advances the state. `today` is the UTC date (YYYY-MM-DD). */
export function routeLead(
  lead: Pick<NormalisedLead, 'fields' | 'source'>,
  config: RoutingConfig,
  state: RoutingState,
  today: string
): Assignment {
  for (const rule of config.rules) {
    if (!ruleMatches(rule, lead)) continue;
    const why = `rule "${rule.name}" (${describeWhen(rule)})`;
    if ('ownerId' in rule.assign) {
      return { ownerId: rule.assign.ownerId, rule: rule.name, explanation: `${why} -> ${rule.assign.label ?? rule.assign.ownerId}` };
    }
    const teamName = rule.assign.team;
    const team = config.teams[teamName];
    if (!team) return { ownerId: config.defaultOwnerId ?? null, rule: rule.name, explanation: `${why} -> team "${teamName}" is not configured; default owner` };
    const n = team.members.length;
    const start = (state.cursors[teamName] ?? 0) % n;
    const skipped: string[] = [];
    for (let i = 0; i < n; i++) {
      const member = team.members[(start + i) % n]!;
      const label = member.name ?? member.userId;
      if (isOutOfOffice(member, today)) {
        skipped.push(`${label} out of office`);
        continue;
      }
      const used = state.assignedToday[member.userId] ?? 0;
      if (member.dailyCapacity !== undefined && used >= member.dailyCapacity) {
        skipped.push(`${label} at capacity ${used}/${member.dailyCapacity}`);
        continue;
      }
      state.cursors[teamName] = (start + i + 1) % n;
      state.assignedToday[member.userId] = used + 1;
      const skipNote = skipped.length ? `; skipped ${skipped.join(', ')}` : '';
      return { ownerId: member.userId, rule: rule.name, explanation: `${why} -> team "${teamName}" round-robin: ${label}${skipNote}` };
    }
    const overflow = team.overflowOwnerId ?? config.defaultOwnerId ?? null;
    return {
      ownerId: overflow,
      rule: rule.name,
      explanation: `${why} -> team "${teamName}" has nobody available (${skipped.join(', ')}); ${overflow ? `overflow owner ${overflow}` : 'left unassigned'}`
    };
  }
  return config.defaultOwnerId
    ? { ownerId: config.defaultOwnerId, rule: null, explanation: `no rule matched -> default owner ${config.defaultOwnerId}` }
    : { ownerId: null, rule: null, explanation: 'no rule matched -> left to the org (integration user / assignment rules)' };
}
