import { storeBackends } from '../../test/helpers/store-backends';
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { parseHistoryConfig } from './config';
import { writeOrgFunnelMeta } from './org-meta';
import { insertRows } from './sync';
import { buildTimelines } from './timeline';
import { milestone, stageChangeRecords } from './writeback';

const t = (iso: string) => new Date(iso);
const stages = (x: { visits: { stage: string; kind: string }[] }) => x.visits.map((v) => `${v.stage}/${v.kind}`);

describe('buildTimelines from the store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    const lead = ['id', 'created_date', 'lead_source', 'status', 'funnel_stage', 'is_converted', 'converted_opportunity_id', 'converted_contact_id', 'is_deleted', 'system_modstamp'];
    await insertRows(store, 'hist_lead', lead, [
      ['00QA', t('2026-01-01T00:00:00Z'), 'Web', 'Closed - Converted', 'SQL', true, '006A', '003A', false, t('2026-02-01T00:00:00Z')],
      ['00QB', t('2026-01-10T00:00:00Z'), 'Trade Show', 'Closed - Not Converted', null, false, null, null, false, t('2026-02-01T00:00:00Z')],
      ['00QC', t('2026-01-10T00:00:00Z'), 'Web', 'Open - Not Contacted', 'Name', false, null, null, true, t('2026-02-01T00:00:00Z')]
    ], '');
    // h3/h4 are one save (same instant): Funnel_Stage__c MQL must win over Status 'Working - Contacted' (SAL),
    // although the Status row has the later id.
    await insertRows(store, 'hist_lead_change', ['id', 'lead_id', 'field', 'old_value', 'new_value', 'created_date'], [
      ['h1', '00QA', 'Funnel_Stage__c', 'Name', 'Engaged', t('2026-01-02T00:00:00Z')],
      ['h3', '00QA', 'Funnel_Stage__c', 'Engaged', 'MQL', t('2026-01-03T00:00:00Z')],
      ['h4', '00QA', 'Status', 'Open - Not Contacted', 'Working - Contacted', t('2026-01-03T00:00:00Z')],
      ['h5', '00QA', 'Funnel_Stage__c', 'MQL', 'SQL', t('2026-01-05T00:00:00Z')],
      ['h6', '00QA', 'Status', 'Working - Contacted', 'Closed - Converted', t('2026-01-06T00:00:00Z')],
      ['h7', '00QB', 'Status', 'Open - Not Contacted', 'Working - Contacted', t('2026-01-11T00:00:00Z')],
      ['h8', '00QB', 'Status', 'Working - Contacted', 'Closed - Not Converted', t('2026-01-20T00:00:00Z')]
    ], '');
    await insertRows(store, 'hist_opportunity', ['id', 'created_date', 'stage_name', 'amount', 'is_closed', 'is_won', 'lead_source', 'is_deleted', 'system_modstamp'], [
      ['006A', t('2026-01-06T00:00:00Z'), 'Closed Won', 5000, true, true, 'Web', false, t('2026-02-01T00:00:00Z')],
      ['006Z', t('2026-01-15T00:00:00Z'), 'Scoping', 800, false, false, 'Partner Referral', false, t('2026-02-01T00:00:00Z')]
    ], '');
    await insertRows(store, 'hist_opportunity_change', ['id', 'opportunity_id', 'stage_name', 'amount', 'created_date'], [
      ['o1', '006A', 'Scoping', 5000, t('2026-01-06T00:00:00Z')],
      ['o2', '006A', 'Negotiation/Review', 5000, t('2026-01-16T00:00:00Z')],
      ['o3', '006A', 'Closed Won', 5000, t('2026-01-26T00:00:00Z')]
    ], '');
    await writeOrgFunnelMeta(store, {
      currency: 'EUR',
      opportunityStages: [
        { name: 'Scoping', sortOrder: 1, isActive: true, isClosed: false, isWon: false },
        { name: 'Negotiation/Review', sortOrder: 2, isActive: true, isClosed: false, isWon: false },
        { name: 'Closed Won', sortOrder: 3, isActive: true, isClosed: true, isWon: true }
      ]
    });
  });
  afterAll(() => store.close());

  it('should join a converted lead with its opportunity stages into one timeline, dropping deleted leads', async () => {
    const timelines = await buildTimelines(store, parseHistoryConfig({}));
    expect(timelines.map((x) => `${x.key}/${x.kind}`)).toEqual(['00QA/lead', '00QB/lead', '006Z/deal']);
    const a = timelines[0]!;
    expect(stages(a)).toEqual([
      'Name/lead', 'Engaged/lead', 'MQL/lead', 'SQL/lead', 'Scoping/opportunity', 'Negotiation/Review/opportunity', 'Closed Won/won'
    ]);
    expect(a).toMatchObject({ opportunityId: '006A', contactId: '003A', amount: 5000, currency: 'EUR', won: true, channel: 'Web' });
    expect(milestone(a, 'MQL')?.toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(milestone(a, 'Customer')?.toISOString()).toBe('2026-01-26T00:00:00.000Z');
  });

  it('should map lead statuses through the configured stages', async () => {
    const [, b] = await buildTimelines(store, parseHistoryConfig({}));
    expect(stages(b!)).toEqual(['Name/lead', 'SAL/lead', 'Recycled/recycled']);
  });

  it('should give a lead-less deal no lead milestones', async () => {
    const deal = (await buildTimelines(store, parseHistoryConfig({})))[2]!;
    expect(milestone(deal, 'MQL')).toBeNull();
    expect(milestone(deal, 'SQL')).toBeNull();
  });

  it('should produce stable external ids and durations for stage change rows, with no 0-hour visit', async () => {
    const [a] = await buildTimelines(store, parseHistoryConfig({}));
    const first = stageChangeRecords(a!);
    const again = stageChangeRecords((await buildTimelines(store, parseHistoryConfig({})))[0]!);
    expect(first.map((r) => r.External_Id__c)).toEqual(again.map((r) => r.External_Id__c));
    expect(new Set(first.map((r) => r.External_Id__c)).size).toBe(first.length);
    expect(first.every((r) => r.Duration_Hours__c === null || (r.Duration_Hours__c as number) > 0)).toBe(true);
    expect(first[0]).toMatchObject({ To_Stage__c: 'Name', From_Stage__c: null, Duration_Hours__c: 24, Lead__c: '00QA', Opportunity__c: '006A' });
    expect(first[6]).toMatchObject({ From_Stage__c: 'Negotiation/Review', To_Stage__c: 'Closed Won', Exited_At__c: null, Duration_Hours__c: null });
  });
});

