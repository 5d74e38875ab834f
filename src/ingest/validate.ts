/**
 * Turns a mapped source row into a normalised Lead, or a list of precise errors (row, field, value,
 * reason). Field normalisers run first (email, phone, country, website, names); a zod schema then checks
 * what Salesforce would refuse (required fields, lengths, restricted picklists, numbers).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
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
}

export const PRODUCT_INTERESTS = ['Platform', 'Analytics', 'Integrations', 'Services'] as const;

const optionalText = (max: number) => z.string().max(max, `longer than ${max} characters`).optional();

/** What Salesforce accepts for the Lead fields we write (lengths from the Lead field reference). */
export const leadFieldsSchema = z.object({
  FirstName: optionalText(40),
  LastName: z.string().min(1, 'required (no last name or full name)').max(80, 'longer than 80 characters'),
  Company: z.string().min(1, 'required by Salesforce (set defaultCompany for sources without it)').max(255, 'longer than 255 characters'),
  Email: optionalText(80),
  Phone: optionalText(40),
  MobilePhone: optionalText(40),
  Website: optionalText(255),
  Title: optionalText(128),
  Street: optionalText(255),
  City: optionalText(40),
  State: optionalText(80),
  PostalCode: optionalText(20),
  Country: optionalText(80),
  // Standard picklists describe with length 40 (unrestricted, so other values are accepted up to that length).
  Industry: optionalText(40),
  NumberOfEmployees: z.number().int('must be a whole number').min(0, 'must not be negative').max(99_999_999).optional(),
  AnnualRevenue: z.number().min(0, 'must not be negative').optional(),
  Product_Interest__c: z.enum(PRODUCT_INTERESTS, { error: `must be one of ${PRODUCT_INTERESTS.join(', ')}` }).optional(),
  LeadSource: optionalText(40),
  Description: optionalText(32_000),
  Source_System__c: z.string().min(1).max(80),
  Source_External_Id__c: z.string().min(1).max(255, 'longer than 255 characters')
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

export type ValidationResult = { ok: true; lead: NormalisedLead } | { ok: false; errors: RowError[] };

/** U+FFFD is what a UTF-8 decoder puts in place of bytes that are not UTF-8 (e.g. a Latin-1 export). */
export const NOT_UTF8_REASON = 'contains bytes that are not valid UTF-8 (save the file as UTF-8)';

export function validateRow(mapped: MappedRow, source: SourceContext): ValidationResult {
  const errors: RowError[] = [];
  const err = (field: string, value: string | undefined, reason: string) =>
    errors.push({ row: mapped.row, field, value: value ?? '', reason });
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
    // Only one name given: Salesforce needs LastName, so use it there rather than reject the lead.
    lastName = firstName;
    firstName = undefined;
  }

  let country: string | undefined;
  if (v.country !== undefined) {
    const c = normaliseCountry(v.country);
    if (c.ok) country = c.value;
    else err('country', v.country, c.reason);
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
    err(field, raw, p.reason);
    return undefined;
  };
  const phoneE164 = phone('phone');
  const mobileE164 = phone('mobilePhone');
  if (!email && !phoneE164 && !mobileE164 && v.email === undefined && v.phone === undefined && v.mobilePhone === undefined) {
    err('email', '', 'an email or a phone number is required to contact and de-duplicate the lead');
  }

  let website: string | undefined;
  if (v.website !== undefined) {
    const w = normaliseWebsite(v.website);
    if (w.ok) website = w.value;
    else err('website', v.website, w.reason);
  }

  const number = (field: CanonicalField, integer: boolean): number | undefined => {
    const raw = v[field];
    if (raw === undefined) return undefined;
    const cleaned = raw.replace(/[\s,_]/g, '').replace(/^[$€£]/, '');
    const n = Number(cleaned);
    if (cleaned === '' || !Number.isFinite(n)) {
      err(field, raw, 'not a number');
      return undefined;
    }
    return integer ? n : Math.round(n * 100) / 100;
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
    NumberOfEmployees: number('numberOfEmployees', true),
    AnnualRevenue: number('annualRevenue', false),
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
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };

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
  return { ok: true, lead };
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
