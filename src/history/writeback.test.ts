import type { OrgClient, RecordResult, SObjectRecord } from '../salesforce/types';
import type { Store } from '../store/types';
import type { TimelineSubject } from './timeline';
import { removeStaleStageChanges, type WriteFailure } from './writeback';

const subject = (leadId: string) => ({ key: leadId, leadId, opportunityId: null, contactId: null }) as unknown as TimelineSubject;

/** An org whose Funnel_Stage_Change__c query returns `rows`, recording queries and deletes by surface. */
function fakeOrg(rows: { Id: string; External_Id__c: string }[]) {
  const calls = { soql: [] as string[], rest: [] as string[][], bulk: [] as SObjectRecord[][] };
  const ok = (ids: string[]): RecordResult[] => ids.map((id, index) => ({ index, id, success: true, errors: [] }));
  const org = {
    rest: {
      async *queryPages(soql: string) {
        calls.soql.push(soql);
        yield rows;
      },
      delete: async (ids: string[]) => {
        calls.rest.push(ids);
        return ok(ids);
      }
    },
    bulk: {
      ingest: async (_type: string, _op: string, records: SObjectRecord[]) => {
        calls.bulk.push(records);
        return { results: ok(records.map((r) => String(r.Id))) };
      }
    }
  } as unknown as OrgClient;
  return { org, calls };
}

const store = { query: jest.fn(async () => []) } as unknown as Store;

describe('removeStaleStageChanges', () => {
  const rows = [
    { Id: 'a01000000000001', External_Id__c: 'lf:00Q1:current' },
    { Id: 'a01000000000002', External_Id__c: 'lf:00Q1:stale' },
    { Id: 'a01000000000003', External_Id__c: 'lf:00Q1:stale2' }
  ];

  it('should delete only lf: rows whose key the current timelines do not produce, by collections below the threshold', async () => {
    const { org, calls } = fakeOrg(rows);
    const failures: WriteFailure[] = [];
    const n = await removeStaleStageChanges(org, store, [subject('00Q1')], new Set(['lf:00Q1:current']), 10, failures);
    expect(n).toBe(2);
    expect(calls.rest).toEqual([['a01000000000002', 'a01000000000003']]);
    expect(calls.bulk).toEqual([]);
    expect(calls.soql[0]).toContain("External_Id__c LIKE 'lf:%' AND Lead__c IN ('00Q1')");
    expect(failures).toEqual([]);
  });

  it('should use one Bulk API 2.0 delete job above the bulk threshold', async () => {
    const { org, calls } = fakeOrg(rows);
    const n = await removeStaleStageChanges(org, store, [subject('00Q1')], new Set(['lf:00Q1:current']), 1, []);
    expect(n).toBe(2);
    expect(calls.rest).toEqual([]);
    expect(calls.bulk).toEqual([[{ Id: 'a01000000000002' }, { Id: 'a01000000000003' }]]);
  });

  it('should make no query when no subject is checked', async () => {
    const { org, calls } = fakeOrg(rows);
    expect(await removeStaleStageChanges(org, store, [], new Set(), 10, [])).toBe(0);
    expect(calls.soql).toEqual([]);
  });
});
