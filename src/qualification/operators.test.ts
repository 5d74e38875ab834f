import { describeMissing, evaluateOperator, isBlank, parseDecimal } from './operators';
import type { Operator } from './types';

const TODAY = '2026-01-15';

describe('evaluateOperator', () => {
  it.each<[Operator, unknown, string | null, boolean]>([
    ['isSet', 'x', null, true],
    ['isSet', ' \t ', null, false],
    ['isSet', 0, null, true],
    ['isSet', false, null, false],
    ['isNotSet', undefined, null, true],
    ['isNotSet', false, null, true],
    ['isNotSet', 'x', null, false],
    ['equals', ' ACME ', 'acme', true],
    ['equals', 10, '10.00', true],
    ['equals', 10, 'ten', false],
    ['equals', true, 'TRUE', true],
    ['equals', null, 'x', false],
    ['notEquals', null, 'x', true],
    ['notEquals', 'a', 'A', false],
    ['greaterThan', 5, '4.99', true],
    ['greaterThan', '5', '5', false],
    ['greaterOrEqual', 5, '5', true],
    ['lessThan', -1, '0', true],
    ['lessOrEqual', 0, '0', true],
    ['greaterThan', '1e3', '5', false],
    ['greaterThan', '2026-01-16', '2026-01-15', true],
    ['lessThan', '2026-01-15T23:59:00.000+0000', '2026-01-16', true],
    ['greaterThan', '2026-01-16', '5', false],
    ['greaterThan', null, '5', false],
    ['contains', 'Hello World', 'WORLD', true],
    ['contains', '', 'a', false],
    ['contains', 'Needs a CRM', ' crm', true],
    ['contains', 'CRM first', ' crm', false],
    ['in', 'b', 'a; B ;c', true],
    ['in', 'd', 'a;b', false],
    ['in', null, 'a;b', false],
    ['notIn', null, 'a;b', true],
    ['notIn', 'A', 'a;b', false],
    ['isTrue', true, null, true],
    ['isTrue', 'True', null, true],
    ['isTrue', 'yes', null, false],
    ['isFalse', 'false', null, true],
    ['isFalse', null, null, false],
    ['withinNextDays', '2026-01-15', '0', true],
    ['withinNextDays', '2026-02-14', '30', true],
    ['withinNextDays', '2026-02-15', '30', false],
    ['withinNextDays', '2026-01-14', '30', false],
    ['withinNextDays', '2026-01-20', 'x', false],
    ['withinLastDays', '2025-12-16', '30', true],
    ['withinLastDays', '2025-12-15', '30', false],
    ['withinLastDays', '2026-01-16', '30', false]
  ])('should return %s(%j, %j) = %s', (op, v, x, expected) => {
    expect(evaluateOperator(op, v, x, TODAY)).toBe(expected);
  });
});

describe('helpers', () => {
  it.each([
    [null, true],
    [undefined, true],
    ['', true],
    ['  ', true],
    ['a', false],
    [0, false],
    [false, false]
  ])('should say isBlank(%j) = %s', (v, expected) => expect(isBlank(v)).toBe(expected));

  it.each([
    ['12', 12],
    [' -3.5 ', -3.5],
    ['.5', 0.5],
    ['', null],
    ['1e3', null],
    ['0x10', null],
    ['12,000', null]
  ])('should parse decimal %j as %j', (v, expected) => expect(parseDecimal(v)).toBe(expected));

  it.each<[Operator, string | null, unknown, string]>([
    ['isTrue', null, false, 'L: F must be true (is false)'],
    ['isSet', null, '  ', 'L: F must be set (is blank)'],
    ['greaterOrEqual', '10000', 500, 'L: F must be at least 10000 (is 500)'],
    ['in', 'A;B', 'C', 'L: F must be one of A;B (is C)'],
    ['withinNextDays', '30', '2027-01-01', 'L: F must be within the next 30 days (is 2027-01-01)'],
    ['withinLastDays', '7', null, 'L: F must be within the last 7 days (is blank)'],
    ['notEquals', 'x', 'x', 'L: F must not equal x (is x)']
  ])('should describe a missing %s criterion', (operator, value, v, expected) => {
    expect(describeMissing({ label: 'L', field: 'F', operator, value }, v)).toBe(expected);
  });
});
