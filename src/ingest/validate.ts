/**
 * Turns a mapped source row into a normalised Lead, or a list of precise errors (row, field, value,
 * reason). Field normalisers run first (email, phone, country, website, names); then the checks Salesforce
 * would make: required fields and picklists (zod), text lengths counted as Salesforce counts them and
 * number precision/scale (`FieldLimits`, from the Lead describe when the run has it). A row Salesforce
 * would refuse is a reject here, never a failed write.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FieldDescribe } from '../salesforce/types';
import type { CanonicalField, EngagementInput, MappedRow } from './canonical';
import {
  companyDomainFromEmail,
  normaliseCountry,
  normaliseEmail,
  normalisePhone,
  normaliseText,
  normaliseWebsite,
  splitFullName
} from './normalize';

export interface RowError {
  row: number;
  field: string;
  value: string;
  reason: string;
}

/** Reject-file reason prefix for a problem that did not cost the lead (the value was dropped or replaced). */
export const WARNING_PREFIX = 'warning: ';

/** The Lead fields leadflow writes (API names). */
export interface LeadFields {
  FirstName?: string;
  LastName: string;
  Company: string;
  Email?: string;
  Phone?: string;
  MobilePhone?: string;
  Website?: string;
  Title?: string;
  Street?: string;
  City?: string;
  State?: string;
  PostalCode?: string;
  Country?: string;
  Industry?: string;
  NumberOfEmployees?: number;
  AnnualRevenue?: number;
  Product_Interest__c?: string;
  LeadSource?: string;
  Description?: string;
  Source_System__c: string;
  Source_External_Id__c: string;
}

export interface NormalisedLead {
  row: number;
  source: string;
  /** The source's own record id, or `h-<hash of email/phone + source>` when the source has none. */
  sourceRecordId: string;
  fields: LeadFields;
  campaign: string | null;
  /** Registrable domain of the website, or of the email when it is not a free-mail address. */
  domain: string | null;
  /** Source-side modification time (ISO), used to decide which values are newer. */
  updatedAt: string | null;
  events: EngagementInput[];
}

export interface SourceContext {
  name: string;
  sourceSystem: string;
  leadSource: string | null;
  campaign: string | null;
  defaultCountry: string | null;
  defaultCompany: string | null;
  /** An invalid phone, mobile, website or country: drop the value and keep the lead (default), or reject the row. */
  onInvalidOptional?: 'drop' | 'reject';
  /** "1234,56" means 1234.56 (files from a semicolon-separating Excel locale). */
  decimalComma?: boolean;
}

/** What Salesforce writes when a Web-to-Lead form leaves Last Name blank (Knowledge Article 000171026). */
export const LAST_NAME_NOT_PROVIDED = '[not provided]';

/** A Lead field's limits as Salesforce checks them: text length, or number precision and scale. */
export type FieldLimit =
  | { kind: 'text'; length: number }
  | { kind: 'number'; precision: number; scale: number; integer: boolean };
export type FieldLimits = Partial<Record<keyof LeadFields, FieldLimit>>;

const text = (length: number): FieldLimit => ({ kind: 'text', length });
/** The standard Lead fields as the Lead field reference defines them (used until the org's describe is known). */
export const DEFAULT_LEAD_LIMITS: FieldLimits = {
  FirstName: text(40),
  LastName: text(80),
  Company: text(255),
  Email: text(80),
  Phone: text(40),
  MobilePhone: text(40),
  Website: text(255),
  Title: text(128),
  Street: text(255),
  City: text(40),
  State: text(80),
  PostalCode: text(20),
  Country: text(80),
  // Standard picklists describe with length 40 (unrestricted, so other values are accepted up to that length).
  Industry: text(40),
  LeadSource: text(40),
  Description: text(32_000),
  Source_System__c: text(80),
  Source_External_Id__c: text(255),
  NumberOfEmployees: { kind: 'number', precision: 8, scale: 0, integer: true },
  AnnualRevenue: { kind: 'number', precision: 18, scale: 0, integer: false }
};

/** Describe types whose values are strings with a `length`. */
const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);

