import { buildMatchQueries, contactValues, createOrgMatcher, dedupeWithinBatch, newerValues } from './dedupe';
import type { NormalisedLead } from './validate';

let row = 1;
function lead(partial: Partial<NormalisedLead['fields']> & { id?: string; updatedAt?: string; domain?: string }): NormalisedLead {
  row++;
  const { id, updatedAt, domain, ...fields } = partial;
  return {
    row,
    source: 'csv',
    sourceRecordId: id ?? `r${row}`,
    fields: { LastName: 'Doe', Company: 'Acme', Source_System__c: 'csv', Source_External_Id__c: `csv:${id ?? `r${row}`}`, ...fields },
    campaign: null,
    domain: domain ?? null,
    updatedAt: updatedAt ?? null,
    events: []
  };
}

describe('dedupeWithinBatch', () => {
  it('should merge rows with the same email keeping the newest non-empty values', () => {
    const a = lead({ Email: 'j@acme.com', Title: 'CTO', Phone: '+14155552671' });
    const b = lead({ Email: 'j@acme.com', Title: 'CEO' });
    const { survivors, merged } = dedupeWithinBatch([a, b], ['email', 'domainAndName']);
    expect(survivors).toHaveLength(1);
    expect(survivors[0]!.fields).toMatchObject({ Title: 'CEO', Phone: '+14155552671', Source_External_Id__c: a.fields.Source_External_Id__c });
    expect(merged).toEqual([expect.objectContaining({ row: b.row, intoRow: a.row, key: 'email' })]);
  });

  it('should merge the same source record appearing twice', () => {
    const a = lead({ id: 'X1', Email: 'a@x.com' });
    const b = lead({ id: 'X1', Email: 'b@x.com' });
    const { survivors, merged } = dedupeWithinBatch([a, b], ['email']);
    expect(survivors).toHaveLength(1);
    expect(merged[0]!.key).toBe('record');
  });

  it('should merge the same person at the same domain without email', () => {
    const a = lead({ FirstName: 'Ștefan', LastName: 'Popescu', domain: 'firma.ro', Company: 'Firma SRL' });
    const b = lead({ FirstName: 'Stefan', LastName: 'POPESCU', domain: 'firma.ro', Company: 'Other name' });
    expect(dedupeWithinBatch([a, b], ['email', 'domainAndName']).survivors).toHaveLength(1);
    expect(dedupeWithinBatch([a, b], ['email']).survivors).toHaveLength(2);
  });

  it('should keep different people at the same company apart', () => {
    const a = lead({ FirstName: 'Ana', LastName: 'Pop', domain: 'firma.ro' });
    const b = lead({ FirstName: 'Ion', LastName: 'Pop', domain: 'firma.ro' });
    expect(dedupeWithinBatch([a, b], ['email', 'domainAndName']).survivors).toHaveLength(2);
  });
});

describe('buildMatchQueries', () => {
  it('should batch values into IN lists of at most 200 and escape them', () => {
    const leads = Array.from({ length: 450 }, (_, i) => lead({ Email: `u${i}@x.com`, LastName: i === 0 ? "O'Brien" : `L${i}` }));
    const q = buildMatchQueries(leads, ['email', 'domainAndName']);
    // 3 chunks each for external ids, emails and last names
    expect(q.lead).toHaveLength(9);
    expect(q.contact).toHaveLength(3);
    for (const soql of [...q.lead, ...q.contact]) {
      const inList = /IN \((.*)\)$/.exec(soql)![1]!;
      expect(inList.split("','").length).toBeLessThanOrEqual(200);
    }
    expect(q.lead.some((s) => s.includes("'O\\'Brien'"))).toBe(true);
  });
});

describe('createOrgMatcher', () => {
  const orgLeads = [
    { Id: '00Q000000000001AAA', Email: 'old@acme.com', LastName: 'Old', Company: 'Acme', Source_External_Id__c: 'csv:own-1' },
    { Id: '00Q000000000002AAA', Email: 'x@y.com', FirstName: 'Ana', LastName: 'Pop', Company: 'Firma SRL', Website: 'www.firma.ro' }
  ];
  const orgContacts = [{ Id: '003000000000001AAA', Email: 'customer@acme.com', LastName: 'C' }];
  const match = createOrgMatcher(orgLeads, orgContacts, ['email', 'domainAndName']);

  it.each([
    ['own lead by external id', lead({ id: 'own-1', Email: 'new@acme.com' }), 'own'],
    ['contact by email', lead({ Email: 'customer@acme.com' }), 'contact'],
    ['lead by email', lead({ Email: 'old@acme.com' }), 'lead'],
    ['lead by domain and name', lead({ FirstName: 'ana', LastName: 'POP', domain: 'firma.ro', Email: 'ana@firma.ro' }), 'lead'],
    ['nothing', lead({ Email: 'nobody@nowhere.com' }), 'none']
  ])('should find %s', (_label, l, kind) => {
    expect(match(l).kind).toBe(kind);
  });
});

