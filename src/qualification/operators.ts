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

/** The operand of equals/in, parsed once: text (trimmed, lower case), decimal and boolean readings. */
interface Operand {
  text: string;
  decimal: number | null;
  bool: boolean | null;
}

function operandOf(x: string): Operand {
  return { text: norm(x), decimal: parseDecimal(x), bool: parseBoolean(x) };
}

function valueEquals(v: unknown, x: Operand): boolean {
  if (typeof v === 'boolean') return x.bool === v;
  if (typeof v === 'number') return x.decimal !== null && x.decimal === v;
  return norm(v) === x.text;
}

function listItems(x: string): Operand[] {
  return x
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(operandOf);
}

/** Compares v with x: dates when v is a date, numbers otherwise. null when not comparable. */
function compare(v: unknown, xDate: string | null, xDecimal: number | null): number | null {
  const vDate = typeof v === 'string' ? parseIsoDate(v) : null;
  if (vDate !== null) {
    if (xDate === null) return null;
    return vDate < xDate ? -1 : vDate > xDate ? 1 : 0;
  }
  const a = parseDecimal(v);
  if (a === null || xDecimal === null) return null;
  return Math.sign(a - xDecimal);
}

export type CompiledTest = (v: unknown) => boolean;

/**
 * The operator with its operand parsed once, for one org "today" (YYYY-MM-DD): a sweep evaluates the
 * same criteria against many leads, so per-lead work is only reading the lead's value.
 */
export function compileOperator(operator: Operator, x: string | null, today: string): CompiledTest {
  const operand = x ?? '';
  switch (operator) {
    case 'isSet':
      // Checkboxes are never null; for them "set" means checked.
      return (v) => (typeof v === 'boolean' ? v : !isBlank(v));
    case 'isNotSet':
      return (v) => (typeof v === 'boolean' ? !v : isBlank(v));
    case 'equals': {
      const o = operandOf(operand);
      return (v) => !isBlank(v) && valueEquals(v, o);
    }
    case 'notEquals': {
      const o = operandOf(operand);
      return (v) => isBlank(v) || !valueEquals(v, o);
    }
    case 'greaterThan':
    case 'greaterOrEqual':
    case 'lessThan':
    case 'lessOrEqual': {
      const xDate = parseIsoDate(operand);
      const xDecimal = parseDecimal(operand);
      const accept =
        operator === 'greaterThan'
          ? (c: number) => c > 0
          : operator === 'greaterOrEqual'
            ? (c: number) => c >= 0
            : operator === 'lessThan'
              ? (c: number) => c < 0
              : (c: number) => c <= 0;
      return (v) => {
        if (isBlank(v)) return false;
        const c = compare(v, xDate, xDecimal);
        return c !== null && accept(c);
      };
    }
    case 'contains': {
      // Not trimmed (unlike equals): an operand such as " crm" deliberately matches a word start. Apex agrees.
      const needle = operand.toLowerCase();
      return (v) => !isBlank(v) && String(v).toLowerCase().includes(needle);
    }
    case 'in':
    case 'notIn': {
      const items = listItems(operand);
      const found = (v: unknown) => !isBlank(v) && items.some((item) => valueEquals(v, item));
      return operator === 'in' ? found : (v) => !found(v);
    }
    case 'isTrue':
      return (v) => parseBoolean(v) === true;
    case 'isFalse':
      return (v) => parseBoolean(v) === false;
    case 'withinNextDays':
    case 'withinLastDays': {
      const days = parseDecimal(operand);
      if (days === null || !Number.isInteger(days)) return () => false;
      const [from, to] = operator === 'withinNextDays' ? [today, addDays(today, days)] : [addDays(today, -days), today];
      return (v) => {
        const date = isBlank(v) ? null : parseIsoDate(v);
        return date !== null && from <= date && date <= to;
      };
    }
    default: {
      const unknown: never = operator;
      throw new Error(`Unknown operator ${String(unknown)}`);
    }
  }
}

/** Whether `v` satisfies `operator` with operand `x` on the given org "today" (YYYY-MM-DD). */
export function evaluateOperator(operator: Operator, v: unknown, x: string | null, today: string): boolean {
  return compileOperator(operator, x, today)(v);
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
