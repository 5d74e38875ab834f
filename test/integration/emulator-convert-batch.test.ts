/**
 * SOAP convertLead with many leads in one call (jsforce's real client, conn.soap.convertLead): the local
 * org converts a call's leads with set-based statements, and each lead's LeadConvertResult must still be
 * what converting it alone gives. Mixed batches (leads failing before anything is written, after their
 * account/contact/opportunity were written, duplicates, several leads merging into one account or contact)
 * are compared with the same scenario converted one lead per call; rolled-back leads leave nothing behind.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { SALES_USER_IDS } from '../../emulator/core/reference-data';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

const CONVERTED = 'Closed - Converted';

interface LeadConvert {
  leadId: string;
  convertedStatus: string;
  accountId?: string;
  contactId?: string;
  ownerId?: string;
  doNotCreateOpportunity: boolean;
  overwriteLeadSource?: boolean;
}

interface ConvertResult {
  success: boolean;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  leadId: string | null;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

/** Ids differ between two copies of a scenario; everything else of a result must not. */
const ID_PATTERN = /\b(00Q|001|003|006|005)[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?\b/g;

function shape(r: ConvertResult): unknown {
  return {
    success: r.success,
    ids: [r.accountId, r.contactId, r.leadId, r.opportunityId].map((id) =>
      id === null ? null : id.slice(0, 3)
    ),
    errors: r.errors.map((e) => ({ ...e, message: e.message.replace(ID_PATTERN, '<$1 id>') }))
  };
}

describe('emulator SOAP convertLead: many leads in one call', () => {
  let org: TestOrg;
  let conn: Connection;

  beforeAll(async () => {
    org = await startTestOrg();
    conn = org.connection();
  });

  afterAll(async () => {
    await org.close();
  });

  async function create(type: string, records: Record<string, unknown>[]): Promise<string[]> {
    const results = await conn.sobject(type).create(records);
    return results.map((r) => {
      if (!r.success) throw new Error(JSON.stringify(r));
      return r.id;
    });
  }

  /**
   * One copy of the mixed scenario (tag keeps copies apart): which request is which is in `names`, in
   * request order, so a test can look up each lead's result.
   */
  async function mixedScenario(
    tag: string,
    { rollbacks }: { rollbacks: boolean } = { rollbacks: true }
  ): Promise<{ requests: LeadConvert[]; names: string[]; accountId: string }> {
    // Without rollbacks every failure happens before anything is written for the failing lead.
    const qualification = rollbacks ? 'Not Qualified' : 'Qualified';
    const [accountId, otherAccountId] = await create('Account', [
      { Name: `Shared ${tag}` },
      { Name: `Other ${tag}` }
    ]);
    const [contactId, foreignContactId] = await create('Contact', [
      { LastName: `Merge ${tag}`, AccountId: accountId },
      { LastName: `Foreign ${tag}`, AccountId: otherAccountId }
    ]);
    const lead = (fields: Record<string, unknown>) => ({ Qualification_Status__c: 'Qualified', ...fields });
    const leads: [string, Record<string, unknown>][] = [
      ['fills phone', lead({ LastName: `Phone ${tag}`, Company: `Shared ${tag}`, Phone: '111' })],
      [
        'fills industry',
        lead({ LastName: `Industry ${tag}`, Company: `Shared ${tag}`, Phone: '222', Industry: 'Energy' })
      ],
      ['new account', lead({ LastName: `New ${tag}`, Company: `New Co ${tag}` })],
      [
        'fails validation',
        lead({
          LastName: `Unqualified ${tag}`,
          Company: `Rollback ${tag}`,
          Qualification_Status__c: qualification
        })
      ],
      [
        'fails validation after merge',
        lead({
          LastName: `Unqualified merge ${tag}`,
          Company: `Shared ${tag}`,
          Website: 'https://rolled-back.example',
          Qualification_Status__c: qualification
        })
      ],
      ['bad status', lead({ LastName: `Status ${tag}`, Company: `Status Co ${tag}` })],
      ['foreign contact', lead({ LastName: `Foreign lead ${tag}`, Company: `Foreign Co ${tag}` })],
      [
        'merges contact',
        lead({
          LastName: `Merge ${tag}`,
          Company: `Shared ${tag}`,
          Title: 'CTO',
          Email: `merge-${tag}@example.com`
        })
      ],
      ['bad owner', lead({ LastName: `Owner ${tag}`, Company: `Owner Co ${tag}` })],
      ['rep owner', lead({ LastName: `Rep ${tag}`, Company: `Rep Co ${tag}` })],
      ...Array.from({ length: 30 }, (_, i): [string, Record<string, unknown>] => [
        `filler ${i}`,
        lead({
          LastName: `Filler ${i} ${tag}`,
          Company: i % 3 === 0 ? `Shared ${tag}` : `Filler Co ${i % 7} ${tag}`,
          LeadSource: 'Web'
        })
      ])
    ];
    const leadIds = await create(
      'Lead',
      leads.map(([, fields]) => fields)
    );
    const idOf = new Map(leads.map(([name], i) => [name, leadIds[i] as string]));
    const base = (name: string): LeadConvert => ({
      leadId: idOf.get(name) as string,
      convertedStatus: CONVERTED,
      doNotCreateOpportunity: false
    });
    const requests: [string, LeadConvert][] = [
      ['fills phone', { ...base('fills phone'), accountId }],
      ['fills industry', { ...base('fills industry'), accountId }],
      ['new account', base('new account')],
      ['fails validation', base('fails validation')],
      ['fails validation after merge', { ...base('fails validation after merge'), accountId }],
      ['unknown lead', { ...base('new account'), leadId: '00Q000000000000AAA' }],
      ['bad status', { ...base('bad status'), convertedStatus: 'Working - Contacted' }],
      ['duplicate of new account', base('new account')],
      ['foreign contact', { ...base('foreign contact'), accountId, contactId: foreignContactId }],
      ['merges contact', { ...base('merges contact'), accountId, contactId, doNotCreateOpportunity: true }],
      ['bad owner', { ...base('bad owner'), ownerId: '005000000000000AAA' }],
      ['rep owner', { ...base('rep owner'), ownerId: SALES_USER_IDS[0] }],
      ...Array.from({ length: 30 }, (_, i): [string, LeadConvert] => {
        const request = base(`filler ${i}`);
        return [`filler ${i}`, i % 3 === 0 ? { ...request, accountId } : request];
      })
    ];
    return {
      requests: requests.map(([, r]) => r),
      names: requests.map(([name]) => name),
      accountId: accountId as string
    };
  }

  async function convert(requests: LeadConvert[]): Promise<ConvertResult[]> {
    return (await conn.soap.convertLead(requests)) as unknown as ConvertResult[];
  }

  it('should give every lead of a mixed 42-lead call its own result and roll back only the failing leads', async () => {
    const { requests, names, accountId } = await mixedScenario('A');
    const results = await convert(requests);
    const byName = new Map(names.map((name, i) => [name, results[i] as ConvertResult]));

    const failures = Object.fromEntries(
      [...byName]
        .filter(([, r]) => !r.success)
        .map(([name, r]) => [name, r.errors.map((e) => `${e.statusCode} ${e.fields.join(',')}`)])
    );
    expect(failures).toEqual({
      'fails validation': ['FIELD_CUSTOM_VALIDATION_EXCEPTION Missing_Criteria__c'],
      'fails validation after merge': ['FIELD_CUSTOM_VALIDATION_EXCEPTION Missing_Criteria__c'],
      'unknown lead': ['INVALID_CROSS_REFERENCE_KEY leadId'],
      'bad status': ['INVALID_STATUS Status'],
      'duplicate of new account': ['CANNOT_UPDATE_CONVERTED_LEAD leadId'],
      'foreign contact': ['INVALID_CROSS_REFERENCE_KEY contactId'],
      'bad owner': ['INVALID_CROSS_REFERENCE_KEY ownerId']
    });
    expect(byName.get('foreign contact')?.errors[0]?.message).toMatch(
      /^contactId 003\w+ is not associated with accountId 001\w+$/
    );
    for (const r of results.filter((x) => !x.success)) {
      expect(r).toMatchObject({ accountId: null, contactId: null, leadId: null, opportunityId: null });
    }
    expect(results.filter((r) => r.success)).toHaveLength(35);

    // Leads merging into one account, in request order: each fills only what is still empty.
    const shared = await conn.sobject('Account').retrieve(accountId);
    expect(shared).toMatchObject({ Phone: '111', Industry: 'Energy', AccountSource: 'Web', Website: null });
    for (const name of ['fills phone', 'fills industry', 'merges contact', 'filler 0', 'filler 27']) {
      expect(byName.get(name)?.accountId).toBe(accountId);
    }
    const contact = await conn.sobject('Contact').retrieve(byName.get('merges contact')?.contactId as string);
    expect(contact).toMatchObject({ Title: 'CTO', Email: 'merge-A@example.com', AccountId: accountId });

    // Rolled-back leads left no account, contact or opportunity, and stay unconverted.
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Rollback A'")).totalSize).toBe(0);
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName LIKE 'Unqualified%A'")).totalSize).toBe(
      0
    );
    expect((await conn.query("SELECT Id FROM Opportunity WHERE Name = 'Rollback A-'")).totalSize).toBe(0);
    // fills phone, fills industry and the ten fillers of the shared company (merges contact asks for none).
    expect(
      (await conn.query(`SELECT Id FROM Opportunity WHERE Name = 'Shared A-' AND AccountId = '${accountId}'`))
        .totalSize
    ).toBe(12);
    const unconverted = await conn.query<{ LastName: string }>(
      "SELECT LastName FROM Lead WHERE IsConverted = false AND LastName LIKE '% A' ORDER BY LastName"
    );
    expect(unconverted.records.map((r) => r.LastName)).toEqual([
      'Foreign lead A',
      'Owner A',
      'Status A',
      'Unqualified A',
      'Unqualified merge A'
    ]);

    // Every converted lead points at the records its result names.
    const converted = await conn.query<{
      Id: string;
      ConvertedAccountId: string;
      ConvertedContactId: string;
      ConvertedOpportunityId: string | null;
      OwnerId: string;
    }>(
      "SELECT Id, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId, OwnerId FROM Lead WHERE IsConverted = true AND LastName LIKE '% A'"
    );
    expect(converted.totalSize).toBe(35);
    for (const lead of converted.records) {
      const result = results.find((r) => r.leadId === lead.Id);
      expect(result).toMatchObject({
        accountId: lead.ConvertedAccountId,
        contactId: lead.ConvertedContactId,
        opportunityId: lead.ConvertedOpportunityId
      });
    }
    expect(converted.records.find((l) => l.Id === byName.get('rep owner')?.leadId)?.OwnerId).toBe(
      SALES_USER_IDS[0]
    );
  });

  it.each([
    ['with leads failing after their records were written', true],
    ['with every failure before anything is written', false]
  ])(
    'should give the same per-lead results in one call as one lead per call, %s',
    async (_label, rollbacks) => {
      const suffix = rollbacks ? 'R' : 'P';
      const together = await mixedScenario(`B${suffix}`, { rollbacks });
      const alone = await mixedScenario(`C${suffix}`, { rollbacks });
      const batchResults = await convert(together.requests);
      const oneByOne: ConvertResult[] = [];
      for (const request of alone.requests) oneByOne.push(...(await convert([request])));
      expect(batchResults.map(shape)).toEqual(oneByOne.map(shape));
      expect(batchResults.filter((r) => !r.success)).toHaveLength(rollbacks ? 7 : 5);
      const fields = 'Phone, Industry, AccountSource, Website';
      const accountB = await conn.query(`SELECT ${fields} FROM Account WHERE Id = '${together.accountId}'`);
      const accountC = await conn.query(`SELECT ${fields} FROM Account WHERE Id = '${alone.accountId}'`);
      expect({ ...accountB.records[0], attributes: null }).toEqual({
        ...accountC.records[0],
        attributes: null
      });
      expect(accountB.records[0]).toMatchObject({
        Phone: '111',
        Industry: 'Energy',
        Website: rollbacks ? null : 'https://rolled-back.example'
      });
    }
  );

  it('should convert 100 leads of 20 companies into their accounts in one call', async () => {
    const accounts = await create(
      'Account',
      Array.from({ length: 20 }, (_, c) => ({ Name: `Batch Co ${c}` }))
    );
    const leadIds = await create(
      'Lead',
      Array.from({ length: 100 }, (_, i) => ({
        LastName: `Batch ${i}`,
        Company: `Batch Co ${i % 20}`,
        Email: `batch${i}@batch-co-${i % 20}.example`,
        LeadSource: 'Web',
        Qualification_Status__c: 'Qualified'
      }))
    );
    const results = await convert(
      leadIds.map((leadId, i) => ({
        leadId,
        convertedStatus: CONVERTED,
        accountId: accounts[i % 20] as string,
        doNotCreateOpportunity: i % 2 === 1
      }))
    );
    expect(results.every((r) => r.success)).toBe(true);
    results.forEach((r, i) => {
      expect(r).toMatchObject({ leadId: leadIds[i], accountId: accounts[i % 20] });
      expect(r.opportunityId === null).toBe(i % 2 === 1);
    });
    const contacts = await conn.query<{ AccountId: string; Email: string }>(
      "SELECT AccountId, Email FROM Contact WHERE LastName LIKE 'Batch %'"
    );
    expect(contacts.totalSize).toBe(100);
    for (const c of contacts.records)
      expect(c.AccountId).toBe(accounts[Number(/batch-co-(\d+)/.exec(c.Email)?.[1])]);
    const opportunities = await conn.query("SELECT Id FROM Opportunity WHERE Name LIKE 'Batch Co %'");
    expect(opportunities.totalSize).toBe(50);
    const filled = await conn.query<{ AccountSource: string }>(
      "SELECT AccountSource FROM Account WHERE Name LIKE 'Batch Co %'"
    );
    expect(filled.records.map((a) => a.AccountSource)).toEqual(Array(20).fill('Web'));
  });
});