describe('newerValues', () => {
  const existing = { Id: '00Q1', Title: 'CTO', Phone: null, LastModifiedDate: '2026-01-01T00:00:00.000Z' };
  it('should fill blanks and overwrite when the row is newer', () => {
    expect(newerValues(existing, lead({ Title: 'CEO', Phone: '+1', updatedAt: '2026-02-01T00:00:00.000Z' }))).toMatchObject({
      Id: '00Q1',
      Title: 'CEO',
      Phone: '+1'
    });
  });
  it('should only fill blanks when the row is older', () => {
    const changes = newerValues(existing, lead({ Title: 'CEO', Phone: '+1', updatedAt: '2025-01-01T00:00:00.000Z' }));
    expect(changes).toMatchObject({ Phone: '+1' });
    expect(changes).not.toHaveProperty('Title');
  });
  it('should return null when nothing changes', () => {
    expect(newerValues({ Id: '1', LastName: 'Doe', Company: 'Acme' }, lead({}))).toBeNull();
  });
});

describe('converted leads', () => {
  const convertedLead = {
    Id: '00Q000000000009AAA',
    Email: 'ana@firma.ro',
    Source_External_Id__c: 'csv:P1',
    IsConverted: true,
    ConvertedContactId: '003000000000009AAA',
    ConvertedAccountId: '001000000000009AAA'
  };
  const target = { kind: 'converted', leadId: convertedLead.Id, contactId: convertedLead.ConvertedContactId, accountId: convertedLead.ConvertedAccountId };

  it('should send a row for our own converted lead to its Contact, not to an upsert', () => {
    const match = createOrgMatcher([convertedLead], [], ['email']);
    expect(match(lead({ id: 'P1', Email: 'other@x.com' }))).toEqual(target);
  });

  it('should follow an email that belongs to the Contact a lead was converted to', () => {
    const contact = { Id: '003000000000009', Email: 'ana@firma.ro' };
    const match = createOrgMatcher([{ ...convertedLead, Source_External_Id__c: 'hubspot:9' }], [contact], ['email']);
    expect(match(lead({ Email: 'ana@firma.ro' }))).toEqual(target);
  });

  it('should attach to a Contact that no lead was converted to, as before', () => {
    const match = createOrgMatcher([], [{ Id: '003000000000007AAA', Email: 'ana@firma.ro' }], ['email']);
    expect(match(lead({ Email: 'ana@firma.ro' })).kind).toBe('contact');
  });

  it('should query converted leads by external id and email but not by last name', () => {
    const q = buildMatchQueries([lead({ id: 'P1', Email: 'ana@firma.ro', LastName: 'Pop' })], ['email', 'domainAndName']);
    expect(q.lead.filter((s) => s.includes('ConvertedContactId'))).toHaveLength(2);
    expect(q.lead.find((s) => s.includes('LastName IN'))).toContain('IsConverted = false');
  });

  it('should map lead fields to Contact fields, never writing blanks and replacing values only when newer', () => {
    const existing = { Id: '003000000000009AAA', Title: 'CTO', MailingCity: 'Cluj', Phone: null, LastModifiedDate: '2026-01-01T00:00:00.000Z' };
    const older = lead({ Title: 'CEO', City: '', Phone: '+40721000111', Street: 'Str. Mare 1', updatedAt: '2025-01-01T00:00:00Z' });
    expect(contactValues(existing, older)).toEqual({ Id: existing.Id, Phone: '+40721000111', MailingStreet: 'Str. Mare 1', LastName: 'Doe' });
    const newer = lead({ Title: 'CEO', City: '', updatedAt: '2026-06-01T00:00:00Z' });
    expect(contactValues(existing, newer)).toEqual({ Id: existing.Id, Title: 'CEO', LastName: 'Doe' });
    expect(contactValues({ ...existing, LastName: 'Doe', Title: 'CEO' }, newer)).toBeNull();
  });
});
