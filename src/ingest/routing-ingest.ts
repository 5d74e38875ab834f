/**
 * Routing at ingest with the package definition (issue 14): the teams, members, weights, capacity and
 * out-of-office admins keep in the org (Routing_Team__mdt, Routing_Member__mdt, Routing_Out_Of_Office__c)
 * decide the owner of every new lead, with the same engine the Apex side runs on lead insert
 * (routing-engine.ts, shared vectors). Fairness state lives in the org too (Routing_Cursor__c, one row per
 * team member), so the service and Apex continue one round robin instead of keeping two.
 *
 * Per batch: prepare() reads what the decisions need (the definition and cursors once per run, usernames and
 * queues once, account owners for the batch's domains), route() decides one lead (sync, in file order), and
 * commit() writes one Routing_Decision__c row per created lead plus the cursors it moved. Nothing is written
 * in a dry run.
 *
 * Precedence: the package definition when the org has at least one active Routing Team; otherwise the JSON
 * config (`ingest.routing`, raw user ids) as before (routing.ts), documented in docs/ingest.md.
 */
import { z } from 'zod';
import { SalesforceError, type OrgClient, type SObjectRecord } from '../salesforce/types';
import { soqlIn } from '../salesforce/soql';
import { leadDomain } from '../conversion/matching';
import { chunk, MATCH_IN_LIMIT } from './dedupe';
import { loadRoutingDefinition } from './routing-definition';
import { routeWithDefinition, type RoutingDecision, type RoutingDefinition, type RoutingEngineState, type RoutingLead } from './routing-engine';
import type { NormalisedLead } from './validate';

export interface PackageAssignment {
  ownerId: string | null;
  rule: string | null;
  explanation: string;
  decision: RoutingDecision;
}

const cursorRowSchema = z.object({
  Key__c: z.string().nullable(),
  Credit__c: z.number().nullable(),
  Assigned__c: z.number().nullable(),
  Assigned_On_Day__c: z.number().nullable(),
  Day__c: z.string().nullable()
});
const userRowSchema = z.object({ Id: z.string(), Username: z.string(), IsActive: z.boolean().nullable().optional() });
const idNameSchema = z.object({ Id: z.string(), DeveloperName: z.string() });
const accountRowSchema = z.object({ Id: z.string(), OwnerId: z.string(), Website_Domain__c: z.string().nullable() });
const openOppSchema = z.object({ AccountId: z.string().nullable() });

/** Routing_Cursor__c.Name holds 80 characters; Key__c (255, unique external id) is the real key. */
const cursorName = (key: string) => (key.length <= 80 ? key : `${key.slice(0, 79)}…`);
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The cursor state as loaded from Routing_Cursor__c, plus each row's own day count (capacity is per member and day). */
export interface CursorState {
  engine: RoutingEngineState;
  dayCount: Map<string, { day: string; n: number }>;
}

/** Routing_Cursor__c rows -> engine state. Capacity counts a member's leads that day across all their teams. */
export function cursorStateFromRows(rows: unknown[]): CursorState {
  const engine: RoutingEngineState = { credit: {}, assigned: {}, assignedOnDay: {} };
  const dayCount = new Map<string, { day: string; n: number }>();
  for (const raw of rows) {
    const r = cursorRowSchema.parse(raw);
    if (!r.Key__c || !r.Key__c.includes('|')) continue;
    const user = r.Key__c.slice(r.Key__c.indexOf('|') + 1);
    engine.credit[r.Key__c] = r.Credit__c ?? 0;
    engine.assigned[r.Key__c] = r.Assigned__c ?? 0;
    if (r.Day__c) {
      const day = r.Day__c.slice(0, 10);
      const n = r.Assigned_On_Day__c ?? 0;
      dayCount.set(r.Key__c, { day, n });
      engine.assignedOnDay[`${day}|${user}`] = (engine.assignedOnDay[`${day}|${user}`] ?? 0) + n;
    }
  }
  return { engine, dayCount };
}

/** The Routing_Decision__c ledger row for a decision on a created lead. */
export function decisionRecord(d: RoutingDecision, leadId: string, decidedAt: string): SObjectRecord {
  return {
    External_Id__c: leadId,
    Lead__c: leadId,
    Team__c: d.team,
    Mode__c: d.mode,
    Owner__c: d.owner,
    Owner_Kind__c: d.ownerKind,
    Candidates__c: d.candidates.join('; ') || null,
    Skipped__c: d.skipped.map((s) => `${s.user}: ${s.reason}`).join('\n') || null,
    Shares__c: d.shares.length ? JSON.stringify(d.shares) : null,
    Explanation__c: d.explanation,
    Decided_At__c: decidedAt,
    Decided_By__c: 'service'
  };
}

