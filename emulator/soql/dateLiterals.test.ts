import { dateLiteralRange } from './dateLiterals';

// Wednesday 2024-02-28 15:30 UTC (leap year): week Sun 25 Feb .. Sat 2 Mar, Q1
const NOW = new Date('2024-02-28T15:30:00Z');

describe('dateLiteralRange', () => {
  it.each([
    ['TODAY', undefined, '2024-02-28', '2024-02-29'],
    ['YESTERDAY', undefined, '2024-02-27', '2024-02-28'],
    ['TOMORROW', undefined, '2024-02-29', '2024-03-01'],
    ['THIS_WEEK', undefined, '2024-02-25', '2024-03-03'],
    ['LAST_WEEK', undefined, '2024-02-18', '2024-02-25'],
    ['NEXT_WEEK', undefined, '2024-03-03', '2024-03-10'],
    ['THIS_MONTH', undefined, '2024-02-01', '2024-03-01'],
    ['LAST_MONTH', undefined, '2024-01-01', '2024-02-01'],
    ['NEXT_MONTH', undefined, '2024-03-01', '2024-04-01'],
    ['THIS_QUARTER', undefined, '2024-01-01', '2024-04-01'],
    ['LAST_QUARTER', undefined, '2023-10-01', '2024-01-01'],
    ['NEXT_QUARTER', undefined, '2024-04-01', '2024-07-01'],
    ['THIS_YEAR', undefined, '2024-01-01', '2025-01-01'],
    ['LAST_YEAR', undefined, '2023-01-01', '2024-01-01'],
    ['NEXT_YEAR', undefined, '2025-01-01', '2026-01-01'],
    ['THIS_FISCAL_YEAR', undefined, '2024-01-01', '2025-01-01'],
    ['LAST_90_DAYS', undefined, '2023-11-30', '2024-02-29'],
    ['NEXT_90_DAYS', undefined, '2024-02-29', '2024-05-29'],
    ['LAST_N_DAYS:7', 7, '2024-02-21', '2024-02-29'],
    ['LAST_N_DAYS:0', 0, '2024-02-28', '2024-02-29'],
    ['NEXT_N_DAYS:2', 2, '2024-02-29', '2024-03-02'],
    ['N_DAYS_AGO:28', 28, '2024-01-31', '2024-02-01'],
    ['LAST_N_WEEKS:2', 2, '2024-02-11', '2024-02-25'],
    ['NEXT_N_WEEKS:1', 1, '2024-03-03', '2024-03-10'],
    ['N_WEEKS_AGO:1', 1, '2024-02-18', '2024-02-25'],
    ['LAST_N_MONTHS:2', 2, '2023-12-01', '2024-02-01'],
    ['NEXT_N_MONTHS:1', 1, '2024-03-01', '2024-04-01'],
    ['N_MONTHS_AGO:2', 2, '2023-12-01', '2024-01-01'],
    ['N_MONTHS_AGO:14', 14, '2022-12-01', '2023-01-01'],
    ['LAST_N_QUARTERS:1', 1, '2023-10-01', '2024-01-01'],
    ['N_QUARTERS_AGO:4', 4, '2023-01-01', '2023-04-01'],
    ['LAST_N_YEARS:2', 2, '2022-01-01', '2024-01-01'],
    ['NEXT_N_YEARS:1', 1, '2025-01-01', '2026-01-01'],
    ['N_YEARS_AGO:1', 1, '2023-01-01', '2024-01-01'],
    ['LAST_N_FISCAL_YEARS:1', 1, '2023-01-01', '2024-01-01']
  ])('should map %s to [start, end)', (literal, n, start, end) => {
    expect(dateLiteralRange(literal, n, NOW)).toEqual({ start, end });
  });

  it.each([
    ['an unknown literal', 'SOMEDAY', undefined],
    ['an N literal without its number', 'LAST_N_DAYS', undefined],
    ['a negative number', 'LAST_N_DAYS:-1', -1]
  ])('should return null for %s', (_name, literal, n) => {
    expect(dateLiteralRange(literal, n, NOW)).toBeNull();
  });
});
