import { openStore } from '../store/store';
import type { Store } from '../store/types';
import type { QueryPage } from '../salesforce';
import type { OrgClient } from '../salesforce/types';
import { ANALYZE_AFTER_ROWS, readWatermark, syncHistory } from './sync';

/**
 * An org whose Lead query answers three pages of `perPage` leads (two unless given) and every other query one
 * empty page; it logs each further page it is asked for, as the store logs each page it saves.
 */
function pagedOrg(log: string[], perPage = 2): OrgClient {
  const lead = (n: number) => ({
    Id: `00Q${n}`, CreatedDate: '2026-01-01T00:00:00.000Z', LeadSource: 'Web', Status: 'Open - Not Contacted',
    Funnel_Stage__c: 'Name', OwnerId: '005A', IsConverted: false, ConvertedDate: null, ConvertedOpportunityId: null,
    ConvertedContactId: null, IsDeleted: false, MasterRecordId: null,
    SystemModstamp: new Date(Date.UTC(2026, 0, 1) + (n - 1) * 86_400_000).toISOString()
  });
  const leadPage = (k: number): QueryPage => ({
    totalSize: 3 * perPage,
    done: k === 3,
    ...(k < 3 ? { nextRecordsUrl: `/leads/${k + 1}` } : {}),
    records: Array.from({ length: perPage }, (_, i) => lead((k - 1) * perPage + i + 1))
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

  const statistics = async () =>
    (await store.query<{ n: number }>("select count(*)::int as n from pg_stats where tablename = 'hist_lead'"))[0]!.n;

  it('should leave the planner statistics alone after a small sync', async () => {
    // the 6 leads of the test above
    expect(await statistics()).toBe(0);
  });

  it('should refresh the planner statistics after a sync of ANALYZE_AFTER_ROWS rows or more', async () => {
    const summary = await syncHistory(pagedOrg([], Math.ceil(ANALYZE_AFTER_ROWS / 3)), store, { overlapMinutes: 0 }, { full: true });
    expect(summary.leads).toBeGreaterThanOrEqual(ANALYZE_AFTER_ROWS);
    expect(await statistics()).toBeGreaterThan(0);
  });
});
