/**
 * Sales acceptance SLA and SQL follow-up cadence.
 *
 * An MQL handed to sales must be accepted (SAL_Accepted_Date__c set, or Status 'Working - Contacted')
 * within `sla.acceptWithinDays` of the MQL entry of its current pass (decideSla, the rule Apex SalSlaRule
 * applies too; shared vectors in SalSlaVectors.json). The job stamps SAL_Accept_By__c on waiting leads and,
 * once the deadline has passed, escalates (a High priority Task for the owner's manager) or recycles the lead
 * to nurture (status, Funnel_Stage__c 'Recycled', Recycle_Reason__c 'SLA Expired', nurture campaign membership).
 * New SQLs get the configured follow-up Tasks. Every action is recorded in hist_written, so reruns never
 * create a second Task or a second campaign membership.
 */
import { soqlIn } from '../salesforce/soql';
import type { OrgClient, SObjectRecord } from '../salesforce/types';
import type { Store } from '../store/types';
import type { HistoryConfig } from './config';
import { insertRows } from './sync';

const DAY_MS = 86_400_000;
/** Recycle_Reason__c of a lead the clock sent back to nurture. */
export const SLA_EXPIRED = 'SLA Expired';

/** What the SLA rule reads from a lead (the same fields SalSlaRule reads in Apex). */
export interface SlaLeadFacts {
  funnelStage: string | null;
  status: string | null;
  isConverted: boolean;
  /** MQL_Date__c: the first time the person became an MQL (a milestone, kept across passes). */
  mqlDate: Date | null;
  /** The latest Funnel_Stage__c change to MQL (field history): when the current pass became an MQL. */
  mqlEnteredAt: Date | null;
  salAcceptedDate: Date | null;
  salAcceptBy: Date | null;
}

export interface SlaRule {
  acceptWithinDays: number;
  action: 'flag' | 'escalate' | 'recycle';
}

export type SlaOutcome = 'not-waiting' | 'waiting' | 'flag' | 'escalate' | 'recycle';

export interface SlaDecision {
  /** The lead is an MQL of the current pass that sales has not accepted yet. */
  waiting: boolean;
  /** Start of the acceptance clock: the MQL entry of the current pass. */
  clockStart: Date | null;
  /** When acceptance is due (clockStart + acceptWithinDays); null when not waiting. */
  acceptBy: Date | null;
  /** SAL_Accept_By__c is missing or differs from acceptBy and must be written. */
  stamp: boolean;
  /** The deadline has passed (strictly after acceptBy). */
  expired: boolean;
  outcome: SlaOutcome;
}

/** Status that counts as accepted by sales, like SAL_Accepted_Date__c (docs/history.md). */
export const ACCEPTED_STATUS = 'Working - Contacted';

const later = (a: Date | null, b: Date | null): Date | null =>
  !a ? b : !b ? a : a.getTime() >= b.getTime() ? a : b;

/**
 * The sales acceptance rule, pure: the service's job and Apex SalSlaRule.decide apply it to the same facts,
 * and the shared vectors (force-app/main/default/staticresources/SalSlaVectors.json) hold both to it.
 *
 * The clock starts when the current pass became an MQL (the later of MQL_Date__c and the latest change of
 * Funnel_Stage__c to MQL), so a recycled lead that re-enters gets a new clock, and an acceptance from an
 * earlier pass (SAL_Accepted_Date__c before the clock start) does not count for this one.
 */
export function decideSla(lead: SlaLeadFacts, rule: SlaRule, now: Date): SlaDecision {
  const clockStart = later(lead.mqlDate, lead.mqlEnteredAt);
  const acceptedThisPass =
    !!lead.salAcceptedDate && !!clockStart && lead.salAcceptedDate.getTime() >= clockStart.getTime();
  const waiting =
    !lead.isConverted &&
    lead.funnelStage === 'MQL' &&
    !!clockStart &&
    !acceptedThisPass &&
    (lead.status ?? '') !== ACCEPTED_STATUS;
  if (!waiting)
    return { waiting, clockStart, acceptBy: null, stamp: false, expired: false, outcome: 'not-waiting' };
  const acceptBy = new Date(clockStart.getTime() + rule.acceptWithinDays * DAY_MS);
  const stamp = !lead.salAcceptBy || lead.salAcceptBy.getTime() !== acceptBy.getTime();
  const expired = now.getTime() > acceptBy.getTime();
  return { waiting, clockStart, acceptBy, stamp, expired, outcome: expired ? rule.action : 'waiting' };
}

interface WaitingLead {
  id: string;
  mqlDate: Date | null;
  owner_id: string | null;
  decision: SlaDecision;
}

