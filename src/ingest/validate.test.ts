import { createRowMapper } from './mapping';
import { PRESETS } from './presets';
import {
  DEFAULT_LEAD_LIMITS,
  leadRowHash,
  limitsFromDescribe,
  NOT_UTF8_REASON,
  parseDecimal,
  validateRow,
  type SourceContext
} from './validate';

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

const generic = createRowMapper({});
const base = { email: 'ana@firma.ro', lastName: 'Pop', company: 'Firma' };

describe('numbers as Salesforce checks them', () => {
  it.each([
    ['1234', 1234],
    ['1,234,567.89', 1234567.89],
    ['1.234.567,89', 1234567.89],
    ['€ 1 234', 1234],
    ["1'000'000", 1000000],
    ['$2,500', 2500],
    ['.5', 0.5],
    ['1.234.567', 1234567]
  ])('should read %j as %p', (raw, value) => {
    expect(parseDecimal(raw)).toMatchObject({ ok: true, value });
  });

  it('should read "1234,56" as 1234.56 in a semicolon file and refuse it as ambiguous elsewhere', () => {
    expect(parseDecimal('1234,56', true)).toMatchObject({ ok: true, value: 1234.56 });
    expect(parseDecimal('1234,56')).toEqual({ ok: false, reason: 'ambiguous number: use "." for decimals (a "," is read as a thousands separator)' });
  });

  it.each([
    ['0x10', 'not a decimal number (hexadecimal, octal and binary numbers are not accepted)'],
    ['0b101', 'not a decimal number (hexadecimal, octal and binary numbers are not accepted)'],
    ['1e3', 'scientific notation is not accepted: write the number in full (spreadsheets save long numbers as 1.23E+11, which loses digits)'],
    ['1.23E+11', 'scientific notation is not accepted: write the number in full (spreadsheets save long numbers as 1.23E+11, which loses digits)'],
    ['Infinity', 'not a number'],
    ['12,34,567', 'not a number (digit groups after "," must have 3 digits)'],
    ['1.2.3', 'not a number (digit groups after "." must have 3 digits)'],
    ['lots', 'not a number']
  ])('should refuse %j: %s', (raw, reason) => {
    expect(parseDecimal(raw)).toEqual({ ok: false, reason });
    const r = validateRow(generic(5, { ...base, annualRevenue: raw }), source);
    expect(r).toEqual({ ok: false, errors: [{ row: 5, field: 'annualRevenue', value: raw, reason }] });
  });

  it('should reject AnnualRevenue 1e18 (19 digits) by its precision, naming the field and the limit', () => {
    const r = validateRow(generic(6, { ...base, annualRevenue: '1000000000000000000' }), source);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          row: 6,
          field: 'annualRevenue',
          value: '1000000000000000000',
          reason: 'too large for AnnualRevenue: at most 18 digits before the decimal point (Salesforce number(18, 0)), got 19'
        }
      ]
    });
  });

  it('should reject 18 significant digits that a JSON number cannot carry exactly, and round to the field scale', () => {
    const r = validateRow(generic(7, { ...base, annualRevenue: '999999999999999999' }), source);
    expect(r).toMatchObject({ ok: false, errors: [{ field: 'annualRevenue', reason: 'more than 15 significant digits: leadflow sends numbers as JSON numbers, exact to 15 digits' }] });
    expect(validateRow(generic(7, { ...base, annualRevenue: '1234.5' }), source)).toMatchObject({ ok: true, lead: { fields: { AnnualRevenue: 1235 } } });
  });

  it('should reject employees past int(8) and fractions of a person', () => {
    expect(validateRow(generic(8, { ...base, numberOfEmployees: '123456789' }), source)).toMatchObject({
      ok: false,
      errors: [{ field: 'numberOfEmployees', reason: 'too large for NumberOfEmployees: at most 8 digits before the decimal point (Salesforce number(8, 0)), got 9' }]
    });
    expect(validateRow(generic(8, { ...base, numberOfEmployees: '12.5' }), source)).toMatchObject({
      ok: false,
      errors: [{ field: 'numberOfEmployees', reason: 'must be a whole number' }]
    });
  });

  it('should take precision and scale from the org describe', () => {
    const limits = limitsFromDescribe([
      { name: 'AnnualRevenue', type: 'currency', precision: 10, scale: 2 },
      { name: 'LastName', type: 'string', length: 60 },
      { name: 'NumberOfEmployees', type: 'int', digits: 4 }
    ].map((f) => ({ label: f.name, custom: false, createable: true, updateable: true, externalId: false, referenceTo: [], picklistValues: [], ...f })));
    expect(limits).toMatchObject({
      AnnualRevenue: { kind: 'number', precision: 10, scale: 2, integer: false },
      LastName: { kind: 'text', length: 60 },
      NumberOfEmployees: { kind: 'number', precision: 4, scale: 0, integer: true },
      Email: DEFAULT_LEAD_LIMITS.Email
    });
    expect(validateRow(generic(2, { ...base, annualRevenue: '123456789.555' }), source, limits)).toMatchObject({
      ok: false,
      errors: [{ reason: 'too large for AnnualRevenue: at most 8 digits before the decimal point (Salesforce number(10, 2)), got 9' }]
    });
    expect(validateRow(generic(2, { ...base, annualRevenue: '1234.555' }), source, limits)).toMatchObject({ ok: true, lead: { fields: { AnnualRevenue: 1234.56 } } });
  });
});

