/**
 * Maps a source record (CSV row or JSON object) onto canonical fields. Header names compare
 * case-insensitively; the first mapped header that has a non-blank value wins.
 */
import { CANONICAL_FIELDS, type CanonicalField, type EngagementInput, type MappedRow } from './canonical';
import type { ColumnMapping } from './presets';

/** Salesforce Lead API names and the canonical names themselves are always understood. */
const GENERIC_MAPPING: Record<CanonicalField, string[]> = {
  recordId: ['recordId', 'id', 'externalId', 'Source_Record_Id'],
  firstName: ['firstName', 'FirstName', 'first_name'],
  lastName: ['lastName', 'LastName', 'last_name'],
  fullName: ['fullName', 'Name', 'full_name'],
  email: ['email', 'Email'],
  phone: ['phone', 'Phone'],
  mobilePhone: ['mobilePhone', 'MobilePhone', 'mobile'],
  company: ['company', 'Company'],
  website: ['website', 'Website'],
  title: ['title', 'Title', 'jobTitle'],
  street: ['street', 'Street'],
  city: ['city', 'City'],
  state: ['state', 'State'],
  postalCode: ['postalCode', 'PostalCode', 'zip'],
  country: ['country', 'Country'],
  industry: ['industry', 'Industry'],
  numberOfEmployees: ['numberOfEmployees', 'NumberOfEmployees'],
  annualRevenue: ['annualRevenue', 'AnnualRevenue'],
  productInterest: ['productInterest', 'Product_Interest__c'],
  leadSource: ['leadSource', 'LeadSource'],
  campaign: ['campaign', 'Campaign'],
  description: ['description', 'Description', 'message'],
  updatedAt: ['updatedAt', 'LastModifiedDate', 'submittedAt'],
  pageViews: ['pageViews'],
  formFills: ['formFills'],
  emailOpens: ['emailOpens']
};

const COUNTER_EVENTS: Partial<Record<CanonicalField, string>> = {
  pageViews: 'page_view',
  formFills: 'form_fill',
  emailOpens: 'email_open'
};

const headerKey = (h: string): string => h.replace(/^\uFEFF/, '').trim().normalize('NFC').toLowerCase();

export type RowMapper = (row: number, record: Record<string, unknown>) => MappedRow;

/** Builds a mapper for one source. Explicit mapping entries replace the generic names for that field. */
export function createRowMapper(mapping: ColumnMapping): RowMapper {
  const candidates = CANONICAL_FIELDS.map((field) => {
    const explicit = mapping[field];
    const names = explicit === undefined ? [] : Array.isArray(explicit) ? explicit : [explicit];
    return { field, keys: [...names, ...GENERIC_MAPPING[field]].map(headerKey) };
  });
  return (row, record) => {
    // Headers that differ only in case or spaces ("Email", " email") are one column: the first non-blank
    // value wins, as for a repeated header (docs/ingest.md, duplicate columns).
    const byKey = new Map<string, unknown>();
    for (const [k, v] of Object.entries(record)) {
      const key = headerKey(k);
      if (!byKey.has(key) || cellText(byKey.get(key)) === undefined) byKey.set(key, v);
    }
    const values: MappedRow['values'] = {};
    for (const { field, keys } of candidates) {
      for (const key of keys) {
        const text = cellText(byKey.get(key));
        if (text !== undefined) {
          values[field] = text;
          break;
        }
      }
    }
    const events = [...eventsFromJson(byKey.get('events')), ...eventsFromCounters(values)];
    return { row, values, events };
  };
}

/** The headers that map to some canonical field (an empty list means the header row is not one we know). */
export function recognisedHeaders(mapping: ColumnMapping, headers: readonly string[]): string[] {
  const known = new Set(
    CANONICAL_FIELDS.flatMap((field) => {
      const explicit = mapping[field];
      const names = explicit === undefined ? [] : Array.isArray(explicit) ? explicit : [explicit];
      return [...names, ...GENERIC_MAPPING[field]].map(headerKey);
    })
  );
  return headers.filter((h) => known.has(headerKey(h)));
}

function cellText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function eventsFromCounters(values: MappedRow['values']): EngagementInput[] {
  const out: EngagementInput[] = [];
  for (const [field, type] of Object.entries(COUNTER_EVENTS) as [CanonicalField, string][]) {
    const raw = values[field];
    if (raw === undefined) continue;
    const count = Number(raw);
    if (Number.isFinite(count) && count > 0) {
      out.push({ type, occurredAt: values.updatedAt ?? null, count: Math.floor(count), properties: { aggregate: true } });
    }
  }
  return out;
}

/** JSON sources may carry `events: [{ type, occurredAt|at|timestamp, count?, ...properties }]`. */
function eventsFromJson(raw: unknown): EngagementInput[] {
  if (!Array.isArray(raw)) return [];
  const out: EngagementInput[] = [];
  for (const item of raw) {
    if (!item || typeof item !== 'object') continue;
    const { type, occurredAt, at, timestamp, count, ...properties } = item as Record<string, unknown>;
    if (typeof type !== 'string' || type.trim() === '') continue;
    const when = [occurredAt, at, timestamp].find((x) => typeof x === 'string' && x.length > 0) as string | undefined;
    out.push({
      type: type.trim().toLowerCase().replace(/[\s-]+/g, '_'),
      occurredAt: when ?? null,
      count: typeof count === 'number' && count > 0 ? Math.floor(count) : 1,
      properties
    });
  }
  return out;
}
