/**
 * lookupMatchCandidates over the store's copy of the org's match keys: a batch gets exactly the records
 * createOrgMatcher can match it to (by external id, email, domainAndName key, or the Contact a converted lead
 * became), never every lead that shares a last name.
 */
import { openStore } from '../store/store';
import type { Store } from '../store/types';
import { createOrgMatcher } from './dedupe';
import { lookupMatchCandidates, rememberWrites } from './match-cache';
import type { NormalisedLead } from './validate';

const ORG = '00D000000000001AAA';
const KEYS = ['email', 'domainAndName'] as const;

const row = (fields: Partial<NormalisedLead['fields']> & { LastName: string; Company: string }, domain: string | null): NormalisedLead => ({
  row: 2,
  source: 'crm',
  sourceRecordId: 'r1',
  fields: { Source_System__c: 'crm', Source_External_Id__c: 'crm:r1', ...fields },
  campaign: null,
  domain,
  updatedAt: null,
  events: []
});

describe('match-key candidates from the store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    // 300 leads called Smith at other companies, one Ana Smith at Acme, one converted lead whose Contact the row's
    // email belongs to (the lead's own email differs: changed on the Contact after the conversion).
    await rememberWrites(
      store,
      ORG,
      [
        ...Array.from({ length: 300 }, (_, i) => ({
          kind: 'lead' as const,
          id: `00Q${String(i).padStart(12, '0')}AAA`,
          fields: { FirstName: 'Ana', LastName: 'Smith', Company: `Other ${i}`, Website: `https://other${i}.org` }
        })),
        { kind: 'lead', id: '00Q900000000001AAA', fields: { FirstName: 'Ana', LastName: 'Smith', Company: 'Acme GmbH', Website: 'https://www.acme-corp.com' } },
        { kind: 'lead', id: '00Q900000000002AAA', fields: { FirstName: 'Bo', LastName: 'Ek', Company: 'Beta', Email: 'bo.old@beta-ab.se' } }
      ],
      new Date('2026-12-01T00:00:00Z')
    );
    await rememberWrites(store, ORG, [{ kind: 'converted', id: '00Q900000000002AAA', contactId: '003900000000002AAA', accountId: '001900000000002AAA' }], new Date());
    await store.query(
      `insert into ingest_match_keys (org_id, sobject, id, email, last_name, record) values ($1, 'Contact', '003900000000002AAA', 'bo@beta-ab.se', 'ek', $2)`,
      [ORG, JSON.stringify({ Id: '003900000000002AAA', Email: 'bo@beta-ab.se', LastName: 'Ek', AccountId: '001900000000002AAA' })]
    );
  });
  afterAll(() => store.close());

  it('should return only the lead with the same person at the same domain, not every Smith', async () => {
    const lead = row({ FirstName: 'Ana', LastName: 'Smith', Company: 'Acme' }, 'acme-corp.com');
    const found = await lookupMatchCandidates(store, ORG, [lead], [...KEYS]);
    expect(found.leads.map((l) => l.Id)).toEqual(['00Q900000000001AAA']);
    expect(createOrgMatcher(found.leads, found.contacts, [...KEYS])(lead)).toMatchObject({ kind: 'lead', key: 'domainAndName' });
  });

  it('should return the converted lead behind a Contact the row matches by email', async () => {
    const lead = row({ FirstName: 'Bo', LastName: 'Ek', Company: 'Beta', Email: 'bo@beta-ab.se' }, 'beta-ab.se');
    const found = await lookupMatchCandidates(store, ORG, [lead], [...KEYS]);
    expect(found.contacts.map((c) => c.Id)).toEqual(['003900000000002AAA']);
    expect(found.leads.map((l) => l.Id)).toEqual(['00Q900000000002AAA']);
    expect(createOrgMatcher(found.leads, found.contacts, [...KEYS])(lead)).toEqual({
      kind: 'converted',
      leadId: '00Q900000000002AAA',
      contactId: '003900000000002AAA',
      accountId: '001900000000002AAA'
    });
  });

  // A plan test, not a timing: as joins with the unnested lists, PostgreSQL hashed every cached record once per
  // list for a batch of thousands, so each batch got slower as the org grew (docs/ingest.md, Throughput).
  it('should look a large batch up by index probes, not by reading every cached record', async () => {
    const big = await openStore({ dataDir: 'memory://' });
    try {
      await big.query(
        `insert into ingest_match_keys (org_id, sobject, id, ext_id, email, last_name, name_key_a, record)
         select $1, 'Lead', '00Q' || lpad(i::text, 12, '0') || 'AAA', 'crm:x' || i, 'p' || i || '@x' || i || '.com', 'last' || i,
                'x' || i || '.com|last' || i, '{}'
           from generate_series(1, 60000) as i`,
        [ORG]
      );
      await big.query('analyze ingest_match_keys');
      const batch = Array.from({ length: 5000 }, (_, i) => ({
        ...row({ LastName: `New${i}`, Company: `New ${i}`, Email: `new${i}@n${i}.com` }, `n${i}.com`),
        sourceRecordId: `n${i}`,
        fields: { Source_System__c: 'crm', Source_External_Id__c: `crm:n${i}`, LastName: `New${i}`, Company: `New ${i}`, Email: `new${i}@n${i}.com` }
      }));
      let captured: { sql: string; params: unknown[] } | null = null;
      const spy = {
        query: async <T>(sql: string, params: unknown[] = []) => {
          captured = { sql, params };
          return big.query<T>(sql, params);
        },
        exec: (sql: string) => big.exec(sql)
      };
      expect(await lookupMatchCandidates(spy, ORG, batch, [...KEYS])).toEqual({ leads: [], contacts: [] });
      const { sql, params } = captured!;
      const plan = (await big.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Seq Scan on ingest_match_keys|Hash Join|Merge Join/);
      expect(plan).toMatch(/Index Scan using ingest_match_keys_ext_id/);
    } finally {
      await big.close();
    }
  });
});
