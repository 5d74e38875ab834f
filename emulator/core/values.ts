/**
 * Field values across the three shapes they take: API input (JSON or CSV strings), the stored form
 * (what the record layer keeps in memory and writes: dates 'YYYY-MM-DD', datetimes ISO with 'Z',
 * numbers as numbers) and API output (datetimes as Salesforce prints them: 2024-01-02T03:04:05.000+0000).
 */
import { compoundComponents } from './field-builders';
import { isValidIdFormat, to18 } from './ids';
import { integerDigits, integerDigitsOfNumber, javaDoubleString, maxIntegerDigits } from './numbers';
import type { FieldDef, SfError, SObjectDef } from './types';

export type Coerced = { ok: true; value: unknown } | { ok: false; error: SfError };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (statusCode: string, message: string, field: FieldDef): Coerced => ({
  ok: false,
  error: { statusCode, message, fields: [field.name] }
});

const notOfType = (field: FieldDef, value: unknown): Coerced =>
  fail('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${display(value)}`, field);

function display(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EMAIL_RE = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** 'YYYY-MM-DD' or null. Accepts a date, or a datetime whose date part is used (as Salesforce does). */
export function parseDate(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const m = DATE_RE.exec(text) ?? DATETIME_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isRealDate(y, mo, d)) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** 'YYYY-MM-DD' only: Salesforce refuses a datetime string for a date field (JSON_PARSER_ERROR in REST). */
export function parseStrictDate(value: unknown): string | null {
  if (typeof value === 'string' && !DATE_RE.test(value.trim())) return null;
  return parseDate(value);
}

/** ISO datetime in UTC ('...Z') or null. A bare date means midnight UTC. */
export function parseDateTime(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (DATE_RE.test(text)) return parseDate(text) ? `${text}T00:00:00.000Z` : null;
  const m = DATETIME_RE.exec(text);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) return null;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
  let zone = m[8] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = (m[7] ?? '.000').slice(0, 4).padEnd(4, '0');
  const parsed = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${ms}${zone.toUpperCase()}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return Number(value.trim());
  return null;
}

/** Half-up rounding to `scale` decimals; huge values (no fractional part in a double) are returned as they are. */
function roundToScale(value: number, scale: number): number {
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53) return value;
  const factor = 10 ** scale;
  const scaled = Math.abs(value) * factor;
  // Half away from zero, for negative values too (Math.round alone rounds -2.5 to -2).
  return Number.isFinite(scaled) ? (Math.sign(value) * Math.round(scaled)) / factor : value;
}

function parseBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return null;
}

/**
 * Input value -> stored value, with Salesforce's errors. Blank ('' or null) is null, except that a
 * checkbox set to null is false. Lengths, picklist membership and required-ness are checked elsewhere.
 */
export function coerceInput(field: FieldDef, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === '') return ok(field.type === 'boolean' ? false : null);
  switch (field.type) {
    case 'boolean': {
      const value = parseBoolean(raw);
      return value === null ? notOfType(field, raw) : ok(value);
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const value = parseNumber(raw);
      if (value === null) return notOfType(field, raw);
      if (field.type === 'int' && !Number.isInteger(value)) return notOfType(field, raw);
      // The input's own digits decide (a CSV/SOAP string keeps digits a double would lose), then the
      // value rounded to the field's scale (99.995 in a Number(4,2) rounds to 100.00: out of range).
      const limit = maxIntegerDigits(field);
      const inputDigits = typeof raw === 'string' ? integerDigits(raw) : integerDigitsOfNumber(value);
      const rounded = field.type === 'int' ? value : roundToScale(value, field.scale);
      if ((inputDigits ?? 0) > limit || integerDigitsOfNumber(rounded) > limit) {
        return fail('NUMBER_OUTSIDE_VALID_RANGE', `${field.label}: value outside of valid range on numeric field: ${javaDoubleString(value)}`, field);
      }
      return ok(rounded);
    }
    case 'date': {
      const value = parseStrictDate(raw);
      return value === null ? notOfType(field, raw) : ok(value);
    }
    case 'datetime': {
      const value = parseDateTime(raw);
      return value === null ? notOfType(field, raw) : ok(value);
    }
    case 'id':
    case 'reference': {
      if (typeof raw !== 'string') return notOfType(field, raw);
      const text = raw.trim();
      if (!isValidIdFormat(text)) return fail('MALFORMED_ID', `${field.label}: id value of incorrect type: ${text}`, field);
      return ok(to18(text));
    }
    case 'multipicklist': {
      // Values are one ';'-separated string; a JSON array is refused, as Salesforce does.
      if (typeof raw !== 'string') return notOfType(field, raw);
      const parts = raw.split(';');
      const cleaned = [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))];
      return ok(cleaned.length === 0 ? null : cleaned.join(';'));
    }
    case 'email': {
      if (typeof raw !== 'string') return notOfType(field, raw);
      const text = raw.trim();
      if (!EMAIL_RE.test(text)) return fail('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, field);
      return ok(text);
    }
    default: {
      if (typeof raw === 'object') return notOfType(field, raw);
      return ok(String(raw));
    }
  }
}