describe.each(storeBackends('hist_tl'))('buildTimelines a page of leads at a time ($name)', (backend) => {
  let store: Store;
  const lead = ['id', 'created_date', 'lead_source', 'status', 'funnel_stage', 'is_converted', 'converted_opportunity_id', 'converted_contact_id', 'is_deleted', 'system_modstamp'];
  const opportunity = ['id', 'created_date', 'stage_name', 'amount', 'is_closed', 'is_won', 'lead_source', 'is_deleted', 'system_modstamp'];
  beforeAll(async () => {
    store = await backend.open();
    // 40 leads on 4 instants (ties across every page boundary), ids in mixed case (code-unit order differs from
    // locale order), every 5th deleted, every 3rd converted; the deleted lead 00QB00 still claims its opportunity (no deal).
    const ids = Array.from({ length: 40 }, (_, i) => `00Q${i % 2 ? 'a' : 'B'}${String(i).padStart(2, '0')}`);
    await insertRows(store, 'hist_lead', lead, ids.map((id, i) => [
      id, t(`2026-03-0${1 + (i % 4)}T00:00:00Z`), i % 2 ? 'Web' : 'Webinar', 'Working - Contacted', 'MQL', i % 3 === 0,
      i % 3 === 0 ? `006L${i}` : null, i % 3 === 0 ? `003L${i}` : null, i % 5 === 0 && i !== 3, t('2026-04-01T00:00:00Z')
    ]), '');
    await insertRows(store, 'hist_lead_change', ['id', 'lead_id', 'field', 'old_value', 'new_value', 'created_date'], ids.flatMap((id, i) => [
      [`h${i}a`, id, 'Funnel_Stage__c', 'Name', 'Engaged', t(`2026-03-1${i % 3}T00:00:00Z`)],
      [`h${i}b`, id, 'Funnel_Stage__c', 'Engaged', 'MQL', t(`2026-03-2${i % 3}T00:00:00Z`)]
    ]), '');
    const converted = ids.map((_, i) => i).filter((i) => i % 3 === 0);
    const deals = Array.from({ length: 9 }, (_, k) => `006${k % 2 ? 'z' : 'D'}${k}`);
    await insertRows(store, 'hist_opportunity', opportunity, [
      ...converted.map((i) => [`006L${i}`, t('2026-03-25T00:00:00Z'), 'Scoping', 100 * i, false, false, 'Web', i === 9, t('2026-04-01T00:00:00Z')]),
      ...deals.map((id, k) => [id, t(`2026-03-0${1 + (k % 2)}T00:00:00Z`), 'Closed Won', 10 * k, true, true, null, k === 4, t('2026-04-01T00:00:00Z')])
    ], '');
    await insertRows(store, 'hist_opportunity_change', ['id', 'opportunity_id', 'stage_name', 'amount', 'created_date'], [
      ...converted.map((i) => [`oc${i}`, `006L${i}`, 'Scoping', 100 * i, t('2026-03-25T00:00:00Z')]),
      ...deals.map((id, k) => [`od${k}`, id, 'Closed Won', 10 * k, t('2026-03-26T00:00:00Z')])
    ], '');
  });
  afterAll(async () => {
    await store.close();
    await backend.cleanup();
  });

  it('should give the same timelines, in the same order, whatever the page size', async () => {
    const config = parseHistoryConfig({});
    const whole = await buildTimelines(store, config, { pageSize: 10_000 });
    // 40 leads less 8 deleted, and 9 deals less the deleted one
    expect(whole.filter((x) => x.kind === 'lead')).toHaveLength(32);
    expect(whole.filter((x) => x.kind === 'deal').map((x) => x.key)).toEqual(['006D0', '006D2', '006D6', '006D8', '006z1', '006z3', '006z5', '006z7']);
    // Ties on created_date are ordered by id in code-unit order ('B' before 'a')
    const firstDay = whole.filter((x) => x.kind === 'lead' && x.createdAt.getTime() === t('2026-03-01T00:00:00Z').getTime());
    expect(firstDay.map((x) => x.key)).toEqual([...firstDay.map((x) => x.key)].sort());
    expect(whole.find((x) => x.key === '00Qa03')).toMatchObject({ opportunityId: '006L3', amount: 300 });
    for (const pageSize of [1, 3, 7, 32]) {
      expect(await buildTimelines(store, config, { pageSize })).toEqual(whole);
    }
  });
});