/** Limits from the org's Lead describe (length for text; precision/scale, or digits for int). */
export function limitsFromDescribe(fields: readonly FieldDescribe[]): FieldLimits {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const out: FieldLimits = {};
  for (const name of Object.keys(DEFAULT_LEAD_LIMITS) as (keyof LeadFields)[]) {
    const f = byName.get(name.toLowerCase());
    if (!f) {
      out[name] = DEFAULT_LEAD_LIMITS[name];
      continue;
    }
    if (TEXT_TYPES.has(f.type) && (f.length ?? 0) > 0) out[name] = { kind: 'text', length: f.length! };
    else if (f.type === 'int' && (f.digits ?? 0) > 0) out[name] = { kind: 'number', precision: f.digits!, scale: 0, integer: true };
    else if (['currency', 'double', 'percent'].includes(f.type) && (f.precision ?? 0) > 0) {
      out[name] = { kind: 'number', precision: f.precision!, scale: f.scale ?? 0, integer: false };
    } else out[name] = DEFAULT_LEAD_LIMITS[name];
  }
  return out;
}

/**
 * Text length as Salesforce counts it: UTF-16 code units, so an emoji or any other character outside the
 * Basic Multilingual Plane counts 2 (Salesforce Help 005166849, "Surrogate Pair Characters Are Treated as
 * Two Characters"). JavaScript's String length counts the same way.
 */
export const salesforceLength = (value: string): number => value.length;

/** The reason a text value is too long; says how Salesforce counted when that differs from what a reader sees. */
export function tooLongReason(value: string, max: number): string {
  const counted = salesforceLength(value);
  const seen = [...value].length;
  return counted === seen
    ? `longer than ${max} characters`
    : `longer than ${max} characters (Salesforce counts ${counted}: emoji and other characters outside the Basic Multilingual Plane count as 2)`;
}

/** Checks the written Lead fields against the limits; errors name the source field. */
export function checkFieldLimits(row: number, fields: Partial<LeadFields>, limits: FieldLimits): RowError[] {
  const errors: RowError[] = [];
  for (const [name, limit] of Object.entries(limits) as [keyof LeadFields, FieldLimit][]) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    const field = FIELD_ORIGIN[name] ?? name;
    if (limit.kind === 'text' && typeof value === 'string' && salesforceLength(value) > limit.length) {
      errors.push({ row, field, value, reason: tooLongReason(value, limit.length) });
    } else if (limit.kind === 'number' && typeof value === 'number') {
      const reason = numberOutsideLimit(value, name, limit);
      if (reason) errors.push({ row, field, value: plainNumber(value), reason });
    }
  }
  return errors;
}

/** Salesforce's rule: at most precision - scale digits before the decimal point (NUMBER_OUTSIDE_VALID_RANGE). */
function numberOutsideLimit(value: number, name: string, limit: Extract<FieldLimit, { kind: 'number' }>): string | null {
  if (limit.integer && !Number.isInteger(value)) return 'must be a whole number';
  return integerDigitsReason(plainNumber(Math.trunc(Math.abs(value))).replace(/^0+/, '').length, name, limit);
}

function integerDigitsReason(integerDigits: number, name: string, limit: Extract<FieldLimit, { kind: 'number' }>): string | null {
  const allowed = limit.precision - limit.scale;
  if (integerDigits <= allowed) return null;
  const type = limit.integer ? `number(${limit.precision}, 0)` : `number(${limit.precision}, ${limit.scale})`;
  return `too large for ${name}: at most ${allowed} digits before the decimal point (Salesforce ${type}), got ${integerDigits}`;
}

