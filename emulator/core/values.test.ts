import { makeField, makeObject } from './field-builders';
import { coerceInput, formatDateTime, jsonParserErrorFor, parseDateTime } from './values';

describe('parseDateTime', () => {
  it.each([
    ['2025-01-02T03:04:05Z', '2025-01-02T03:04:05.000Z'],
    ['2025-01-02T03:04:05.123+0000', '2025-01-02T03:04:05.123Z'],
    ['2025-01-02T03:04:05.5+02:00', '2025-01-02T01:04:05.500Z'],
    ['2025-01-02T03:04:05-0130', '2025-01-02T04:34:05.000Z'],
    ['2025-01-02T03:04', '2025-01-02T03:04:00.000Z'],
    ['2025-01-02', '2025-01-02T00:00:00.000Z']
  ])('should read %s as %s', (input, iso) => {
    expect(parseDateTime(input)).toBe(iso);
  });

  it.each([['2025-01-02 03:04:05'], ['2025-02-29T00:00:00Z'], ['2025-01-02T24:00:00Z'], ['tomorrow']])('should refuse %s', (input) => {
    expect(parseDateTime(input)).toBeNull();
  });

  it('should print datetimes the way the REST API does', () => {
    expect(formatDateTime('2025-01-02T03:04:05.000Z')).toBe('2025-01-02T03:04:05.000+0000');
  });
});

describe('coerceInput', () => {
  const currency = makeField('Amount__c', 'currency', { precision: 8, scale: 2, label: 'Amount' });
  it.each<[unknown, unknown]>([
    [12.345, 12.35],
    ['7', 7],
    ['', null],
    [null, null],
    [999999.99, 999999.99]
  ])('should store %p in a Currency(8,2) as %p', (input, stored) => {
    expect(coerceInput(currency, input)).toEqual({ ok: true, value: stored });
  });

  it('should store a blank checkbox as false', () => {
    expect(coerceInput(makeField('Flag__c', 'boolean'), null)).toEqual({ ok: true, value: false });
  });

  it('should turn a 15-char reference into the 18-char id', () => {
    expect(coerceInput(makeField('AccountId', 'reference', { referenceTo: ['Account'] }), '001A0000006Vm9r')).toEqual({ ok: true, value: '001A0000006Vm9rIAC' });
  });
});

describe('jsonParserErrorFor', () => {
  const object = makeObject('Thing__c', 'a00', [
    makeField('Count__c', 'double', { precision: 5 }),
    makeField('When__c', 'date'),
    makeField('Tags__c', 'multipicklist'),
    makeField('Note__c', 'string', { length: 10 })
  ]);

  it.each<[Record<string, unknown>, string]>([
    [{ Count__c: 'abc' }, 'Cannot deserialize instance of double from VALUE_STRING value abc or request may be missing a required field'],
    [{ When__c: '2020-04-30T13:19:18.000000+02:00' }, 'Cannot deserialize instance of date from VALUE_STRING value 2020-04-30T13:19:18.000000+02:00 or request may be missing a required field'],
    [{ Tags__c: ['a'] }, 'Cannot deserialize instance of multipicklist from START_ARRAY value [ or request may be missing a required field'],
    [{ Note__c: { nested: true } }, 'Cannot deserialize instance of string from START_OBJECT value { or request may be missing a required field']
  ])('should report %p as JSON_PARSER_ERROR', (record, message) => {
    expect(jsonParserErrorFor(object, record)).toEqual({ errorCode: 'JSON_PARSER_ERROR', message });
  });

  it('should accept well-typed values and leave unknown fields to the record layer', () => {
    expect(jsonParserErrorFor(object, { Count__c: '12', When__c: '2025-01-01', Tags__c: 'a;b', Unknown__c: 1 })).toBeNull();
  });
});