/** What the engine needs to know about a lead from the ingest row. */
export function routingLeadOf(lead: NormalisedLead, day: string, matchedAccount?: RoutingLead['matchedAccount']): RoutingLead {
  return {
    key: lead.fields.Source_External_Id__c ?? `row ${lead.row}`,
    Product_Interest__c: lead.fields.Product_Interest__c ?? undefined,
    Country: lead.fields.Country ?? undefined,
    source: lead.fields.Source_System__c ?? lead.source,
    day,
    ...(matchedAccount ? { matchedAccount } : {})
  };
}

export const ROUTING_CURSOR_SOQL = 'SELECT Key__c, Credit__c, Assigned__c, Assigned_On_Day__c, Day__c FROM Routing_Cursor__c';

/** Where PackageRouter.load reads the definition and the cursors: its own queries, or rows read already. */
export interface RoutingSource {
  definition(): Promise<RoutingDefinition>;
  cursors(): Promise<unknown[]>;
}

export const queriedRoutingSource = (org: OrgClient): RoutingSource => ({
  definition: () => loadRoutingDefinition(org),
  cursors: () => org.rest.query(ROUTING_CURSOR_SOQL)
});

export class PackageRouter {
  private readonly state: CursorState;
  private readonly userIds = new Map<string, string>();
  private readonly queueIds = new Map<string, string>();
  /** Lead domain -> account owner, for accounts with an open opportunity (this batch). */
  private accountOwners = new Map<string, string>();
  /** Cursor keys whose rows this run changed (written by commit()). */
  private readonly touched = new Set<string>();
  readonly warnings: string[] = [];

  private constructor(
    private readonly org: OrgClient,
    readonly definition: RoutingDefinition,
    cursors: unknown[],
    private readonly today: string
  ) {
    this.state = cursorStateFromRows(cursors);
  }

  /**
   * The package router when the org has an active Routing Team, else null (the JSON config applies).
   * `defaultOwnerId` (ingest.routing.defaultOwnerId) owns leads no team takes.
   */
  static async load(org: OrgClient, today: string, defaultOwnerId?: string, source: RoutingSource = queriedRoutingSource(org)): Promise<PackageRouter | null> {
    let definition: RoutingDefinition;
    try {
      definition = await source.definition();
    } catch (err) {
      // An org on a package version without the routing objects: the JSON config routes, as before.
      if (err instanceof SalesforceError && err.errorCode === 'INVALID_TYPE') return null;
      throw err;
    }
    if (!definition.teams.some((t) => t.active)) return null;
    if (defaultOwnerId) definition.defaultOwner = defaultOwnerId;
    const cursors = await source.cursors();
    const router = new PackageRouter(org, definition, cursors, today);
    await router.resolveOwners();
    return router;
  }

  /** Usernames and queue names in the definition -> Ids. A member with no active user is treated as inactive, with a warning. */
  private async resolveOwners(): Promise<void> {
    const def = this.definition;
    const usernames = [...new Set([...def.members.map((m) => m.user), ...def.teams.flatMap((t) => (t.overflowOwner ? [t.overflowOwner] : []))])]
      .filter((u) => !SALESFORCE_ID.test(u));
    for (const part of chunk(usernames, MATCH_IN_LIMIT)) {
      for (const raw of await this.org.rest.query(`SELECT Id, Username, IsActive FROM User WHERE Username IN ${soqlIn(part)}`)) {
        const u = userRowSchema.parse(raw);
        if (u.IsActive !== false) this.userIds.set(u.Username.toLowerCase(), u.Id);
      }
    }
    for (const m of def.members) {
      if (m.active && !this.idOfUser(m.user)) {
        m.active = false;
        this.warnings.push(`Routing member ${m.user} (team ${m.team}): no active user with this username; skipped as inactive`);
      }
    }
    const queues = [...new Set(def.teams.flatMap((t) => (t.active && t.mode === 'Pull' && t.queue ? [t.queue] : [])))];
    if (queues.length === 0) return;
    try {
      for (const raw of await this.org.rest.query(`SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue' AND DeveloperName IN ${soqlIn(queues)}`)) {
        const g = idNameSchema.parse(raw);
        this.queueIds.set(g.DeveloperName, g.Id);
      }
    } catch (err) {
      this.warnings.push(`Routing queues could not be read (${(err as Error).message}); pull teams' leads keep the integration user as owner`);
    }
    for (const q of queues) if (!this.queueIds.has(q) && this.warnings.length < 100) this.warnings.push(`Routing queue ${q} does not exist; its leads keep the integration user as owner`);
  }

  private idOfUser(user: string): string | undefined {
    return SALESFORCE_ID.test(user) ? user : this.userIds.get(user.toLowerCase());
  }