/** A number written out in full (never 1e+21). */
function plainNumber(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

/** Significant digits a JSON number (IEEE double) carries exactly. */
const EXACT_DIGITS = 15;

/** `integerDigits`/`significantDigits` of the text as written (before rounding to a double). */
export type ParsedNumber = { ok: true; value: number; integerDigits: number; significantDigits: number } | { ok: false; reason: string };

/**
 * A decimal number as people type it in a spreadsheet: optional sign, a currency symbol, spaces or "_"/"'"
 * between digit groups, and "," or "." as thousands separator and decimal mark ("1,234.56", "1.234,56",
 * "1 234,5"). With one kind of mark: repeated, it groups thousands; once, "." is the decimal point and ","
 * is the decimal comma when the file is semicolon-separated, else a thousands separator before 3 digits.
 * Hexadecimal ("0x10"), octal, binary, exponents ("1e3"), Infinity and NaN are refused.
 */
export function parseDecimal(raw: string, decimalComma = false): ParsedNumber {
  const t = raw.trim().replace(/^[$€£¥]\s*|\s*[$€£¥]$/gu, '');
  if (/^[+-]?0[xob]/i.test(t)) return { ok: false, reason: 'not a decimal number (hexadecimal, octal and binary numbers are not accepted)' };
  if (/^[+-]?[\d.,]+e[+-]?\d+$/i.test(t)) {
    return { ok: false, reason: 'scientific notation is not accepted: write the number in full (spreadsheets save long numbers as 1.23E+11, which loses digits)' };
  }
  const compact = t.replace(/[\s\u00A0\u202F_']/g, '');
  const m = /^([+-]?)([\d.,]+)$/.exec(compact);
  if (!m || !/\d/.test(m[2]!)) return { ok: false, reason: 'not a number' };
  const sign = m[1] === '-' ? '-' : '';
  const body = m[2]!;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  let decimalMark: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) decimalMark = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0) decimalMark = body.indexOf('.') === lastDot ? '.' : null;
  else if (lastComma >= 0 && body.indexOf(',') === lastComma) {
    if (decimalComma) decimalMark = ',';
    else if (!/,\d{3}$/.test(body)) return { ok: false, reason: 'ambiguous number: use "." for decimals (a "," is read as a thousands separator)' };
  }
  const [intPart, fracPart = '', extra] = decimalMark ? body.split(decimalMark) : [body];
  if (extra !== undefined) return { ok: false, reason: 'not a number' };
  // Without a decimal mark, the one mark present groups thousands ("1.234.567").
  const grouping = decimalMark === ',' ? '.' : decimalMark === '.' ? ',' : body.includes('.') ? '.' : ',';
  if (/[.,]/.test(fracPart)) return { ok: false, reason: 'not a number' };
  if (/[.,]/.test(intPart!) && !new RegExp(`^\\d{1,3}(\\${grouping}\\d{3})+$`).test(intPart!)) {
    return { ok: false, reason: `not a number (digit groups after "${grouping}" must have 3 digits)` };
  }
  const digits = intPart!.replace(/[.,]/g, '');
  if (digits === '' && fracPart === '') return { ok: false, reason: 'not a number' };
  return {
    ok: true,
    value: Number(`${sign}${digits || '0'}.${fracPart || '0'}`),
    integerDigits: digits.replace(/^0+/, '').length,
    significantDigits: `${digits}${fracPart}`.replace(/^0+/, '').replace(/0+$/, '').length
  };
}

export const PRODUCT_INTERESTS = ['Platform', 'Analytics', 'Integrations', 'Services'] as const;

const optionalText = z.string().optional();

/**
 * Required fields and picklists (zod). Lengths and number limits are `FieldLimits` (zod's max counts code
 * points, Salesforce counts UTF-16 code units).
 */
export const leadFieldsSchema = z.object({
  FirstName: optionalText,
  LastName: z.string().min(1, 'required (no last name or full name)'),
  Company: z.string().min(1, 'required by Salesforce (set defaultCompany for sources without it)'),
  Email: optionalText,
  Phone: optionalText,
  MobilePhone: optionalText,
  Website: optionalText,
  Title: optionalText,
  Street: optionalText,
  City: optionalText,
  State: optionalText,
  PostalCode: optionalText,
  Country: optionalText,
  Industry: optionalText,
  NumberOfEmployees: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
  AnnualRevenue: z.number().min(0, 'must not be negative').optional(),
  Product_Interest__c: z.enum(PRODUCT_INTERESTS, { error: `must be one of ${PRODUCT_INTERESTS.join(', ')}` }).optional(),
  LeadSource: optionalText,
  Description: optionalText,
  Source_System__c: z.string().min(1),
  Source_External_Id__c: z.string().min(1)
});

/** Which source field a Lead field came from, so errors name what the user sees in the file. */
const FIELD_ORIGIN: Partial<Record<keyof LeadFields, CanonicalField>> = {
  FirstName: 'firstName',
  LastName: 'lastName',
  Company: 'company',
  Email: 'email',
  Phone: 'phone',
  MobilePhone: 'mobilePhone',
  Website: 'website',
  Title: 'title',
  Street: 'street',
  City: 'city',
  State: 'state',
  PostalCode: 'postalCode',
  Country: 'country',
  Industry: 'industry',
  NumberOfEmployees: 'numberOfEmployees',
  AnnualRevenue: 'annualRevenue',
  Product_Interest__c: 'productInterest',
  LeadSource: 'leadSource',
  Description: 'description',
  Source_External_Id__c: 'recordId'
};

/** A valid lead may come with warnings: values dropped or replaced (reject-file lines prefixed `warning: `). */
export type ValidationResult = { ok: true; lead: NormalisedLead; warnings: RowError[] } | { ok: false; errors: RowError[] };

/** U+FFFD is what a decoder puts in place of bytes that are not in the file's encoding. */
export const NOT_UTF8_REASON =
  'contains bytes that are not valid in the file\'s encoding (set the source\'s "encoding", e.g. "windows-1252", or save the file as UTF-8)';

export function validateRow(mapped: MappedRow, source: SourceContext, limits: FieldLimits = DEFAULT_LEAD_LIMITS): ValidationResult {
  // One list in the order problems are met; `soft` ones (an optional value, dropped) do not cost the lead.
  const errors: (RowError & { soft?: true })[] = [];
  const warnings: RowError[] = [];
  const err = (field: string, value: string | undefined, reason: string) =>
    errors.push({ row: mapped.row, field, value: value ?? '', reason });
  const warn = (field: string, value: string | undefined, reason: string) =>
    warnings.push({ row: mapped.row, field, value: value ?? '', reason: `${WARNING_PREFIX}${reason}` });
  // Phone, mobile, website and country are not needed to create the lead: by default a bad one is dropped.
  const optional = (field: string, value: string, reason: string) =>
    errors.push({ row: mapped.row, field, value, reason, ...(source.onInvalidOptional === 'reject' ? {} : { soft: true as const }) });
  // Mis-decoded values are reported once and left out, so no normaliser reports them a second time.
  const v: MappedRow['values'] = {};
  for (const [field, raw] of Object.entries(mapped.values) as [CanonicalField, string][]) {
    if (raw.includes('\uFFFD')) err(field, raw, NOT_UTF8_REASON);
    else v[field] = raw;
  }
  const text = (f: CanonicalField): string | undefined => {
    const raw = v[f];
    if (raw === undefined) return undefined;
    const t = normaliseText(raw);
    return t === '' ? undefined : t;
  };

  // Names: explicit first/last win; otherwise split the full name.
  let firstName = text('firstName');
  let lastName = text('lastName');
  const fullName = text('fullName');
  if (!lastName && fullName) {
    const split = splitFullName(fullName);
    lastName = split.lastName;
    firstName = firstName ?? split.firstName ?? undefined;
  } else if (!lastName && firstName && !fullName) {
    // Salesforce needs LastName. Web-to-Lead writes "[not provided]" in that case (Knowledge Article
    // 000171026); so do we, and say so in the reject file, instead of moving the first name over.
    lastName = LAST_NAME_NOT_PROVIDED;
    warn('lastName', '', `no last name: LastName set to "${LAST_NAME_NOT_PROVIDED}" (as Salesforce Web-to-Lead does), first name kept`);
  }

  let country: string | undefined;
  if (v.country !== undefined) {
    const c = normaliseCountry(v.country);
    if (c.ok) country = c.value;
    else optional('country', v.country, c.reason);
  }

  let email: string | undefined;
  if (v.email !== undefined) {
    const e = normaliseEmail(v.email);
    if (e.ok) email = e.value;
    else err('email', v.email, e.reason);
  }

  const phoneCountry = country ?? source.defaultCountry;
  const phone = (field: 'phone' | 'mobilePhone'): string | undefined => {
    const raw = v[field];
    if (raw === undefined) return undefined;
    const p = normalisePhone(raw, phoneCountry);
    if (p.ok) return p.value;
    optional(field, raw, p.reason);
    return undefined;
  };
  const phoneE164 = phone('phone');
  const mobileE164 = phone('mobilePhone');
  // A dropped phone does not count: the lead would have no way to be contacted or matched.
  if (!email && !phoneE164 && !mobileE164 && !errors.some((e) => e.field === 'email')) {
    err('email', '', 'an email or a phone number is required to contact and de-duplicate the lead');
  }

  let website: string | undefined;
  if (v.website !== undefined) {
    const w = normaliseWebsite(v.website);
    if (w.ok) website = w.value;
    else optional('website', v.website, w.reason);
  }

  // Rounded to the field's scale, as Salesforce stores it; digits before the point are checked with the limits.
  const number = (field: CanonicalField, apiName: keyof LeadFields): number | undefined => {
    const raw = v[field];
    if (raw === undefined) return undefined;
    const n = parseDecimal(raw, source.decimalComma);
    if (!n.ok) {
      err(field, raw, n.reason);
      return undefined;
    }
    const limit = limits[apiName];
    if (limit?.kind === 'number') {
      const tooLarge = integerDigitsReason(n.integerDigits, apiName, limit);
      if (tooLarge) {
        err(field, raw, tooLarge);
        return undefined;
      }
      if (limit.integer && !Number.isInteger(n.value)) {
        err(field, raw, 'must be a whole number');
        return undefined;
      }
    }
    if (n.significantDigits > EXACT_DIGITS) {
      err(field, raw, `more than ${EXACT_DIGITS} significant digits: leadflow sends numbers as JSON numbers, exact to ${EXACT_DIGITS} digits`);
      return undefined;
    }
    const factor = 10 ** (limit?.kind === 'number' ? limit.scale : 2);
    return Math.round(n.value * factor) / factor;
  };

  const productRaw = text('productInterest');
  const product = productRaw
    ? (PRODUCT_INTERESTS.find((p) => p.toLowerCase() === productRaw.toLowerCase()) ?? productRaw)
    : undefined;

  const rawRecordId = text('recordId');
  const sourceRecordId = rawRecordId ?? `h-${stableIdentityHash(source.name, email ?? phoneE164 ?? mobileE164 ?? `${firstName}|${lastName}`)}`;

  const updatedAtRaw = text('updatedAt');
  let updatedAt: string | null = null;
  if (updatedAtRaw) {
    const d = new Date(updatedAtRaw);
    if (Number.isNaN(d.getTime())) err('updatedAt', updatedAtRaw, 'not a date/time');
    else updatedAt = d.toISOString();
  }

  const fields: Record<string, unknown> = {
    FirstName: firstName,
    LastName: lastName ?? '',
    Company: text('company') ?? source.defaultCompany ?? '',
    Email: email,
    Phone: phoneE164,
    MobilePhone: mobileE164,
    Website: website,
    Title: text('title'),
    Street: text('street'),
    City: text('city'),
    State: text('state'),
    PostalCode: text('postalCode'),
    Country: country,
    Industry: text('industry'),
    NumberOfEmployees: number('numberOfEmployees', 'NumberOfEmployees'),
    AnnualRevenue: number('annualRevenue', 'AnnualRevenue'),
    Product_Interest__c: product,
    LeadSource: text('leadSource') ?? source.leadSource ?? undefined,
    Description: text('description'),
    Source_System__c: source.sourceSystem,
    Source_External_Id__c: `${source.name}:${sourceRecordId}`
  };
  for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];

  const parsed = leadFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const apiName = String(issue.path[0] ?? '') as keyof LeadFields;
      // Skip fields whose normaliser already reported a more precise problem.
      const origin = FIELD_ORIGIN[apiName] ?? apiName;
      if (errors.some((e) => e.field === origin)) continue;
      const value = fields[apiName];
      err(origin, value === undefined ? '' : String(value), issue.message);
    }
  }
  for (const e of checkFieldLimits(mapped.row, fields as Partial<LeadFields>, limits)) {
    if (!errors.some((x) => x.field === e.field)) errors.push(e);
  }
  const hard = errors.filter((e) => !e.soft);
  // The row is rejected: list every problem (a dropped value too, as a plain error).
  if (hard.length > 0 || !parsed.success) return { ok: false, errors: errors.map(({ soft: _soft, ...e }) => e) };
  for (const e of errors) warnings.push({ row: e.row, field: e.field, value: e.value, reason: `${WARNING_PREFIX}value dropped, lead kept: ${e.reason}` });

  const lead: NormalisedLead = {
    row: mapped.row,
    source: source.name,
    sourceRecordId,
    fields: parsed.data as LeadFields,
    campaign: text('campaign') ?? source.campaign,
    domain: website ?? (email ? companyDomainFromEmail(email) : null),
    updatedAt,
    events: mapped.events
  };
  return { ok: true, lead, warnings };
}


/** Stable id for sources without record ids: sha256 of the lower-cased identity + source, 32 hex chars. */
export function stableIdentityHash(source: string, identity: string): string {
  return createHash('sha256').update(`${source}\u0000${identity.toLowerCase()}`).digest('hex').slice(0, 32);
}

/** Hash of everything we would write for a lead: equal hash on a rerun means nothing to do. */
export function leadRowHash(lead: NormalisedLead): string {
  const fieldKeys = Object.keys(lead.fields).sort();
  const canonical = JSON.stringify({
    f: fieldKeys.map((k) => [k, (lead.fields as unknown as Record<string, unknown>)[k]]),
    c: lead.campaign,
    e: lead.events.map((e) => [e.type, e.occurredAt, e.count, JSON.stringify(e.properties)])
  });
  return createHash('sha256').update(canonical).digest('hex');
}
