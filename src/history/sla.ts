/**
 * Sales acceptance SLA and SQL follow-up cadence.
 *
 * An MQL handed to sales must be accepted (SAL_Accepted_Date__c set, or Status 'Working - Contacted')
 * within `sla.acceptWithinDays` of its MQL date. The job stamps SAL_Accept_By__c on waiting leads and, once
 * the deadline has passed, escalates (a High priority Task for the owner's manager) or recycles the lead to
 * nurture (status, Funnel_Stage__c 'Recycled', Recycle_Reason__c 'SLA Expired', nurture campaign membership).
 * New SQLs get the configured follow-up Tasks. Every action is recorded in hist_written, so reruns never
 * create a second Task or a second campaign membership.
 */
import { soqlIn } from '../salesforce/soql';
import type { OrgClient, SObjectRecord } from '../salesforce/types';
import type { Store } from '../store/types';
import type { HistoryConfig } from './config';
import { insertRows } from './sync';

const DAY_MS = 86_400_000;

interface WaitingLead {
  id: string;
  owner_id: string | null;
  mql_date: Date;
  sal_accept_by: Date | null;
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
  const rows = await store.query<{ key: string }>('select key from hist_written where kind = $1 and key = any($2::text[])', [
    kind,
    keys
  ]);
  return new Set(rows.map((r) => r.key));
}

async function markDone(store: Store, kind: string, keys: string[]): Promise<void> {
  await insertRows(store, 'hist_written', ['kind', 'key', 'hash'], keys.map((k) => [kind, k, 'done']), 'on conflict (kind, key) do nothing');
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
  const summary: SlaSummary = { acceptByStamped: 0, breaches: 0, escalated: 0, recycled: 0, followUpTasks: 0, failures: [] };
  const slaMs = config.sla.acceptWithinDays * DAY_MS;

  const waiting = await store.query<WaitingLead>(
    `select id, owner_id, mql_date, sal_accept_by from hist_lead
     where not is_deleted and not is_converted and funnel_stage = 'MQL' and mql_date is not null
       and sal_accepted_date is null and coalesce(status, '') <> 'Working - Contacted'`
  );

  // 1. Stamp the acceptance deadline where it is missing or stale.
  const stamps = waiting
    .map((l) => ({ lead: l, acceptBy: new Date(l.mql_date.getTime() + slaMs) }))
    .filter((x) => !x.lead.sal_accept_by || x.lead.sal_accept_by.getTime() !== x.acceptBy.getTime());
  if (stamps.length > 0) {
    const results = await org.rest.update(
      'Lead',
      stamps.map((s) => ({ Id: s.lead.id, SAL_Accept_By__c: s.acceptBy.toISOString() }))
    );
    for (const r of results) {
      if (r.success) summary.acceptByStamped++;
      else summary.failures.push({ leadId: stamps[r.index]!.lead.id, action: 'stamp', message: r.errors[0]?.message ?? 'failed' });
    }
  }

  // 2. Breaches: deadline passed.
  const breached = waiting.filter((l) => now.getTime() > l.mql_date.getTime() + slaMs);
  const breachKey = (l: WaitingLead) => `${l.id}:${isoDate(l.mql_date)}`;
  const handled = await done(store, 'sla', breached.map(breachKey));
  const open = breached.filter((l) => !handled.has(breachKey(l)));
  summary.breaches = breached.length;
  if (open.length > 0 && config.sla.action === 'escalate') {
    const managers = await managersOf(org, [...new Set(open.map((l) => l.owner_id).filter((x): x is string => !!x))]);
    const tasks: SObjectRecord[] = open.map((l) => ({
      Subject: `SLA breach: lead not accepted within ${config.sla.acceptWithinDays} days`,
      WhoId: l.id,
      OwnerId: (l.owner_id && managers.get(l.owner_id)) ?? config.sla.escalateToUserId ?? l.owner_id,
      ActivityDate: isoDate(now),
      Priority: 'High',
      Status: 'Not Started',
      Description: `MQL since ${l.mql_date.toISOString()}; acceptance was due ${new Date(l.mql_date.getTime() + slaMs).toISOString()}.`
    }));
    const results = await org.rest.create('Task', tasks);
    const ok: string[] = [];
    for (const r of results) {
      const lead = open[r.index]!;
      if (r.success) ok.push(breachKey(lead));
      else summary.failures.push({ leadId: lead.id, action: 'escalate', message: r.errors[0]?.message ?? 'failed' });
    }
    await markDone(store, 'sla', ok);
    summary.escalated = ok.length;
  } else if (open.length > 0 && config.sla.action === 'recycle') {
    const results = await org.rest.update(
      'Lead',
      open.map((l) => ({ Id: l.id, Status: config.sla.recycledStatus, Funnel_Stage__c: 'Recycled', Recycle_Reason__c: 'SLA Expired' }))
    );
    const recycled = results.filter((r) => r.success).map((r) => open[r.index]!);
    for (const r of results.filter((x) => !x.success)) {
      summary.failures.push({ leadId: open[r.index]!.id, action: 'recycle', message: r.errors[0]?.message ?? 'failed' });
    }
    if (config.sla.nurtureCampaignId && recycled.length > 0) {
      const members = await org.rest.create(
        'CampaignMember',
        recycled.map((l) => ({ CampaignId: config.sla.nurtureCampaignId, LeadId: l.id, Status: 'Sent' }))
      );
      for (const m of members) {
        // Already a member is fine: the lead is in nurture either way.
        if (!m.success && !m.errors.some((e) => e.statusCode === 'DUPLICATE_VALUE')) {
          summary.failures.push({ leadId: recycled[m.index]!.id, action: 'nurture', message: m.errors[0]?.message ?? 'failed' });
        }
      }
    }
    await markDone(store, 'sla', recycled.map(breachKey));
    summary.recycled = recycled.length;
  }

  // 3. Follow-up cadence for SQLs.
  const sqls = await store.query<{ id: string; owner_id: string | null; sql_date: Date; is_converted: boolean; converted_contact_id: string | null; converted_opportunity_id: string | null }>(
    `select id, owner_id, sql_date, is_converted, converted_contact_id, converted_opportunity_id from hist_lead
     where not is_deleted and sql_date is not null and sql_date >= $1`,
    [new Date(now.getTime() - config.followUp.newWithinDays * DAY_MS)]
  );
  const cadence = config.followUp.cadence;
  const planned = sqls.flatMap((l) => cadence.map((step, i) => ({ lead: l, step, key: `${l.id}:${i}` })));
  const already = await done(store, 'followup', planned.map((p) => p.key));
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
      else summary.failures.push({ leadId: todo[r.index]!.lead.id, action: 'follow-up', message: r.errors[0]?.message ?? 'failed' });
    }
    await markDone(store, 'followup', ok);
    summary.followUpTasks = ok.length;
  }
  return summary;
}
