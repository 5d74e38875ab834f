import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { parseHistoryConfig } from './config';
import { insertRows } from './sync';
import { buildTimelines, toVisits } from './timeline';
import { milestone, stageChangeRecords } from './writeback';

const t = (iso: string) => new Date(iso);

describe('toVisits', () => {
  it('should collapse repeated stages and close each visit when the next starts', () => {
    const visits = toVisits([
      { at: t('2026-01-03T00:00:00Z'), stage: 'MQL', funnelStage: 'MQL' },
      { at: t('2026-01-01T00:00:00Z'), stage: 'Name', funnelStage: 'Name' },
      { at: t('2026-01-04T00:00:00Z'), stage: 'MQL', funnelStage: 'MQL' },
      { at: t('2026-01-05T00:00:00Z'), stage: 'SQL', funnelStage: 'SQL' }
    ]);
    expect(visits.map((v) => [v.stage, v.enteredAt.toISOString().slice(0, 10), v.exitedAt?.toISOString().slice(0, 10) ?? null])).toEqual([
      ['Name', '2026-01-01', '2026-01-03'],
      ['MQL', '2026-01-03', '2026-01-05'],
      ['SQL', '2026-01-05', null]
    ]);
  });
});

describe('buildTimelines', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    const lead = ['id', 'created_date', 'lead_source', 'status', 'funnel_stage', 'is_converted', 'converted_opportunity_id', 'converted_contact_id', 'is_deleted', 'system_modstamp'];
    await insertRows(store, 'hist_lead', lead, [
      ['00QA', t('2026-01-01T00:00:00Z'), 'Web', 'Closed - Converted', 'SQL', true, '006A', '003A', false, t('2026-02-01T00:00:00Z')],
      ['00QB', t('2026-01-10T00:00:00Z'), 'Trade Show', 'Closed - Not Converted', null, false, null, null, false, t('2026-02-01T00:00:00Z')],
      ['00QC', t('2026-01-10T00:00:00Z'), 'Web', 'Open - Not Contacted', 'Name', false, null, null, true, t('2026-02-01T00:00:00Z')]
    ], '');
    await insertRows(store, 'hist_lead_change', ['id', 'lead_id', 'field', 'old_value', 'new_value', 'created_date'], [
      ['h1', '00QA', 'Funnel_Stage__c', 'Name', 'MQL', t('2026-01-02T00:00:00Z')],
      ['h2', '00QA', 'Funnel_Stage__c', 'MQL', 'SQL', t('2026-01-05T00:00:00Z')],
      ['h3', '00QA', 'Status', 'Open - Not Contacted', 'Closed - Converted', t('2026-01-06T00:00:00Z')],
      ['h4', '00QB', 'Status', 'Open - Not Contacted', 'Working - Contacted', t('2026-01-11T00:00:00Z')],
      ['h5', '00QB', 'Status', 'Working - Contacted', 'Closed - Not Converted', t('2026-01-20T00:00:00Z')]
    ], '');
    await insertRows(store, 'hist_opportunity', ['id', 'created_date', 'stage_name', 'amount', 'is_closed', 'is_won', 'lead_source', 'is_deleted', 'system_modstamp'], [
      ['006A', t('2026-01-06T00:00:00Z'), 'Closed Won', 5000, true, true, 'Web', false, t('2026-02-01T00:00:00Z')],
      ['006Z', t('2026-01-15T00:00:00Z'), 'Prospecting', 800, false, false, 'Partner Referral', false, t('2026-02-01T00:00:00Z')]
    ], '');
    await insertRows(store, 'hist_opportunity_change', ['id', 'opportunity_id', 'stage_name', 'amount', 'created_date'], [
      ['o1', '006A', 'Prospecting', 5000, t('2026-01-06T00:00:00Z')],
      ['o2', '006A', 'Negotiation/Review', 5000, t('2026-01-16T00:00:00Z')],
      ['o3', '006A', 'Closed Won', 5000, t('2026-01-26T00:00:00Z')]
    ], '');
  });
  afterAll(() => store.close());

  it('should join a converted lead with its opportunity stages into one timeline, dropping deleted leads', async () => {
    const timelines = await buildTimelines(store, parseHistoryConfig({}));
    expect(timelines.map((x) => x.key)).toEqual(['00QA', '00QB', '006Z']);
    const a = timelines[0]!;
    expect(a.visits.map((v) => `${v.stage}/${v.funnelStage}`)).toEqual([
      'Name/Name', 'MQL/MQL', 'SQL/SQL', 'Prospecting/Opportunity', 'Negotiation/Review/Opportunity', 'Closed Won/Customer'
    ]);
    expect(a).toMatchObject({ opportunityId: '006A', contactId: '003A', amount: 5000, won: true, channel: 'Web' });
    expect(milestone(a, 'MQL')?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(milestone(a, 'Customer')?.toISOString()).toBe('2026-01-26T00:00:00.000Z');
  });

  it('should map lead statuses through the configured stages', async () => {
    const [, b] = await buildTimelines(store, parseHistoryConfig({}));
    expect(b!.visits.map((v) => v.stage)).toEqual(['Name', 'SAL', 'Recycled']);
  });

  it('should produce stable external ids and durations for stage change rows', async () => {
    const [a] = await buildTimelines(store, parseHistoryConfig({}));
    const first = stageChangeRecords(a!);
    const again = stageChangeRecords((await buildTimelines(store, parseHistoryConfig({})))[0]!);
    expect(first.map((r) => r.External_Id__c)).toEqual(again.map((r) => r.External_Id__c));
    expect(new Set(first.map((r) => r.External_Id__c)).size).toBe(first.length);
    expect(first[0]).toMatchObject({ To_Stage__c: 'Name', From_Stage__c: null, Duration_Hours__c: 24, Lead__c: '00QA', Opportunity__c: '006A' });
    expect(first[5]).toMatchObject({ From_Stage__c: 'Negotiation/Review', To_Stage__c: 'Closed Won', Exited_At__c: null, Duration_Hours__c: null });
  });
});
