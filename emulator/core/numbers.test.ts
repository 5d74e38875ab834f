import { makeField } from './field-builders';
import { standardObjects } from './standard-objects';
import { integerDigits, javaDoubleString } from './numbers';
import { coerceInput } from './values';

describe('integerDigits', () => {
  it.each<[string, number | null]>([
    ['1e300', 301],
    ['1e+300', 301],
    ['1E18', 19],
    ['999999999999999999', 18],
    ['00012.5', 2],
    ['-123.456', 3],
    ['0.004', 0],
    ['.5', 0],
    ['1.5e-1', 0],
    ['12.5e1', 3],
    ['0x10', null],
    ['abc', null]
  ])('should count the digits left of the point of %s as %p', (literal, digits) => {
    expect(integerDigits(literal)).toBe(digits);
  });
});

describe('javaDoubleString', () => {
  it.each<[number, string]>([
    [100, '100.0'],
    [12.5, '12.5'],
    [1e18, '1.0E18'],
    [1e300, '1.0E300'],
    [12345678, '1.2345678E7'],
    [0.0001, '1.0E-4'],
    [0.001, '0.001'],
    [-5e20, '-5.0E20']
  ])('should print %p as Java does (%s)', (value, text) => {
    expect(javaDoubleString(value)).toBe(text);
  });
});

describe('number range checks', () => {
  const lead = standardObjects().find((o) => o.name === 'Lead');
  const annualRevenue = lead?.fieldMap.get('annualrevenue');
  if (!annualRevenue) throw new Error('Lead.AnnualRevenue missing');

  it.each<[unknown, string]>([
    [1e300, 'Annual Revenue: value outside of valid range on numeric field: 1.0E300'],
    ['1e300', 'Annual Revenue: value outside of valid range on numeric field: 1.0E300'],
    [1e18, 'Annual Revenue: value outside of valid range on numeric field: 1.0E18'],
    ['1000000000000000000', 'Annual Revenue: value outside of valid range on numeric field: 1.0E18'],
    [-1e19, 'Annual Revenue: value outside of valid range on numeric field: -1.0E19']
  ])('should refuse AnnualRevenue %p with NUMBER_OUTSIDE_VALID_RANGE', (input, message) => {
    expect(coerceInput(annualRevenue, input)).toEqual({
      ok: false,
      error: { statusCode: 'NUMBER_OUTSIDE_VALID_RANGE', message, fields: ['AnnualRevenue'] }
    });
  });

  it.each<[unknown, number]>([
    [1e17, 1e17],
    ['99999999999999990', 99999999999999990],
    [-5000000, -5000000]
  ])('should accept AnnualRevenue %p (18 digits, scale 0)', (input, stored) => {
    expect(coerceInput(annualRevenue, input)).toEqual({ ok: true, value: stored });
  });

  const score = makeField('Duration_Hours__c', 'double', { precision: 12, scale: 2, label: 'Duration Hours' });
  it.each<[unknown, boolean]>([
    [9999999999.99, true],
    [10000000000, false],
    [9999999999.999, false],
    ['1e10', false],
    ['1e9', true]
  ])('should check a Number(12,2) value %p after rounding to the scale (accepted: %p)', (input, accepted) => {
    expect(coerceInput(score, input).ok).toBe(accepted);
  });

  it('should round negative values half away from zero', () => {
    expect(coerceInput(score, -2.125)).toEqual({ ok: true, value: -2.13 });
  });

  it('should refuse hexadecimal text as not a number', () => {
    const result = coerceInput(annualRevenue, '0x10');
    expect(result.ok ? null : result.error.statusCode).toBe('INVALID_TYPE_ON_FIELD_IN_RECORD');
  });
});