  /** Reads the account owners the batch's leads may go to (only when a team routes to account owners). */
  async prepare(leads: NormalisedLead[]): Promise<void> {
    this.accountOwners = new Map();
    if (!this.definition.teams.some((t) => t.active && t.useAccountOwner)) return;
    const domains = [...new Set(leads.map((l) => leadDomain(l.fields)).filter((d): d is string => !!d))];
    const accounts: z.infer<typeof accountRowSchema>[] = [];
    for (const part of chunk(domains, MATCH_IN_LIMIT)) {
      for (const raw of await this.org.rest.query(`SELECT Id, OwnerId, Website_Domain__c FROM Account WHERE Website_Domain__c IN ${soqlIn(part)}`)) {
        accounts.push(accountRowSchema.parse(raw));
      }
    }
    const open = new Set<string>();
    for (const part of chunk(accounts.map((a) => a.Id), MATCH_IN_LIMIT)) {
      for (const raw of await this.org.rest.query(`SELECT AccountId FROM Opportunity WHERE IsClosed = false AND AccountId IN ${soqlIn(part)}`)) {
        const o = openOppSchema.parse(raw);
        if (o.AccountId) open.add(o.AccountId.slice(0, 15));
      }
    }
    // Same rule as conversion matching: exactly one account with the domain; several make it ambiguous.
    const byDomain = new Map<string, z.infer<typeof accountRowSchema>[]>();
    for (const a of accounts) {
      const d = a.Website_Domain__c?.toLowerCase();
      if (d) byDomain.set(d, [...(byDomain.get(d) ?? []), a]);
    }
    for (const [d, list] of byDomain) if (list.length === 1 && open.has(list[0]!.Id.slice(0, 15))) this.accountOwners.set(d, list[0]!.OwnerId);
  }

  /** Decides one new lead and moves the fairness state. */
  route(lead: NormalisedLead): PackageAssignment {
    const domain = leadDomain(lead.fields);
    const accountOwner = domain ? this.accountOwners.get(domain) : undefined;
    const decision = routeWithDefinition(
      routingLeadOf(lead, this.today, accountOwner ? { ownerId: accountOwner, hasOpenOpportunity: true } : undefined),
      this.definition,
      this.state.engine,
      this.today
    );
    if (decision.team && decision.ownerKind === 'member' && decision.owner) {
      const key = `${decision.team}|${decision.owner}`;
      const prev = this.state.dayCount.get(key);
      this.state.dayCount.set(key, { day: this.today, n: prev && prev.day === this.today ? prev.n + 1 : 1 });
      // Every eligible member's credit moved, not only the winner's.
      for (const c of decision.candidates) this.touched.add(`${decision.team}|${c}`);
    }
    return { ownerId: this.ownerIdOf(decision), rule: decision.team, explanation: decision.explanation, decision };
  }

  private ownerIdOf(d: RoutingDecision): string | null {
    if (!d.owner) return null;
    if (d.ownerKind === 'accountOwner') return d.owner;
    if (d.ownerKind === 'queue') return this.queueIds.get(d.owner) ?? null;
    return this.idOfUser(d.owner) ?? null;
  }

  /**
   * Writes the ledger rows for created leads (upsert by the lead's Id: a rerun never adds a second row) and
   * the cursors this run moved. Failures are warnings: the leads themselves are already written.
   */
  async commit(created: { decision: RoutingDecision; leadId: string }[], decidedAt: string): Promise<{ decisions: number; warnings: string[] }> {
    const warnings: string[] = [];
    let decisions = 0;
    const failed = (what: string, rs: { success: boolean; errors: { statusCode: string; message: string }[] }[]) => {
      for (const r of rs) if (!r.success && warnings.length < 50) warnings.push(`${what} not written: ${r.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`);
    };
    if (created.length > 0) {
      const rs = await this.org.rest.upsert('Routing_Decision__c', 'External_Id__c', created.map((c) => decisionRecord(c.decision, c.leadId, decidedAt)));
      decisions = rs.filter((r) => r.success).length;
      failed('Routing decision', rs);
    }
    const keys = [...this.touched];
    this.touched.clear();
    if (keys.length > 0) {
      const rows = keys.map((key) => {
        const day = this.state.dayCount.get(key);
        return {
          Key__c: key,
          Name: cursorName(key),
          Credit__c: this.state.engine.credit[key] ?? 0,
          Assigned__c: this.state.engine.assigned[key] ?? 0,
          Assigned_On_Day__c: day?.n ?? 0,
          Day__c: day?.day ?? null
        };
      });
      failed('Routing cursor', await this.org.rest.upsert('Routing_Cursor__c', 'Key__c', rows));
    }
    return { decisions, warnings };
  }
}
