/**
 * Reads the activity behind engagement scores, in batches (one query per chunk of leads, never one per
 * lead): org Tasks on the leads, responded CampaignMembers (with their Campaign types), and the
 * engagement events the ingest capability recorded in the store (through its listEngagementEvents; the
 * "which leads got new events since the watermark" query below reads engagement_events.ingested_at directly).
 */
import type { OrgClient, SObjectRecord } from '../salesforce/types';
import { soqlDateTime, soqlIn } from '../salesforce/soql';
import { listEngagementEvents } from '../ingest';
import type { Queryable } from '../store/types';
import {
  classifyCampaignResponse,
  classifyStoredEvent,
  classifyTask,
  type EngagementActivity
} from './engagement';

export interface ActivityLead {
  Id: string;
  Source_External_Id__c?: string | null;
}

const dateOf = (v: unknown): Date | null => {
  if (typeof v !== 'string' || v === '') return null;
  const d = new Date(v.length === 10 ? `${v}T12:00:00Z` : v.replace(/\+0000$/, 'Z'));
  return Number.isNaN(d.getTime()) ? null : d;
};

const id15 = (id: string) => id.slice(0, 15);

/** Campaign types by Id, cached across chunks of one sweep. */
export type CampaignTypeCache = Map<string, string | null>;

/** Activity per lead Id (18-char Id as queried) for one chunk of leads. */
export async function readActivity(
  org: Pick<OrgClient, 'rest'>,
  store: Queryable,
  leads: readonly ActivityLead[],
  opts: { since: Date; campaignTypes: CampaignTypeCache; storeEvents: boolean }
): Promise<Map<string, EngagementActivity[]>> {
  const byLead = new Map<string, EngagementActivity[]>(leads.map((l) => [l.Id, []]));
  if (leads.length === 0) return byLead;
  const ids = leads.map((l) => l.Id);
  const push = (leadId: string, a: EngagementActivity) => byLead.get(leadId)?.push(a);
  const cutoff = soqlDateTime(opts.since);

  const [tasks, members] = await Promise.all([
    org.rest.query<SObjectRecord>(
      `SELECT WhoId, TaskSubtype, Type, Subject, CreatedDate FROM Task WHERE WhoId IN ${soqlIn(ids)} AND CreatedDate >= ${cutoff}`
    ),
    org.rest.query<SObjectRecord>(
      `SELECT LeadId, CampaignId, FirstRespondedDate, CreatedDate FROM CampaignMember WHERE LeadId IN ${soqlIn(ids)} AND HasResponded = true`
    )
  ]);
  for (const t of tasks) {
    const type = classifyTask(t as { Subject?: string; Type?: string; TaskSubtype?: string });
    const at = dateOf(t['CreatedDate']);
    if (type && at) push(String(t['WhoId']), { type, occurredAt: at, source: 'task' });
  }

  const unknownCampaigns = [...new Set(members.map((m) => String(m['CampaignId'])))].filter((c) => !opts.campaignTypes.has(c));
  if (unknownCampaigns.length > 0) {
    const campaigns = await org.rest.query<SObjectRecord>(`SELECT Id, Type FROM Campaign WHERE Id IN ${soqlIn(unknownCampaigns)}`);
    for (const c of unknownCampaigns) opts.campaignTypes.set(c, null);
    for (const c of campaigns) opts.campaignTypes.set(String(c.Id), (c['Type'] as string | null) ?? null);
  }
  for (const m of members) {
    const at = dateOf(m['FirstRespondedDate']) ?? dateOf(m['CreatedDate']);
    if (!at || at < opts.since) continue;
    const type = classifyCampaignResponse(opts.campaignTypes.get(String(m['CampaignId'])));
    push(String(m['LeadId']), { type, occurredAt: at, source: 'campaign' });
  }

  if (opts.storeEvents) {
    for (const e of await readStoredEvents(store, leads, opts.since)) push(e.leadId, e.activity);
  }
  return byLead;
}

/** Whether the ingest capability's engagement_events table exists in this store. */
export async function hasEngagementEventsTable(store: Queryable): Promise<boolean> {
  const rows = await store.query<{ t: string | null }>(`select to_regclass('engagement_events')::text as t`);
  return rows[0]?.t != null;
}

/**
 * Engagement events recorded by ingest, read through its public `listEngagementEvents` (matched by
 * Source_External_Id__c = lead_key, or by Lead Id). properties.url marks pricing pages and
 * properties.weight overrides the points; event_count repeats the event.
 */
export async function readStoredEvents(
  store: Queryable,
  leads: readonly ActivityLead[],
  since: Date
): Promise<{ leadId: string; activity: EngagementActivity }[]> {
  const byId15 = new Map(leads.map((l) => [id15(l.Id), l.Id]));
  const byKey = new Map(leads.filter((l) => l.Source_External_Id__c).map((l) => [l.Source_External_Id__c as string, l.Id]));
  const rows = await listEngagementEvents(store, [...byKey.keys(), ...leads.map((l) => l.Id)]);
  const out: { leadId: string; activity: EngagementActivity }[] = [];
  for (const r of rows) {
    const leadId = (r.leadId ? byId15.get(id15(r.leadId)) : undefined) ?? byKey.get(r.leadKey);
    const occurredAt = r.occurredAt ?? r.ingestedAt;
    if (!leadId || occurredAt < since) continue;
    const props = r.properties ?? {};
    const type = classifyStoredEvent(r.eventType, typeof props['url'] === 'string' ? props['url'] : null);
    if (!type) continue;
    const weight = typeof props['weight'] === 'number' ? props['weight'] : undefined;
    const count = Math.max(1, Number(r.count) || 1);
    // event_count folds repeated events (e.g. 3 page views): each counts.
    for (let i = 0; i < count; i++) out.push({ leadId, activity: { type, occurredAt, weight, source: `store:${r.source}` } });
  }
  return out;
}

/** Lead Ids (15-char prefix match later) and lead keys with store events ingested since `since`. */
export async function storedEventLeadsSince(store: Queryable, since: Date): Promise<{ leadIds: string[]; leadKeys: string[] }> {
  const rows = await store.query<{ lead_id: string | null; lead_key: string }>(
    `select distinct lead_id, lead_key from engagement_events where ingested_at >= $1`,
    [since.toISOString()]
  );
  return {
    leadIds: rows.map((r) => r.lead_id).filter((x): x is string => !!x && x.startsWith('00Q')),
    leadKeys: rows.filter((r) => !r.lead_id).map((r) => r.lead_key)
  };
}