/** Salesforce's type names in JSON_PARSER_ERROR messages. */
const JSON_TYPE_NAMES: Partial<Record<FieldDef['type'], string>> = {
  boolean: 'boolean',
  int: 'int',
  double: 'double',
  currency: 'double',
  percent: 'double',
  date: 'date',
  datetime: 'datetime',
  multipicklist: 'multipicklist',
  picklist: 'picklist',
  reference: 'reference'
};

function jsonToken(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY value [';
  if (typeof value === 'object' && value !== null) return 'START_OBJECT value {';
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE value true' : 'VALUE_FALSE value false';
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT'} value ${value}`;
  return `VALUE_STRING value ${String(value)}`;
}

/**
 * For REST/JSON callers: the first value that cannot be read as its field's type, as the request-level
 * error Salesforce's JSON deserializer gives (JSON_PARSER_ERROR, HTTP 400, whole request refused)
 * instead of the per-record INVALID_TYPE_ON_FIELD_IN_RECORD the record layer reports (as SOAP and Bulk do).
 * Unknown fields are ignored here (the record layer reports them).
 */
export function jsonParserErrorFor(object: SObjectDef, record: Record<string, unknown>): { errorCode: 'JSON_PARSER_ERROR'; message: string } | null {
  for (const [key, raw] of Object.entries(record)) {
    const field = object.fieldMap.get(key.toLowerCase());
    // Compound fields are refused by the record layer (not writable), as Salesforce does.
    if (!field || field.type === 'id' || field.type === 'address') continue;
    const coerced = coerceInput(field, raw);
    const structural = typeof raw === 'object' && raw !== null;
    if ((!coerced.ok && coerced.error.statusCode === 'INVALID_TYPE_ON_FIELD_IN_RECORD') || structural) {
      return {
        errorCode: 'JSON_PARSER_ERROR',
        message: `Cannot deserialize instance of ${JSON_TYPE_NAMES[field.type] ?? 'string'} from ${jsonToken(raw)} or request may be missing a required field`
      };
    }
  }
  return null;
}

/** STRING_TOO_LONG / restricted picklist checks on a stored value. */
export function checkStoredValue(field: FieldDef, value: unknown): SfError | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && field.length > 0 && isTextual(field) && value.length > field.length) {
    return {
      statusCode: 'STRING_TOO_LONG',
      message: `${field.label}: data value too large: ${value.slice(0, 100)}${value.length > 100 ? '...' : ''} (max length=${field.length})`,
      fields: [field.name]
    };
  }
  if (field.restrictedPicklist && (field.type === 'picklist' || field.type === 'multipicklist')) {
    const allowed = new Set(field.picklistValues.filter((p) => p.active).map((p) => p.value));
    const values = field.type === 'multipicklist' ? String(value).split(';') : [String(value)];
    const bad = values.find((v) => !allowed.has(v));
    if (bad !== undefined) {
      return {
        statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: `${field.label}: bad value for restricted picklist field: ${bad}`,
        fields: [field.name]
      };
    }
  }
  return null;
}

function isTextual(field: FieldDef): boolean {
  return ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'anyType'].includes(field.type);
}

/** Value read from Postgres -> stored form (dates and datetimes as strings, numerics as numbers). */
export function fromColumn(field: Pick<FieldDef, 'type'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return typeof value === 'number' ? value : Number(value);
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    case 'datetime':
      return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
    case 'boolean':
      return value === true || value === 't' || value === 'true';
    default:
      return value;
  }
}

/** Stored form -> REST/JSON output (datetimes as 2024-01-02T03:04:05.000+0000). */
export function toApiValue(field: Pick<FieldDef, 'type'>, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  if (field.type === 'datetime') return formatDateTime(String(stored));
  return stored;
}

export function formatDateTime(iso: string | Date): string {
  const text = iso instanceof Date ? iso.toISOString() : new Date(iso).toISOString();
  return text.replace(/Z$/, '+0000');
}

/** Row from Postgres (lowercase column keys) -> row in stored form. */
export function normalizeRow(object: SObjectDef, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const field = object.fieldMap.get(column);
    out[column] = field ? fromColumn(field, value) : value;
  }
  return out;
}

/** Row (stored form) -> API record with canonical field names; all fields, or the listed ones in that order. */
export function rowToApiRecord(object: SObjectDef, row: Record<string, unknown>, fields?: FieldDef[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of fields ?? object.fields) {
    record[field.name] = field.type === 'address' ? compoundValue(object, field, row) : toApiValue(field, row[field.column] ?? null);
  }
  return record;
}

/**
 * A compound address as the REST API returns it: its components under their short keys in
 * alphabetical order ({city, country, geocodeAccuracy, latitude, longitude, postalCode, state, street}),
 * or null when every component is blank.
 */
export function compoundValue(object: SObjectDef, field: FieldDef, row: Record<string, unknown>): Record<string, unknown> | null {
  const value: Record<string, unknown> = {};
  let any = false;
  for (const { key, field: component } of compoundComponents(object, field)) {
    const v = toApiValue(component, row[component.column] ?? null);
    if (v !== null) any = true;
    value[key] = v;
  }
  return any ? value : null;
}

/** Text form used in history OldValue/NewValue. */
export function historyText(field: FieldDef, stored: unknown): string | null {
  if (stored === null || stored === undefined) return null;
  if (field.type === 'datetime') return formatDateTime(String(stored));
  return String(stored);
}