export interface SlaSummary {
  acceptByStamped: number;
  breaches: number;
  escalated: number;
  recycled: number;
  followUpTasks: number;
  failures: { leadId: string; action: string; message: string }[];
}

async function done(store: Store, kind: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await store.query<{ key: string }>(
    'select key from hist_written where kind = $1 and key = any($2::text[])',
    [kind, keys]
  );
  return new Set(rows.map((r) => r.key));
}

async function markDone(store: Store, kind: string, keys: string[]): Promise<void> {
  await insertRows(
    store,
    'hist_written',
    ['kind', 'key', 'hash'],
    keys.map((k) => [kind, k, 'done']),
    'on conflict (kind, key) do nothing'
  );
}

/** Manager of each owner (User.ManagerId), in batched queries. */
async function managersOf(org: OrgClient, ownerIds: string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const users = ownerIds.filter((id) => id.startsWith('005'));
  for (let i = 0; i < users.length; i += 200) {
    const rows = await org.rest.query<{ Id: string; ManagerId?: string | null }>(
      `SELECT Id, ManagerId FROM User WHERE Id IN ${soqlIn(users.slice(i, i + 200))}`
    );
    for (const r of rows) if (r.ManagerId) map.set(r.Id, r.ManagerId);
  }
  return map;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export async function runSlaAndFollowUps(
  org: OrgClient,
  store: Store,
  config: Pick<HistoryConfig, 'sla' | 'followUp'>,
  now: Date
): Promise<SlaSummary> {
  const summary: SlaSummary = {
    acceptByStamped: 0,
    breaches: 0,
    escalated: 0,
    recycled: 0,
    followUpTasks: 0,
    failures: []
  };

  const rule: SlaRule = { acceptWithinDays: config.sla.acceptWithinDays, action: config.sla.action };
  const candidates = await store.query<{
    id: string;
    owner_id: string | null;
    status: string | null;
    funnel_stage: string | null;
    is_converted: boolean;
    mql_date: Date | null;
    mql_entered_at: Date | null;
    sal_accepted_date: Date | null;
    sal_accept_by: Date | null;
  }>(
    `select l.id, l.owner_id, l.status, l.funnel_stage, l.is_converted, l.mql_date, l.sal_accepted_date, l.sal_accept_by,
            (select max(c.created_date) from hist_lead_change c
              where c.lead_id = l.id and c.field = 'Funnel_Stage__c' and c.new_value = 'MQL') as mql_entered_at
     from hist_lead l
     where not l.is_deleted and not l.is_converted and l.funnel_stage = 'MQL'`
  );
  const waiting: WaitingLead[] = candidates
    .map((l) => ({
      id: l.id,
      owner_id: l.owner_id,
      mqlDate: l.mql_date,
      decision: decideSla(
        {
          funnelStage: l.funnel_stage,
          status: l.status,
          isConverted: l.is_converted,
          mqlDate: l.mql_date,
          mqlEnteredAt: l.mql_entered_at,
          salAcceptedDate: l.sal_accepted_date,
          salAcceptBy: l.sal_accept_by
        },
        rule,
        now
      )
    }))
    .filter((l) => l.decision.waiting);
  const clockStart = (l: WaitingLead) => l.decision.clockStart!;
  const acceptBy = (l: WaitingLead) => l.decision.acceptBy!;

  // 1. Stamp the acceptance deadline where it is missing or stale.
  const stamps = waiting.filter((l) => l.decision.stamp);
  if (stamps.length > 0) {
    const results = await org.rest.update(
      'Lead',
      stamps.map((l) => ({ Id: l.id, SAL_Accept_By__c: acceptBy(l).toISOString() }))
    );
    for (const r of results) {
      if (r.success) summary.acceptByStamped++;
      else
        summary.failures.push({
          leadId: stamps[r.index]!.id,
          action: 'stamp',
          message: r.errors[0]?.message ?? 'failed'
        });
    }
  }

  // 2. Breaches: deadline passed. One breach per pass: the key is the clock start of the pass.
  const breached = waiting.filter((l) => l.decision.expired);
  // The clock start to the millisecond: two passes on the same day are two breaches.
  const breachKey = (l: WaitingLead) => `${l.id}:${clockStart(l).toISOString()}`;
  // Keys written before passes had their own clock were `<id>:<MQL date>`; they still cover the first pass.
  const legacyKey = (l: WaitingLead) =>
    l.mqlDate && l.mqlDate.getTime() === clockStart(l).getTime() ? `${l.id}:${isoDate(l.mqlDate)}` : null;
  const handled = await done(store, 'sla', [
    ...breached.map(breachKey),
    ...breached.map(legacyKey).filter((k): k is string => k !== null)
  ]);
  const open = breached.filter((l) => !handled.has(breachKey(l)) && !handled.has(legacyKey(l) ?? ''));
  summary.breaches = breached.length;
  if (open.length > 0 && config.sla.action === 'escalate') {
    const managers = await managersOf(org, [
      ...new Set(open.map((l) => l.owner_id).filter((x): x is string => !!x))
    ]);
    const tasks: SObjectRecord[] = open.map((l) => ({
      Subject: `SLA breach: lead not accepted within ${config.sla.acceptWithinDays} days`,
      WhoId: l.id,
      OwnerId: (l.owner_id && managers.get(l.owner_id)) ?? config.sla.escalateToUserId ?? l.owner_id,
      ActivityDate: isoDate(now),
      Priority: 'High',
      Status: 'Not Started',
      Description: `MQL since ${clockStart(l).toISOString()}; acceptance was due ${acceptBy(l).toISOString()}.`
    }));
    const results = await org.rest.create('Task', tasks);
    const ok: string[] = [];
    for (const r of results) {
      const lead = open[r.index]!;
      if (r.success) ok.push(breachKey(lead));
      else
        summary.failures.push({
          leadId: lead.id,
          action: 'escalate',
          message: r.errors[0]?.message ?? 'failed'
        });
    }
    await markDone(store, 'sla', ok);
    summary.escalated = ok.length;
  } else if (open.length > 0 && config.sla.action === 'recycle') {
    const results = await org.rest.update(
      'Lead',
      open.map((l) => ({
        Id: l.id,
        Status: config.sla.recycledStatus,
        Funnel_Stage__c: 'Recycled',
        Recycle_Reason__c: SLA_EXPIRED
      }))
    );
    const recycled = results.filter((r) => r.success).map((r) => open[r.index]!);
    for (const r of results.filter((x) => !x.success)) {
      summary.failures.push({
        leadId: open[r.index]!.id,
        action: 'recycle',
        message: r.errors[0]?.message ?? 'failed'
      });
    }
    if (config.sla.nurtureCampaignId && recycled.length > 0) {
      const members = await org.rest.create(
        'CampaignMember',
        recycled.map((l) => ({ CampaignId: config.sla.nurtureCampaignId, LeadId: l.id, Status: 'Sent' }))
      );
      for (const m of members) {
        // Already a member is fine: the lead is in nurture either way.
        if (!m.success && !m.errors.some((e) => e.statusCode === 'DUPLICATE_VALUE')) {
          summary.failures.push({
            leadId: recycled[m.index]!.id,
            action: 'nurture',
            message: m.errors[0]?.message ?? 'failed'
          });
        }
      }
    }
    await markDone(store, 'sla', recycled.map(breachKey));
    summary.recycled = recycled.length;
  }

  // 3. Follow-up cadence for SQLs.
  const sqls = await store.query<{
    id: string;
    owner_id: string | null;
    sql_date: Date;
    is_converted: boolean;
    converted_contact_id: string | null;
    converted_opportunity_id: string | null;
  }>(
    `select id, owner_id, sql_date, is_converted, converted_contact_id, converted_opportunity_id from hist_lead
     where not is_deleted and sql_date is not null and sql_date >= $1`,
    [new Date(now.getTime() - config.followUp.newWithinDays * DAY_MS)]
  );
  const cadence = config.followUp.cadence;
  const planned = sqls.flatMap((l) => cadence.map((step, i) => ({ lead: l, step, key: `${l.id}:${i}` })));
  const already = await done(
    store,
    'followup',
    planned.map((p) => p.key)
  );
  const todo = planned.filter((p) => !already.has(p.key));
  if (todo.length > 0) {
    const results = await org.rest.create(
      'Task',
      todo.map(({ lead, step }) => ({
        Subject: step.subject,
        // After conversion the lead is read-only: the task goes to the contact and opportunity.
        WhoId: lead.is_converted ? lead.converted_contact_id : lead.id,
        WhatId: lead.is_converted ? lead.converted_opportunity_id : null,
        OwnerId: lead.owner_id,
        ActivityDate: isoDate(new Date(lead.sql_date.getTime() + step.afterDays * DAY_MS)),
        Priority: 'Normal',
        Status: 'Not Started'
      }))
    );
    const ok: string[] = [];
    for (const r of results) {
      if (r.success) ok.push(todo[r.index]!.key);
      else
        summary.failures.push({
          leadId: todo[r.index]!.lead.id,
          action: 'follow-up',
          message: r.errors[0]?.message ?? 'failed'
        });
    }
    await markDone(store, 'followup', ok);
    summary.followUpTasks = ok.length;
  }
  return summary;
}