describe('text length as Salesforce counts it', () => {
  it('should count an emoji as 2, so 45 emoji are too long for the 80-character LastName', () => {
    const emoji = '😀'.repeat(45);
    expect(validateRow(generic(3, { ...base, lastName: emoji }), source)).toEqual({
      ok: false,
      errors: [
        {
          row: 3,
          field: 'lastName',
          value: emoji,
          reason: 'longer than 80 characters (Salesforce counts 90: emoji and other characters outside the Basic Multilingual Plane count as 2)'
        }
      ]
    });
    expect(validateRow(generic(3, { ...base, lastName: '😀'.repeat(40) }), source).ok).toBe(true);
  });

  it('should count composed letters once after NFC (ș typed as s + combining comma)', () => {
    const decomposed = 's\u0326'.repeat(80);
    const r = validateRow(generic(3, { ...base, lastName: decomposed }), source);
    expect(r).toMatchObject({ ok: true, lead: { fields: { LastName: 'ș'.repeat(80) } } });
  });
});

describe('invalid optional values', () => {
  const row = { ...base, phone: 'call me maybe', website: 'not a site', country: 'Atlantis' };

  it('should drop an invalid phone, website and country with warning lines and keep the lead', () => {
    const r = validateRow(generic(4, row), source);
    expect(r).toEqual({
      ok: true,
      lead: expect.objectContaining({ fields: expect.objectContaining({ Email: 'ana@firma.ro', Company: 'Firma', LastName: 'Pop' }) }),
      warnings: [
        { row: 4, field: 'country', value: 'Atlantis', reason: 'warning: value dropped, lead kept: unknown country' },
        { row: 4, field: 'phone', value: 'call me maybe', reason: 'warning: value dropped, lead kept: national number without a country; add the country or an international +prefix' },
        { row: 4, field: 'website', value: 'not a site', reason: 'warning: value dropped, lead kept: not a website address with a public domain' }
      ]
    });
    if (r.ok) expect(r.lead.fields).not.toHaveProperty('Phone');
  });

  it('should reject the row when the source sets onInvalidOptional "reject"', () => {
    const r = validateRow(generic(4, row), { ...source, onInvalidOptional: 'reject' });
    expect(r).toEqual({
      ok: false,
      errors: [
        { row: 4, field: 'country', value: 'Atlantis', reason: 'unknown country' },
        { row: 4, field: 'phone', value: 'call me maybe', reason: 'national number without a country; add the country or an international +prefix' },
        { row: 4, field: 'website', value: 'not a site', reason: 'not a website address with a public domain' }
      ]
    });
  });

  it('should reject a lead whose only contact, the phone, is invalid', () => {
    const r = validateRow(generic(4, { lastName: 'Pop', company: 'Firma', phone: '+40 12' }), source);
    expect(r).toEqual({
      ok: false,
      errors: [
        { row: 4, field: 'phone', value: '+40 12', reason: 'not a valid phone number' },
        { row: 4, field: 'email', value: '', reason: 'an email or a phone number is required to contact and de-duplicate the lead' }
      ]
    });
  });
});

describe('a first name without a last name', () => {
  it('should set LastName "[not provided]" as Web-to-Lead does, keep the first name and say so', () => {
    const r = validateRow(generic(9, { firstName: 'Ioana', email: 'ioana@firma.ro', company: 'Firma' }), source);
    expect(r).toEqual({
      ok: true,
      lead: expect.objectContaining({ fields: expect.objectContaining({ FirstName: 'Ioana', LastName: '[not provided]' }) }),
      warnings: [
        { row: 9, field: 'lastName', value: '', reason: 'warning: no last name: LastName set to "[not provided]" (as Salesforce Web-to-Lead does), first name kept' }
      ]
    });
  });
});
