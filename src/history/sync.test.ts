import { openStore } from '../store/store';
import type { Store } from '../store/types';
import type { QueryPage } from '../salesforce';
import type { OrgClient } from '../salesforce/types';
import { readWatermark, syncHistory } from './sync';

/**
 * An org whose Lead query answers three pages of two leads and every other query one empty page; it logs each
 * further page it is asked for, as the store logs each page it saves.
 */
function pagedOrg(log: string[]): OrgClient {
  const lead = (n: number) => ({
    Id: `00Q${n}`, CreatedDate: '2026-01-01T00:00:00.000Z', LeadSource: 'Web', Status: 'Open - Not Contacted',
    Funnel_Stage__c: 'Name', OwnerId: '005A', IsConverted: false, ConvertedDate: null, ConvertedOpportunityId: null,
    ConvertedContactId: null, IsDeleted: false, MasterRecordId: null, SystemModstamp: `2026-01-0${n}T00:00:00.000Z`
  });
  const leadPage = (k: number): QueryPage => ({
    totalSize: 6,
    done: k === 3,
    ...(k < 3 ? { nextRecordsUrl: `/leads/${k + 1}` } : {}),
    records: [lead(2 * k - 1), lead(2 * k)]
  });
  const empty: QueryPage = { totalSize: 0, done: true, records: [] };
  const results = {
    page: (ref: string) => (ref === 'q0' ? leadPage(1) : empty),
    nextPage: async (page: QueryPage) => {
      if (page.done || !page.nextRecordsUrl) return null;
      const k = Number(page.nextRecordsUrl.split('/').at(-1));
      log.push(`fetch ${k}`);
      await new Promise((r) => setTimeout(r, 5));
      return leadPage(k);
    }
  };
  return { composite: { get: async () => results } } as unknown as OrgClient;
}

describe('syncHistory paging', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
  });
  afterAll(() => store.close());

  it('should ask for the next page before saving the current one, and save every page with its watermark', async () => {
    const log: string[] = [];
    const logged: Store = {
      ...store,
      query: store.query.bind(store),
      transaction: async (fn) => {
        const result = await store.transaction(fn);
        const leads = await store.query<{ n: number }>('select count(*)::int as n from hist_lead');
        log.push(`saved ${leads[0]!.n}`);
        return result;
      }
    };
    const summary = await syncHistory(pagedOrg(log), logged, { overlapMinutes: 0 }, { full: true });

    expect(summary.leads).toBe(6);
    // Page 2 is requested while page 1 is being saved, page 3 while page 2 is (the other sources' empty
    // pages are saved after, each with its own transaction).
    expect(log.filter((e) => e !== 'saved 0').slice(0, 5)).toEqual(['fetch 2', 'saved 2', 'fetch 3', 'saved 4', 'saved 6']);
    expect((await readWatermark(store, 'history.lead'))?.toISOString()).toBe('2026-01-06T00:00:00.000Z');
  });
});
