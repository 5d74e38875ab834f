/**
 * Operator semantics from docs/qualification-spec.md. Values arrive as the REST API returns them
 * (string, number, boolean or null); the Apex evaluator agrees through the shared vectors.
 */
import type { Operator } from './types';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** A date, or a datetime whose first 10 characters are the date (REST returns 2026-01-15T10:00:00.000+0000). */
const ISO_DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;

/** Blank: null/undefined, or a string that is empty after trimming. */
export function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** A decimal parsed strictly (no exponent, no hex, no empty string); null when not a number. */
export function parseDecimal(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return DECIMAL.test(t) ? Number(t) : null;
}

/** YYYY-MM-DD of a date/datetime string, else null. */
export function parseIsoDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = ISO_DATE_PREFIX.exec(v.trim());
  return m ? (m[1] ?? null) : null;
}

function parseBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return null;
}

const norm = (v: unknown): string => String(v).trim().toLowerCase();

/** Adds whole days to a YYYY-MM-DD date (UTC calendar arithmetic, no time zone drift). */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function valueEquals(v: unknown, x: string): boolean {
  if (typeof v === 'boolean') return parseBoolean(x) === v;
  if (typeof v === 'number') {
    const n = parseDecimal(x);
    return n !== null && n === v;
  }
  return norm(v) === norm(x);
}

function listItems(x: string): string[] {
  return x
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Compares v with x: dates when v is a date, numbers otherwise. null when not comparable. */
function compare(v: unknown, x: string): number | null {
  const vDate = parseIsoDate(v);
  if (vDate !== null && typeof v === 'string') {
    const xDate = parseIsoDate(x);
    if (xDate === null) return null;
    return vDate < xDate ? -1 : vDate > xDate ? 1 : 0;
  }
  const a = parseDecimal(v);
  const b = parseDecimal(x);
  if (a === null || b === null) return null;
  return Math.sign(a - b);
}

/** Whether `v` satisfies `operator` with operand `x` on the given org "today" (YYYY-MM-DD). */
export function evaluateOperator(operator: Operator, v: unknown, x: string | null, today: string): boolean {
  const blank = isBlank(v);
  const operand = x ?? '';
  switch (operator) {
    case 'isSet':
      // Checkboxes are never null; for them "set" means checked.
      return typeof v === 'boolean' ? v : !blank;
    case 'isNotSet':
      return typeof v === 'boolean' ? !v : blank;
    case 'equals':
      return !blank && valueEquals(v, operand);
    case 'notEquals':
      return blank || !valueEquals(v, operand);
    case 'greaterThan':
    case 'greaterOrEqual':
    case 'lessThan':
    case 'lessOrEqual': {
      if (blank) return false;
      const c = compare(v, operand);
      if (c === null) return false;
      if (operator === 'greaterThan') return c > 0;
      if (operator === 'greaterOrEqual') return c >= 0;
      if (operator === 'lessThan') return c < 0;
      return c <= 0;
    }
    case 'contains':
      return !blank && norm(v).includes(norm(operand));
    case 'in':
    case 'notIn': {
      const found = !blank && listItems(operand).some((item) => valueEquals(v, item));
      return operator === 'in' ? found : !found;
    }
    case 'isTrue':
      return parseBoolean(v) === true;
    case 'isFalse':
      return parseBoolean(v) === false;
    case 'withinNextDays':
    case 'withinLastDays': {
      const date = parseIsoDate(v);
      const days = parseDecimal(operand);
      if (blank || date === null || days === null || !Number.isInteger(days)) return false;
      const [from, to] = operator === 'withinNextDays' ? [today, addDays(today, days)] : [addDays(today, -days), today];
      return from <= date && date <= to;
    }
    default: {
      const unknown: never = operator;
      throw new Error(`Unknown operator ${String(unknown)}`);
    }
  }
}

const PHRASES: Record<Operator, string> = {
  isSet: 'must be set',
  isNotSet: 'must be blank',
  equals: 'must equal',
  notEquals: 'must not equal',
  greaterThan: 'must be greater than',
  greaterOrEqual: 'must be at least',
  lessThan: 'must be less than',
  lessOrEqual: 'must be at most',
  contains: 'must contain',
  in: 'must be one of',
  notIn: 'must not be one of',
  isTrue: 'must be true',
  isFalse: 'must be false',
  withinNextDays: 'must be within the next N days',
  withinLastDays: 'must be within the last N days'
};

/** How a field value is shown in a reason: "blank" for blank values, else its text. */
export function displayValue(v: unknown): string {
  if (isBlank(v)) return 'blank';
  return typeof v === 'string' ? v.trim() : String(v);
}

/**
 * `<label>: <field> <operator phrase> <value> (is <value or blank>)`; the operand is omitted for
 * unary operators and substituted for N in the withinNext/LastDays phrases.
 */
export function describeMissing(
  c: { label: string; field: string; operator: Operator; value: string | null },
  v: unknown
): string {
  const phrase = PHRASES[c.operator];
  const operand = (c.value ?? '').trim();
  let requirement: string;
  if (c.operator === 'withinNextDays' || c.operator === 'withinLastDays') requirement = phrase.replace('N', operand);
  else if (c.operator === 'isSet' || c.operator === 'isNotSet' || c.operator === 'isTrue' || c.operator === 'isFalse')
    requirement = phrase;
  else requirement = `${phrase} ${operand}`;
  return `${c.label}: ${c.field} ${requirement} (is ${displayValue(v)})`;
}
