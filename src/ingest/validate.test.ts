import { createRowMapper } from './mapping';
import { PRESETS } from './presets';
import { leadRowHash, NOT_UTF8_REASON, validateRow, type SourceContext } from './validate';

const source: SourceContext = {
  name: 'hubspot',
  sourceSystem: 'hubspot',
  leadSource: 'HubSpot',
  campaign: null,
  defaultCountry: null,
  defaultCompany: null
};
const map = createRowMapper(PRESETS.hubspot.mapping);

describe('validateRow', () => {
  it('should normalise a HubSpot export row into Lead fields', () => {
    const mapped = map(2, {
      'Record ID': '1001',
      'First Name': ' Ștefan ',
      'Last Name': 'Țurcanu',
      Email: 'Stefan.Turcanu@Firma.RO',
      'Phone Number': '0722 123 456',
      'Company Name': 'Firma SRL',
      'Website URL': 'https://www.firma.ro/contact',
      'Country/Region': 'Romania',
      'Product Interest': 'analytics',
      'Number of Pageviews': '7'
    });
    const result = validateRow(mapped, source);
    expect(result).toMatchObject({
      ok: true,
      lead: {
        row: 2,
        sourceRecordId: '1001',
        domain: 'firma.ro',
        fields: {
          FirstName: 'Ștefan',
          LastName: 'Țurcanu',
          Email: 'stefan.turcanu@firma.ro',
          Phone: '+40722123456',
          Company: 'Firma SRL',
          Website: 'firma.ro',
          Country: 'RO',
          Product_Interest__c: 'Analytics',
          LeadSource: 'HubSpot',
          Source_System__c: 'hubspot',
          Source_External_Id__c: 'hubspot:1001'
        },
        events: [{ type: 'page_view', count: 7 }]
      }
    });
  });

  it('should report every bad field with row, field, value and reason when the row is invalid', () => {
    const result = validateRow(
      map(7, { 'Record ID': '9', 'Last Name': 'X', Email: 'not-an-email', 'Country/Region': 'Atlantis', 'Phone Number': '12' }),
      source
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { row: 7, field: 'email', value: 'not-an-email', reason: 'not a valid email address' },
        { row: 7, field: 'country', value: 'Atlantis', reason: 'unknown country' },
        { row: 7, field: 'company', value: '', reason: expect.stringContaining('required') }
      ])
    );
    expect(result.errors.find((e) => e.field === 'phone')).toMatchObject({ value: '12' });
  });

  it('should reject an unknown product interest with the allowed values', () => {
    const result = validateRow(map(3, { 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com', 'Product Interest': 'Toasters' }), source);
    expect(result).toEqual({
      ok: false,
      errors: [{ row: 3, field: 'productInterest', value: 'Toasters', reason: 'must be one of Platform, Analytics, Integrations, Services' }]
    });
  });

  it('should reject a lead source longer than the 40 characters a standard picklist holds, before any write', () => {
    const long = 'x'.repeat(41);
    const result = validateRow(map(4, { 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com' }), { ...source, leadSource: long });
    expect(result).toEqual({
      ok: false,
      errors: [expect.objectContaining({ row: 4, value: long, reason: 'longer than 40 characters' })]
    });
    expect(validateRow(map(4, { 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com' }), { ...source, leadSource: 'x'.repeat(40) }).ok).toBe(true);
  });

  it('should use a stable hash id when the source has no record id', () => {
    const a = validateRow(map(2, { 'Last Name': 'A', 'Company Name': 'B', Email: 'A@B.com' }), source);
    const b = validateRow(map(9, { 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com' }), source);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.lead.sourceRecordId).toMatch(/^h-[0-9a-f]{32}$/);
    expect(a.lead.fields.Source_External_Id__c).toBe(b.lead.fields.Source_External_Id__c);
  });

  it('should split a full name and use the default company', () => {
    const r = validateRow(createRowMapper({})(2, { Name: 'Мария Иванова', email: 'm@ya.ru' }), { ...source, defaultCompany: '[not provided]' });
    expect(r).toMatchObject({ ok: true, lead: { fields: { FirstName: 'Мария', LastName: 'Иванова', Company: '[not provided]' }, domain: null } });
  });

  it('should change the row hash when a written value changes, not when only the row number does', () => {
    const a = validateRow(map(2, { 'Record ID': '1', 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com' }), source);
    const b = validateRow(map(5, { 'Record ID': '1', 'Last Name': 'A', 'Company Name': 'B', Email: 'a@b.com' }), source);
    const c = validateRow(map(5, { 'Record ID': '1', 'Last Name': 'A', 'Company Name': 'C', Email: 'a@b.com' }), source);
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid rows');
    expect(leadRowHash(a.lead)).toBe(leadRowHash(b.lead));
    expect(leadRowHash(a.lead)).not.toBe(leadRowHash(c.lead));
  });

  it('should reject a value holding U+FFFD (bytes that were not UTF-8) once, naming the field', () => {
    const result = validateRow(map(4, { 'Record ID': '9', 'Last Name': 'M\uFFFDller', Email: 'm@firma.ro', 'Company Name': 'Firma' }), source);
    expect(result).toEqual({
      ok: false,
      errors: [{ row: 4, field: 'lastName', value: 'M\uFFFDller', reason: NOT_UTF8_REASON }]
    });
  });
});
