/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER ...) as half-open UTC day ranges [start, end).
 * The emulator runs in UTC (Salesforce uses the running user's time zone; our users are all UTC).
 * Fiscal literals use the calendar year, which is Salesforce's default fiscal year (starting in January).
 */
export interface DayRange {
  /** inclusive, YYYY-MM-DD */
  start: string;
  /** exclusive, YYYY-MM-DD */
  end: string;
}

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

function utcDay(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m, d));
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Start of the unit containing `day` (weeks start on Sunday, as in the en_US locale). */
function unitStart(day: Date, unit: Unit): Date {
  const y = day.getUTCFullYear();
  const m = day.getUTCMonth();
  switch (unit) {
    case 'DAY':
      return utcDay(y, m, day.getUTCDate());
    case 'WEEK':
      return utcDay(y, m, day.getUTCDate() - day.getUTCDay());
    case 'MONTH':
      return utcDay(y, m, 1);
    case 'QUARTER':
      return utcDay(y, m - (m % 3), 1);
    case 'YEAR':
      return utcDay(y, 0, 1);
  }
}

function addUnits(day: Date, unit: Unit, n: number): Date {
  const y = day.getUTCFullYear();
  const m = day.getUTCMonth();
  const d = day.getUTCDate();
  switch (unit) {
    case 'DAY':
      return utcDay(y, m, d + n);
    case 'WEEK':
      return utcDay(y, m, d + 7 * n);
    case 'MONTH':
      return utcDay(y, m + n, d);
    case 'QUARTER':
      return utcDay(y, m + 3 * n, d);
    case 'YEAR':
      return utcDay(y + n, m, d);
  }
}

const FIXED: Record<string, { unit: Unit; offset: number }> = {
  YESTERDAY: { unit: 'DAY', offset: -1 },
  TODAY: { unit: 'DAY', offset: 0 },
  TOMORROW: { unit: 'DAY', offset: 1 },
  LAST_WEEK: { unit: 'WEEK', offset: -1 },
  THIS_WEEK: { unit: 'WEEK', offset: 0 },
  NEXT_WEEK: { unit: 'WEEK', offset: 1 },
  LAST_MONTH: { unit: 'MONTH', offset: -1 },
  THIS_MONTH: { unit: 'MONTH', offset: 0 },
  NEXT_MONTH: { unit: 'MONTH', offset: 1 },
  LAST_QUARTER: { unit: 'QUARTER', offset: -1 },
  THIS_QUARTER: { unit: 'QUARTER', offset: 0 },
  NEXT_QUARTER: { unit: 'QUARTER', offset: 1 },
  LAST_YEAR: { unit: 'YEAR', offset: -1 },
  THIS_YEAR: { unit: 'YEAR', offset: 0 },
  NEXT_YEAR: { unit: 'YEAR', offset: 1 },
  LAST_FISCAL_QUARTER: { unit: 'QUARTER', offset: -1 },
  THIS_FISCAL_QUARTER: { unit: 'QUARTER', offset: 0 },
  NEXT_FISCAL_QUARTER: { unit: 'QUARTER', offset: 1 },
  LAST_FISCAL_YEAR: { unit: 'YEAR', offset: -1 },
  THIS_FISCAL_YEAR: { unit: 'YEAR', offset: 0 },
  NEXT_FISCAL_YEAR: { unit: 'YEAR', offset: 1 }
};

const N_UNITS: Record<string, Unit> = {
  DAYS: 'DAY',
  WEEKS: 'WEEK',
  MONTHS: 'MONTH',
  QUARTERS: 'QUARTER',
  YEARS: 'YEAR',
  FISCAL_QUARTERS: 'QUARTER',
  FISCAL_YEARS: 'YEAR'
};

/**
 * Range for a date literal, or null when the name is unknown. `n` is the number of a `:n` literal.
 * LAST_N_DAYS:n / LAST_90_DAYS include today (n+1 days); NEXT_N_DAYS:n starts tomorrow; LAST_N_<unit>:n
 * ends at the start of the current unit; NEXT_N_<unit>:n starts at the next unit; N_<unit>_AGO:n is one unit.
 */
export function dateLiteralRange(literal: string, n: number | undefined, now: Date): DayRange | null {
  const name = literal.toUpperCase().split(':')[0] as string;
  const today = unitStart(now, 'DAY');
  const fixed = FIXED[name];
  if (fixed) {
    const start = addUnits(unitStart(today, fixed.unit), fixed.unit, fixed.offset);
    return { start: iso(start), end: iso(addUnits(start, fixed.unit, 1)) };
  }
  if (name === 'LAST_90_DAYS')
    return { start: iso(addUnits(today, 'DAY', -90)), end: iso(addUnits(today, 'DAY', 1)) };
  if (name === 'NEXT_90_DAYS')
    return { start: iso(addUnits(today, 'DAY', 1)), end: iso(addUnits(today, 'DAY', 91)) };
  if (n === undefined || !Number.isInteger(n) || n < 0) return null;
  const m = /^(LAST_N|NEXT_N|N)_([A-Z_]+?)(_AGO)?$/.exec(name);
  if (!m) return null;
  const unit = N_UNITS[m[2] as string];
  if (!unit) return null;
  const current = unitStart(today, unit);
  if (m[1] === 'N' && m[3]) {
    const start = addUnits(current, unit, -n);
    return { start: iso(start), end: iso(addUnits(start, unit, 1)) };
  }
  if (m[3]) return null;
  if (m[1] === 'LAST_N') {
    if (unit === 'DAY')
      return { start: iso(addUnits(today, 'DAY', -n)), end: iso(addUnits(today, 'DAY', 1)) };
    return { start: iso(addUnits(current, unit, -n)), end: iso(current) };
  }
  if (m[1] === 'NEXT_N') {
    const next = addUnits(current, unit, 1);
    return { start: iso(next), end: iso(addUnits(next, unit, n)) };
  }
  return null;
}
