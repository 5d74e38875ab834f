/**
 * De-duplication: within a batch (same source record, then same email, then same person at the same
 * company/domain) and against the org's existing Leads and Contacts. The query builders batch values
 * into IN lists of at most 200 (escaped with src/salesforce/soql.ts); matching itself is pure.
 */
import { soqlIn } from '../salesforce/soql';
import type { DedupeConfig } from './config';
import { companyDomainFromEmail, companyKey, normaliseWebsite, personKey } from './normalize';
import type { LeadFields, NormalisedLead } from './validate';

export const MATCH_IN_LIMIT = 200;

export interface MergedRow {
  row: number;
  intoRow: number;
  key: 'record' | 'email' | 'domainAndName';
  /** The merged row itself, so the caller can record it in the ledger. */
  lead: NormalisedLead;
}

const nameKey = (l: NormalisedLead) => personKey(l.fields.FirstName, l.fields.LastName);

/** Keys under which a lead can be found, in priority order. */
function batchKeys(lead: NormalisedLead, keys: DedupeConfig['keys']): { kind: MergedRow['key']; key: string }[] {
  const out: { kind: MergedRow['key']; key: string }[] = [{ kind: 'record', key: lead.fields.Source_External_Id__c }];
  if (keys.includes('email') && lead.fields.Email) out.push({ kind: 'email', key: lead.fields.Email });
  if (keys.includes('domainAndName')) {
    // Same person name at the same company domain; only rows without any domain fall back to the
    // normalised company name (two "Ana Pop"s with addresses at different domains are different people).
    const person = nameKey(lead);
    if (lead.domain) out.push({ kind: 'domainAndName', key: `d:${lead.domain}|${person}` });
    else {
      const company = companyKey(lead.fields.Company);
      if (company) out.push({ kind: 'domainAndName', key: `c:${company}|${person}` });
    }
  }
  return out;
}

const isNewer = (a: NormalisedLead, b: NormalisedLead): boolean =>
  // Without timestamps the later row in the file wins (exports list the latest state last).
  a.updatedAt && b.updatedAt ? a.updatedAt >= b.updatedAt : a.row >= b.row;

/** Fills/overrides survivor fields with the other row's non-empty values when that row is newer. */
function mergeInto(survivor: NormalisedLead, other: NormalisedLead): NormalisedLead {
  const otherNewer = isNewer(other, survivor);
  const fields: Record<string, unknown> = { ...survivor.fields };
  for (const [k, v] of Object.entries(other.fields)) {
    if (k === 'Source_External_Id__c' || k === 'Source_System__c') continue;
    if (v === undefined || v === '') continue;
    if (fields[k] === undefined || fields[k] === '' || otherNewer) fields[k] = v;
  }
  return {
    ...survivor,
    fields: fields as unknown as LeadFields,
    campaign: (otherNewer ? (other.campaign ?? survivor.campaign) : (survivor.campaign ?? other.campaign)) ?? null,
    domain: survivor.domain ?? other.domain,
    updatedAt: otherNewer ? other.updatedAt ?? survivor.updatedAt : survivor.updatedAt,
    events: [...survivor.events, ...other.events]
  };
}

