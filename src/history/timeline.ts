/**
 * Builds one funnel timeline per person/deal from the synced mirror tables.
 *
 * A lead's visits come from its Funnel_Stage__c changes and its Status changes (mapped through
 * `history.statusStages`), starting at CreatedDate; after conversion the converted Opportunity's stage
 * history continues the same timeline. Opportunities created without a lead get their own timeline.
 */
import type { FunnelTimeline, StageVisit } from '../reports';
import type { Queryable } from '../store/types';
import type { HistoryConfig } from './config';

interface LeadMirror {
  id: string;
  created_date: Date;
  lead_source: string | null;
  status: string | null;
  funnel_stage: string | null;
  is_converted: boolean;
  converted_opportunity_id: string | null;
  converted_contact_id: string | null;
}
interface OpportunityMirror {
  id: string;
  created_date: Date;
  stage_name: string | null;
  amount: string | number | null;
  is_closed: boolean;
  is_won: boolean;
  lead_source: string | null;
}
interface LeadChange {
  lead_id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  created_date: Date;
}
interface OpportunityChange {
  opportunity_id: string;
  stage_name: string | null;
  created_date: Date;
}

export interface TimelineSubject extends FunnelTimeline {
  contactId: string | null;
}

const LEAD_STAGES = new Set(['Name', 'Engaged', 'Target', 'MQL', 'Recycled', 'SAL', 'SQL']);

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

function leadStage(value: string | null, field: string, statusStages: Record<string, string>): string | null {
  if (!value) return null;
  if (field === 'Funnel_Stage__c') return LEAD_STAGES.has(value) ? value : null;
  return statusStages[value] ?? null;
}

function opportunityFunnelStage(stage: string, opp: OpportunityMirror, isLast: boolean): StageVisit['funnelStage'] {
  if (stage === 'Closed Won' || (isLast && opp.is_won)) return 'Customer';
  if (stage === 'Closed Lost' || (isLast && opp.is_closed && !opp.is_won)) return 'Closed Lost';
  return 'Opportunity';
}

/** Turns ordered (time, stage) events into visits: consecutive repeats collapse, exit = next entry. */
export function toVisits(events: { at: Date; stage: string; funnelStage: StageVisit['funnelStage'] }[]): StageVisit[] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const visits: StageVisit[] = [];
  for (const e of sorted) {
    const last = visits[visits.length - 1];
    if (last && last.stage === e.stage) continue;
    if (last) last.exitedAt = e.at;
    visits.push({ stage: e.stage, funnelStage: e.funnelStage, enteredAt: e.at, exitedAt: null });
  }
  return visits;
}

function opportunityEvents(opp: OpportunityMirror, changes: OpportunityChange[]) {
  const ordered = [...changes].sort((a, b) => a.created_date.getTime() - b.created_date.getTime());
  const stages = ordered.filter((c) => c.stage_name).map((c) => ({ at: c.created_date, stage: c.stage_name! }));
  if (stages.length === 0 && opp.stage_name) stages.push({ at: opp.created_date, stage: opp.stage_name });
  return stages.map((s, i) => ({ ...s, funnelStage: opportunityFunnelStage(s.stage, opp, i === stages.length - 1) }));
}

export async function buildTimelines(
  store: Queryable,
  config: Pick<HistoryConfig, 'statusStages'>
): Promise<TimelineSubject[]> {
  const leads = await store.query<LeadMirror>(
    `select id, created_date, lead_source, status, funnel_stage, is_converted, converted_opportunity_id, converted_contact_id
     from hist_lead where not is_deleted order by created_date, id`
  );
  const opportunities = await store.query<OpportunityMirror>(
    `select id, created_date, stage_name, amount, is_closed, is_won, lead_source from hist_opportunity where not is_deleted`
  );
  const leadChanges = groupBy(
    await store.query<LeadChange>(
      `select lead_id, field, old_value, new_value, created_date from hist_lead_change
       where field in ('Status', 'Funnel_Stage__c') order by created_date, id`
    ),
    (c) => c.lead_id
  );
  const oppChanges = groupBy(
    await store.query<OpportunityChange>(
      `select opportunity_id, stage_name, created_date from hist_opportunity_change order by created_date, id`
    ),
    (c) => c.opportunity_id
  );
  const oppById = new Map(opportunities.map((o) => [o.id, o]));
  const claimedOpps = new Set<string>();
  const timelines: TimelineSubject[] = [];

  for (const lead of leads) {
    const changes = leadChanges.get(lead.id) ?? [];
    // The stage at creation: a field's value before its first recorded change, or its current value when it
    // never changed. Funnel_Stage__c is the more specific signal; the mapped Status is the fallback.
    const firstFunnel = changes.find((c) => c.field === 'Funnel_Stage__c');
    const firstStatus = changes.find((c) => c.field === 'Status');
    const initial =
      leadStage(firstFunnel ? firstFunnel.old_value : lead.funnel_stage, 'Funnel_Stage__c', {}) ??
      leadStage(firstStatus ? firstStatus.old_value : lead.status, 'Status', config.statusStages) ??
      'Name';
    const events: { at: Date; stage: string; funnelStage: StageVisit['funnelStage'] }[] = [
      { at: lead.created_date, stage: initial, funnelStage: initial as StageVisit['funnelStage'] }
    ];
    for (const c of changes) {
      const stage = leadStage(c.new_value, c.field, config.statusStages);
      if (stage) events.push({ at: c.created_date, stage, funnelStage: stage as StageVisit['funnelStage'] });
    }
    const opp = lead.converted_opportunity_id ? oppById.get(lead.converted_opportunity_id) : undefined;
    if (opp) {
      claimedOpps.add(opp.id);
      events.push(...opportunityEvents(opp, oppChanges.get(opp.id) ?? []));
    }
    timelines.push({
      key: lead.id,
      leadId: lead.id,
      opportunityId: opp?.id ?? null,
      contactId: lead.converted_contact_id,
      channel: lead.lead_source ?? '(none)',
      createdAt: lead.created_date,
      visits: toVisits(events),
      amount: opp && opp.amount !== null ? Number(opp.amount) : null,
      won: opp?.is_won ?? false,
      lost: opp ? opp.is_closed && !opp.is_won : false
    });
  }

  for (const opp of opportunities) {
    if (claimedOpps.has(opp.id)) continue;
    timelines.push({
      key: opp.id,
      leadId: null,
      opportunityId: opp.id,
      contactId: null,
      channel: opp.lead_source ?? '(none)',
      createdAt: opp.created_date,
      visits: toVisits(opportunityEvents(opp, oppChanges.get(opp.id) ?? [])),
      amount: opp.amount !== null ? Number(opp.amount) : null,
      won: opp.is_won,
      lost: opp.is_closed && !opp.is_won
    });
  }
  return timelines;
}
