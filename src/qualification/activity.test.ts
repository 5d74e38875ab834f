import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { hasEngagementEventsTable, readActivity } from './activity';

const SINCE = new Date('2026-01-01T00:00:00Z');

function fakeOrg(data: { tasks?: Record<string, unknown>[]; members?: Record<string, unknown>[]; campaigns?: Record<string, unknown>[] }) {
  const queries: string[] = [];
  return {
    queries,
    rest: {
      query: jest.fn(async (soql: string) => {
        queries.push(soql);
        if (soql.includes('FROM Task')) return data.tasks ?? [];
        if (soql.includes('FROM CampaignMember')) return data.members ?? [];
        if (soql.includes('FROM Campaign')) return data.campaigns ?? [];
        throw new Error(`unexpected ${soql}`);
      })
    }
  };
}

describe('readActivity', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
  });
  afterAll(async () => store.close());

  it('should read Tasks and responded CampaignMembers for a whole chunk in one query each, caching campaign types', async () => {
    const org = fakeOrg({
      tasks: [
        { WhoId: '00QA', Subject: 'Email Opened: hi', CreatedDate: '2026-01-10T10:00:00.000+0000' },
        { WhoId: '00QA', Subject: 'Call', Type: 'Call', CreatedDate: '2026-01-10T10:00:00.000+0000' }
      ],
      members: [
        { LeadId: '00QB', CampaignId: '701W', FirstRespondedDate: '2026-01-05', CreatedDate: '2026-01-02T00:00:00.000+0000' },
        { LeadId: '00QA', CampaignId: '701C', FirstRespondedDate: null, CreatedDate: '2026-01-03T00:00:00.000+0000' },
        { LeadId: '00QA', CampaignId: '701W', FirstRespondedDate: '2025-06-01', CreatedDate: '2025-06-01T00:00:00.000+0000' }
      ],
      campaigns: [
        { Id: '701W', Type: 'Webinar' },
        { Id: '701C', Type: 'Conference' }
      ]
    });
    const cache = new Map<string, string | null>();
    const leads = [{ Id: '00QA' }, { Id: '00QB' }, { Id: '00QC' }];
    const byLead = await readActivity(org as never, store, leads, { since: SINCE, campaignTypes: cache, storeEvents: false });
    expect(org.queries).toHaveLength(3);
    expect(org.queries[0]).toContain("WhoId IN ('00QA','00QB','00QC')");
    expect(org.queries[1]).toContain('HasResponded = true');
    expect(byLead.get('00QA')?.map((a) => a.type).sort()).toEqual(['email_open', 'event_attended']);
    expect(byLead.get('00QB')?.map((a) => a.type)).toEqual(['webinar_attended']);
    expect(byLead.get('00QC')).toEqual([]);

    await readActivity(org as never, store, leads, { since: SINCE, campaignTypes: cache, storeEvents: false });
    expect(org.queries).toHaveLength(5);
  });

  it('should read engagement events recorded by ingest, by lead id or lead key, counting repeats', async () => {
    expect(await hasEngagementEventsTable(store)).toBe(true);
    await store.query(
      `insert into engagement_events (event_key, source, lead_key, lead_id, event_type, occurred_at, event_count, properties) values
        ('e1', 'hubspot', 'hubspot:1', null, 'page_view', '2026-01-20T00:00:00Z', 3, '{"url":"https://x.io/pricing"}'),
        ('e2', 'webform', 'webform:9', '00QB00000000001', 'form_submit', '2026-01-21T00:00:00Z', 1, '{}'),
        ('e3', 'webform', 'webform:9', '00QB00000000001', 'form_submit', '2025-01-21T00:00:00Z', 1, '{}'),
        ('e4', 'webform', 'other', null, 'form_submit', '2026-01-21T00:00:00Z', 1, '{}')`
    );
    const org = fakeOrg({});
    const byLead = await readActivity(org as never, store, [{ Id: '00QA00000000001AAA', Source_External_Id__c: 'hubspot:1' }, { Id: '00QB00000000001AAA' }], {
      since: SINCE,
      campaignTypes: new Map(),
      storeEvents: true
    });
    expect(byLead.get('00QA00000000001AAA')?.map((a) => a.type)).toEqual(['pricing_page_view', 'pricing_page_view', 'pricing_page_view']);
    expect(byLead.get('00QB00000000001AAA')?.map((a) => [a.type, a.source])).toEqual([['form_fill', 'store:webform']]);
  });
});
