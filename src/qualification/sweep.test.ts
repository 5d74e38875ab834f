import { changedFields, orgToday, writeBatch } from './sweep';
import { evaluate } from './engine';
import { DEFAULT_THRESHOLDS } from './types';

const model = { criteria: [{ developerName: 'A', label: 'Champion', framework: 'Custom' as const, field: 'Champion__c', operator: 'isSet' as const, value: null, weight: 10, requiredForConversion: true, active: true, sortOrder: 1 }], thresholds: DEFAULT_THRESHOLDS };
const AT = '2026-01-15T10:00:00.000Z';

describe('changedFields', () => {
  it('should return null when every written value is already on the lead (blank text equals null)', () => {
    const result = evaluate(model, { Champion__c: 'Jane', Engagement_Score__c: 0 }, '2026-01-15');
    const lead = { Id: '00Q1', Fit_Score__c: 100, Engagement_Score__c: 0, Total_Score__c: 60, Lead_Grade__c: 'Warm', Qualification_Status__c: 'Qualified', Missing_Criteria__c: null, Funnel_Stage__c: 'SQL', Qualified_At__c: '2020-01-01T00:00:00.000+0000' };
    expect(changedFields(lead, result, 'SQL', AT)).toBeNull();
  });

  it('should return only the changed fields plus Qualified_At__c', () => {
    const result = evaluate(model, { Champion__c: null, Engagement_Score__c: 0 }, '2026-01-15');
    const lead = { Id: '00Q1', Fit_Score__c: 0, Engagement_Score__c: 0, Total_Score__c: 0, Lead_Grade__c: 'Cold', Qualification_Status__c: 'Qualified', Missing_Criteria__c: '', Funnel_Stage__c: 'Name' };
    expect(changedFields(lead, result, 'Name', AT)).toEqual({ Id: '00Q1', Qualification_Status__c: 'Not Qualified', Missing_Criteria__c: 'Champion', Qualified_At__c: AT });
  });
});

describe('orgToday', () => {
  it.each([
    ['2026-01-15T23:30:00Z', 'UTC', '2026-01-15'],
    ['2026-01-15T23:30:00Z', 'Europe/Paris', '2026-01-16'],
    ['2026-01-15T03:00:00Z', 'America/Los_Angeles', '2026-01-14']
  ])('should give the date of %s in %s', (iso, tz, expected) => expect(orgToday(new Date(iso), tz)).toBe(expected));
});

describe('writeBatch', () => {
  const ok = (index: number, id: string) => ({ index, id, success: true, errors: [] });
  it('should send unprocessed Bulk rows through collections and return every input index once', async () => {
    const records = [{ Id: '00Q1' }, { Id: '00Q2' }, { Id: '00Q3' }];
    const update = jest.fn(async (_type: string, recs: { Id?: string }[]) => recs.map((r, i) => ok(i, String(r.Id))));
    const org = {
      rest: { update },
      bulk: { ingest: jest.fn(async () => ({ jobId: '750x', results: [ok(0, '00Q1'), ok(2, '00Q3')], unprocessed: [1] })) }
    };
    const results = await writeBatch(org as never, records, 'bulk');
    expect(update).toHaveBeenCalledWith('Lead', [{ Id: '00Q2' }]);
    expect(results.map((r) => [r.index, r.id, r.success]).sort()).toEqual([
      [0, '00Q1', true],
      [1, '00Q2', true],
      [2, '00Q3', true]
    ]);
  });

  it('should use one collections update for a collections batch', async () => {
    const update = jest.fn(async () => [ok(0, '00Q1')]);
    await writeBatch({ rest: { update } } as never, [{ Id: '00Q1' }], 'collections');
    expect(update).toHaveBeenCalledTimes(1);
  });
});