/** Collapses duplicates inside one batch; the first occurrence survives with the newest non-empty values. */
export function dedupeWithinBatch(
  leads: readonly NormalisedLead[],
  keys: DedupeConfig['keys']
): { survivors: NormalisedLead[]; merged: MergedRow[] } {
  const survivors: NormalisedLead[] = [];
  const merged: MergedRow[] = [];
  const index = new Map<string, number>();
  for (const lead of leads) {
    const ks = batchKeys(lead, keys);
    const hit = ks.map((k) => ({ ...k, at: index.get(k.key) })).find((k) => k.at !== undefined);
    if (hit && hit.at !== undefined) {
      const survivor = survivors[hit.at]!;
      survivors[hit.at] = mergeInto(survivor, lead);
      merged.push({ row: lead.row, intoRow: survivor.row, key: hit.kind, lead });
      for (const k of batchKeys(survivors[hit.at]!, keys)) if (!index.has(k.key)) index.set(k.key, hit.at);
      continue;
    }
    const at = survivors.push(lead) - 1;
    for (const k of ks) if (!index.has(k.key)) index.set(k.key, at);
  }
  return { survivors, merged };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Lead fields we may update on a matched lead (and therefore select). */
export const UPDATABLE_LEAD_FIELDS = [
  'FirstName', 'LastName', 'Company', 'Email', 'Phone', 'MobilePhone', 'Website', 'Title', 'Street', 'City', 'State',
  'PostalCode', 'Country', 'Industry', 'NumberOfEmployees', 'AnnualRevenue', 'Product_Interest__c', 'LeadSource', 'Description'
] as const;

export interface OrgLead {
  Id: string;
  Email?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  Company?: string | null;
  Website?: string | null;
  Source_External_Id__c?: string | null;
  LastModifiedDate?: string | null;
  IsConverted?: boolean | null;
  ConvertedContactId?: string | null;
  ConvertedAccountId?: string | null;
  [field: string]: unknown;
}
export interface OrgContact {
  Id: string;
  Email?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  AccountId?: string | null;
  [field: string]: unknown;
}

const LEAD_COLUMNS = `Id, Source_External_Id__c, LastModifiedDate, ${UPDATABLE_LEAD_FIELDS.join(', ')}`;
const LEAD_SELECT = `SELECT ${LEAD_COLUMNS} FROM Lead WHERE IsConverted = false`;
/**
 * Our own external ids are looked up converted or not: a converted lead keeps its Source_External_Id__c, and
 * upserting onto it fails with CANNOT_UPDATE_CONVERTED_LEAD, so the row must go to its Contact instead.
 */
const OWN_LEAD_SELECT = `SELECT ${LEAD_COLUMNS}, IsConverted, ConvertedContactId, ConvertedAccountId FROM Lead`;

/**
 * SOQL to find candidate matches for a batch: Leads by email or our own external id, Leads by last name
 * (for the domain + name key), Contacts by email. Each IN list holds at most 200 values.
 */
export function buildMatchQueries(leads: readonly NormalisedLead[], keys: DedupeConfig['keys']): { lead: string[]; contact: string[] } {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const emails = keys.includes('email') ? uniq(leads.map((l) => l.fields.Email)) : [];
  const extIds = uniq(leads.map((l) => l.fields.Source_External_Id__c));
  const lastNames = keys.includes('domainAndName') ? uniq(leads.map((l) => l.fields.LastName)) : [];
  const lead: string[] = [];
  for (const ids of chunk(extIds, MATCH_IN_LIMIT)) lead.push(`${OWN_LEAD_SELECT} WHERE Source_External_Id__c IN ${soqlIn(ids)}`);
  // Converted leads too: a person whose lead was converted is followed to the Contact it became.
  for (const es of chunk(emails, MATCH_IN_LIMIT)) lead.push(`${OWN_LEAD_SELECT} WHERE Email IN ${soqlIn(es)}`);
  for (const ns of chunk(lastNames, MATCH_IN_LIMIT)) lead.push(`${LEAD_SELECT} AND LastName IN ${soqlIn(ns)}`);
  const contact = chunk(emails, MATCH_IN_LIMIT).map(
    (es) => `SELECT Id, Email, FirstName, LastName, AccountId FROM Contact WHERE Email IN ${soqlIn(es)}`
  );
  return { lead, contact };
}

export type OrgMatch =
  | { kind: 'none' }
  | { kind: 'own'; leadId: string }
  /** Our own lead, already converted: the row belongs to its Contact (and Account). */
  | { kind: 'converted'; leadId: string; contactId: string; accountId: string | null }
  | { kind: 'lead'; lead: OrgLead; key: 'email' | 'domainAndName' }
  | { kind: 'contact'; contact: OrgContact };

/**
 * The keys an existing, unconverted org lead is found under by the domainAndName rule: the same person at its
 * company domain (website, else a non-free-mail email domain) and at its normalised company name. A converted
 * lead has none: it is found through the Contact it became. createOrgMatcher and the store's match-key cache
 * (match-cache.ts, which looks candidates up by these keys) share this definition.
 */
export function orgLeadNameKeys(l: OrgLead): string[] {
  if (l.IsConverted) return [];
  const person = personKey(l.FirstName, l.LastName ?? '');
  const website = l.Website ? normaliseWebsite(l.Website) : null;
  const domain = website?.ok ? website.value : l.Email ? companyDomainFromEmail(l.Email.toLowerCase()) : null;
  const out: string[] = [];
  if (domain) out.push(`d:${domain}|${person}`);
  if (l.Company) out.push(`c:${companyKey(l.Company)}|${person}`);
  return out;
}

/** The domainAndName key a row looks org leads up by (its domain when it has one, else its company name). */
export function rowNameKey(lead: NormalisedLead): string {
  const person = nameKey(lead);
  return lead.domain ? `d:${lead.domain}|${person}` : `c:${companyKey(lead.fields.Company)}|${person}`;
}

/** Indexes org records once per batch for O(1) matching. */
export function createOrgMatcher(orgLeads: readonly OrgLead[], orgContacts: readonly OrgContact[], keys: DedupeConfig['keys']) {
  const byExtId = new Map<string, OrgLead>();
  const leadByEmail = new Map<string, OrgLead>();
  const leadByName = new Map<string, OrgLead>();
  const contactByEmail = new Map<string, OrgContact>();
  /** Converted leads by email, and by the (15-character) Id of the Contact they became. */
  const convertedByEmail = new Map<string, OrgLead>();
  const convertedByContact = new Map<string, OrgLead>();
  for (const l of orgLeads) {
    if (l.Source_External_Id__c) byExtId.set(l.Source_External_Id__c, l);
    // A converted lead is never written to: the row goes to the Contact it became.
    if (l.IsConverted) {
      if (!l.ConvertedContactId) continue;
      convertedByContact.set(l.ConvertedContactId.slice(0, 15), l);
      if (l.Email && !convertedByEmail.has(l.Email.toLowerCase())) convertedByEmail.set(l.Email.toLowerCase(), l);
      continue;
    }
    if (l.Email && !leadByEmail.has(l.Email.toLowerCase())) leadByEmail.set(l.Email.toLowerCase(), l);
    for (const key of orgLeadNameKeys(l)) leadByName.set(key, l);
  }
  for (const c of orgContacts) if (c.Email && !contactByEmail.has(c.Email.toLowerCase())) contactByEmail.set(c.Email.toLowerCase(), c);

  const converted = (l: OrgLead): OrgMatch => ({
    kind: 'converted',
    leadId: l.Id,
    contactId: l.ConvertedContactId!,
    accountId: l.ConvertedAccountId ?? null
  });
  return (lead: NormalisedLead): OrgMatch => {
    const own = byExtId.get(lead.fields.Source_External_Id__c);
    if (own?.IsConverted && own.ConvertedContactId) return converted(own);
    if (own) return { kind: 'own', leadId: own.Id };
    const email = lead.fields.Email;
    if (keys.includes('email') && email) {
      const contact = contactByEmail.get(email);
      // The Contact a converted lead became is that person: update it, as for our own converted lead.
      const convertedLead = contact ? convertedByContact.get(contact.Id.slice(0, 15)) : convertedByEmail.get(email);
      if (convertedLead) return converted(convertedLead);
      if (contact) return { kind: 'contact', contact };
      const l = leadByEmail.get(email);
      if (l) return { kind: 'lead', lead: l, key: 'email' };
    }
    if (keys.includes('domainAndName')) {
      const l = leadByName.get(rowNameKey(lead));
      if (l) return { kind: 'lead', lead: l, key: 'domainAndName' };
    }
    return { kind: 'none' };
  };
}

/**
 * The update for a matched existing lead: blanks are filled; populated values are replaced only when
 * the incoming row is newer than the lead's LastModifiedDate (or carries no timestamp). Returns null
 * when nothing would change. The existing lead keeps its own source identity.
 */
export function newerValues(existing: OrgLead, incoming: NormalisedLead): Record<string, unknown> | null {
  const incomingNewer =
    !incoming.updatedAt || !existing.LastModifiedDate || new Date(incoming.updatedAt) > new Date(existing.LastModifiedDate);
  const changes: Record<string, unknown> = {};
  for (const field of UPDATABLE_LEAD_FIELDS) {
    const v = (incoming.fields as unknown as Record<string, unknown>)[field];
    if (v === undefined || v === null || v === '') continue;
    const current = existing[field];
    const blank = current === undefined || current === null || current === '';
    if (blank || (incomingNewer && !sameValue(current, v))) changes[field] = v;
  }
  return Object.keys(changes).length > 0 ? { Id: existing.Id, ...changes } : null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
}

/**
 * Lead field -> Contact field, as Salesforce's standard lead field mapping copies them at conversion. Only
 * these are written to the Contact of a converted lead; company-level fields (Company, Website, Industry...)
 * belong to the Account, which ingest leaves to sales, and LeadSource/Description keep the values the
 * conversion copied (the person's original attribution).
 */
export const LEAD_TO_CONTACT_FIELDS: Readonly<Record<string, string>> = {
  FirstName: 'FirstName',
  LastName: 'LastName',
  Email: 'Email',
  Phone: 'Phone',
  MobilePhone: 'MobilePhone',
  Title: 'Title',
  Street: 'MailingStreet',
  City: 'MailingCity',
  State: 'MailingState',
  PostalCode: 'MailingPostalCode',
  Country: 'MailingCountry'
};

/** SOQL for the Contacts of converted leads (fields ingest may update), at most 200 ids per query. */
export function buildContactQueries(contactIds: readonly string[]): string[] {
  const columns = ['Id', 'AccountId', 'LastModifiedDate', ...new Set(Object.values(LEAD_TO_CONTACT_FIELDS))].join(', ');
  return chunk([...new Set(contactIds)], MATCH_IN_LIMIT).map((ids) => `SELECT ${columns} FROM Contact WHERE Id IN ${soqlIn(ids)}`);
}

/**
 * The update for the Contact of a converted lead, with the same rule as newerValues for leads: blanks are
 * filled, populated values replaced only when the row is newer than the Contact. Null when nothing changes.
 */
export function contactValues(existing: OrgContact & { LastModifiedDate?: string | null }, incoming: NormalisedLead): Record<string, unknown> | null {
  const incomingNewer =
    !incoming.updatedAt || !existing.LastModifiedDate || new Date(incoming.updatedAt) > new Date(existing.LastModifiedDate);
  const changes: Record<string, unknown> = {};
  for (const [leadField, contactField] of Object.entries(LEAD_TO_CONTACT_FIELDS)) {
    const v = (incoming.fields as unknown as Record<string, unknown>)[leadField];
    if (v === undefined || v === null || v === '') continue;
    const current = existing[contactField];
    const blank = current === undefined || current === null || current === '';
    if (blank || (incomingNewer && !sameValue(current, v))) changes[contactField] = v;
  }
  return Object.keys(changes).length > 0 ? { Id: existing.Id, ...changes } : null;
}
