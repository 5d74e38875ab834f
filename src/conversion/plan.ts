/**
 * Conversion planning: which leads to convert, and for each one which Account/Contact it lands on and
 * what Opportunity it gets. Matching queries are batched (200 values per IN list) and every value is
 * escaped. Nothing is written here: `--dry-run` prints this plan as it is.
 */
import { z } from 'zod';
import { soqlIdentifier, soqlIn, soqlLikeValue, soqlString } from '../salesforce/soql';
import type { OrgClient } from '../salesforce/types';
import type { ConversionConfig } from './config';
import { decideMatch, leadDomain } from './matching';
import { normaliseCompanyName } from './matching-keys';
import { leadReasons, loadPreviewContext, mappedLeadFields, orgReasons } from './preview';
import { reason, reasonLine, type PreviewReason } from './reasons';

const IN_CHUNK = 200;

export const LEAD_FIELDS = [
  'Id', 'FirstName', 'LastName', 'Company', 'Email', 'Website', 'OwnerId', 'LeadSource', 'Status', 'Lead_Grade__c',
  'Qualification_Status__c', 'Budget_Amount__c', 'Purchase_Timeline__c', 'Product_Interest__c', 'Industry'
];

const leadSchema = z
  .object({
    Id: z.string(),
    FirstName: z.string().nullish(),
    LastName: z.string(),
    Company: z.string(),
    Email: z.string().nullish(),
    Website: z.string().nullish(),
    OwnerId: z.string().nullish(),
    Budget_Amount__c: z.number().nullish(),
    Purchase_Timeline__c: z.string().nullish()
  })
  .passthrough();
export type ConvertibleLead = z.infer<typeof leadSchema>;

const accountSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Website: z.string().nullish(),
  Website_Domain__c: z.string().nullish(),
  CreatedDate: z.string()
});
type AccountRow = z.infer<typeof accountSchema>;
const contactSchema = z.object({ Id: z.string(), AccountId: z.string().nullish(), Email: z.string().nullish() });

export type AccountDecision =
  | { action: 'existing'; accountId: string; accountName: string; matchedBy: 'domain' | 'name' }
  | { action: 'new'; accountName: string; domain: string | null; nameKey: string | null };

export interface LeadPlan {
  leadId: string;
  leadName: string;
  company: string;
  account: AccountDecision | null;
  contact: { action: 'existing'; contactId: string } | { action: 'new' } | null;
  opportunity: { name: string; stage: string; amount: number | null; closeDate: string } | null;
  /** Set when the lead is not converted in this run, with the reason. */
  skipReason: string | null;
  /** Every reason the conversion of this lead would fail (blocking) or create a duplicate (not blocking). */
  reasons: PreviewReason[];
}

export interface ConversionPlan {
  /** '' when the org has no usable converted status (then `reasons` says why and runConvert refuses to execute). */
  convertedStatus: string;
  opportunityStage: string;
  /** Reasons that stop every conversion of this run (converted status, field mapping types). */
  reasons: PreviewReason[];
  /** Not blocking: Lead_Field_Mapping__mdt records left out of the preview (by DeveloperName), or the type missing. */
  warnings: string[];
  leads: LeadPlan[];
}

export class ConversionError extends Error {
  constructor(
    public readonly code: 'NO_CONVERTED_STATUS' | 'NO_OPEN_STAGE' | 'BAD_FILTER' | 'PREVIEW_REFUSED',
    message: string
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function selectConvertibleSoql(config: ConversionConfig, limit?: number, extraFields: string[] = []): string {
  const where = ['IsConverted = false', "Qualification_Status__c = 'Qualified'"];
  if (config.onlyGrades.length > 0) where.push(`Lead_Grade__c IN ${soqlIn(config.onlyGrades)}`);
  for (const [field, value] of Object.entries(config.filters)) where.push(`${soqlIdentifier(field)} = ${soqlString(value)}`);
  const fields = [...new Set([...LEAD_FIELDS, ...extraFields.map(soqlIdentifier)])];
  return `SELECT ${fields.join(', ')} FROM Lead WHERE ${where.join(' AND ')} ORDER BY CreatedDate, Id${
    limit ? ` LIMIT ${Math.floor(limit)}` : ''
  }`;
}

/** The org's converted lead status (LeadStatus.IsConverted), as the Apex docs recommend. */
export async function convertedStatus(org: OrgClient): Promise<string> {
  const rows = await org.rest.query<{ MasterLabel: string }>(
    'SELECT MasterLabel FROM LeadStatus WHERE IsConverted = true ORDER BY SortOrder LIMIT 1'
  );
  if (!rows[0]) throw new ConversionError('NO_CONVERTED_STATUS', 'The org has no converted Lead Status (LeadStatus.IsConverted = true)');
  return rows[0].MasterLabel;
}

/** The status converted leads get, or the reason there is none (the configured one is not marked Converted). */
async function checkConvertedStatus(
  org: OrgClient,
  configured: string | undefined
): Promise<{ status: string | null; reasons: PreviewReason[] }> {
  const rows = await org.rest.query<{ MasterLabel: string; ApiName?: string | null }>(
    'SELECT MasterLabel, ApiName FROM LeadStatus WHERE IsConverted = true ORDER BY SortOrder'
  );
  if (rows.length === 0) return { status: null, reasons: [reason('NO_CONVERTED_STATUS', 'Lead.Status', [])] };
  if (configured === undefined) return { status: rows[0]!.MasterLabel, reasons: [] };
  const hit = rows.find((r) => r.MasterLabel === configured || r.ApiName === configured);
  if (hit) return { status: hit.MasterLabel, reasons: [] };
  const valid = rows.map((r) => r.MasterLabel).join(', ');
  return { status: null, reasons: [reason('CONVERTED_STATUS_INVALID', 'Lead.Status', [configured, valid])] };
}

export async function firstOpenStage(org: OrgClient): Promise<string> {
  const rows = await org.rest.query<{ ApiName?: string; MasterLabel: string }>(
    'SELECT MasterLabel, ApiName FROM OpportunityStage WHERE IsActive = true AND IsClosed = false ORDER BY SortOrder LIMIT 1'
  );
  if (!rows[0]) throw new ConversionError('NO_OPEN_STAGE', 'The org has no active open Opportunity stage');
  return rows[0].ApiName ?? rows[0].MasterLabel;
}

/** Existing accounts by domain (Website_Domain__c) and by normalised name, in batched queries. */
async function findAccounts(
  org: OrgClient,
  domains: string[],
  companyNames: string[]
): Promise<{ byDomain: Map<string, AccountRow[]>; byName: Map<string, AccountRow[]> }> {
  const byDomain = new Map<string, AccountRow[]>();
  const byName = new Map<string, AccountRow[]>();
  const add = (map: Map<string, AccountRow[]>, key: string, row: AccountRow) => {
    const list = map.get(key) ?? [];
    if (!list.some((r) => r.Id === row.Id)) list.push(row);
    map.set(key, list);
  };
  const fields = 'Id, Name, Website, Website_Domain__c, CreatedDate';
  for (const chunk of chunks(domains, IN_CHUNK)) {
    const rows = await org.rest.query(`SELECT ${fields} FROM Account WHERE Website_Domain__c IN ${soqlIn(chunk)}`);
    for (const raw of rows) {
      const row = accountSchema.parse(raw);
      if (row.Website_Domain__c) add(byDomain, row.Website_Domain__c.toLowerCase(), row);
    }
  }
  // Names: a prefix LIKE on each company's first word finds "Acme Inc" for "ACME, Inc."; the exact
  // comparison is then done on the normalised name here. 50 names per query keeps the SOQL short.
  const prefixes = [...new Set(companyNames.map((n) => n.split(' ')[0]!).filter((p) => p.length > 0))];
  for (const chunk of chunks(prefixes, 50)) {
    const where = chunk.map((p) => `Name LIKE '${soqlLikeValue(p)}%'`).join(' OR ');
    const rows = await org.rest.query(`SELECT ${fields} FROM Account WHERE ${where}`);
    for (const raw of rows) {
      const row = accountSchema.parse(raw);
      const key = normaliseCompanyName(row.Name);
      if (key) add(byName, key, row);
    }
  }
  return { byDomain, byName };
}

function addDays(today: Date, days: number): string {
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

export function opportunityName(template: string, lead: Record<string, unknown>): string {
  const name = template
    .replace(/\{([A-Za-z0-9_]+)\}/g, (_, field: string) => {
      const value = lead[field];
      return value === null || value === undefined ? '' : String(value);
    })
    .replace(/\s+-\s*$/, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return (name || String(lead.Company ?? 'Opportunity')).slice(0, 120);
}

export async function buildPlan(
  org: OrgClient,
  config: ConversionConfig,
  opts: { limit?: number; today: Date; excludeLeadIds?: Set<string> }
): Promise<ConversionPlan> {
  const [status, stage, preview] = await Promise.all([
    checkConvertedStatus(org, config.convertedStatus),
    config.opportunity.stage ?? firstOpenStage(org),
    loadPreviewContext(org, config)
  ]);
  const planReasons = [
    ...status.reasons,
    ...orgReasons(preview, config.opportunity.create ? ['Account', 'Contact', 'Opportunity'] : ['Account', 'Contact']).filter(
      (r) => r.code === 'TYPE_MISMATCH'
    )
  ];
  const raw = await org.rest.query(selectConvertibleSoql(config, opts.limit, mappedLeadFields(preview)));
  const leads = raw.map((r) => leadSchema.parse(r)).filter((l) => !opts.excludeLeadIds?.has(l.Id));

  const domains = [...new Set(leads.map((l) => leadDomain(l, config.personalEmailDomains)).filter((d): d is string => !!d))];
  const names = [...new Set(leads.map((l) => normaliseCompanyName(l.Company)).filter((n): n is string => !!n))];
  const { byDomain, byName } = await findAccounts(org, domains, names);

  // Contacts by email, to reuse one that already sits under the matched account.
  const emails = [...new Set(leads.map((l) => l.Email?.trim()).filter((e): e is string => !!e))];
  const contactsByEmail = new Map<string, z.infer<typeof contactSchema>[]>();
  for (const chunk of chunks(emails, IN_CHUNK)) {
    const rows = await org.rest.query(`SELECT Id, AccountId, Email FROM Contact WHERE Email IN ${soqlIn(chunk)}`);
    for (const r of rows) {
      const c = contactSchema.parse(r);
      const key = c.Email?.trim().toLowerCase();
      if (key) contactsByEmail.set(key, [...(contactsByEmail.get(key) ?? []), c]);
    }
  }

  const accountById = new Map<string, AccountRow>();
  for (const row of [...byDomain.values(), ...byName.values()].flat()) accountById.set(row.Id, row);

  const plans: LeadPlan[] = leads.map((lead) => {
    const base = {
      leadId: lead.Id,
      leadName: [lead.FirstName, lead.LastName].filter(Boolean).join(' '),
      company: lead.Company
    };
    // The shared matching definition (./matching.ts, MatchingVectors.json), fed with this lead's candidates.
    const domain = leadDomain(lead, config.personalEmailDomains);
    const nameKey = normaliseCompanyName(lead.Company);
    const candidates = [...(domain ? (byDomain.get(domain) ?? []) : []), ...(nameKey ? (byName.get(nameKey) ?? []) : [])];
    const sameEmail = lead.Email ? (contactsByEmail.get(lead.Email.trim().toLowerCase()) ?? []) : [];
    const match = decideMatch(lead, candidates, sameEmail, config.personalEmailDomains);
    let chosen = match.accountId ? accountById.get(match.accountId) : undefined;
    if (match.ambiguous.length > 0 && config.ambiguousAccount === 'oldest') {
      chosen = match.ambiguous
        .map((id) => accountById.get(id)!)
        .sort((a, b) => a.CreatedDate.localeCompare(b.CreatedDate) || a.Id.localeCompare(b.Id))[0];
    } else if (match.ambiguous.length > 0) {
      const why =
        match.matchedBy === 'domain'
          ? `${match.ambiguous.length} accounts have domain ${domain}`
          : `${match.ambiguous.length} accounts are named like "${lead.Company}"`;
      const field = match.matchedBy === 'domain' ? 'Account.Website_Domain__c' : 'Account.Name';
      const by = match.matchedBy === 'domain' ? `domain ${domain}` : `name "${lead.Company}"`;
      const ambiguous = reason('AMBIGUOUS_ACCOUNT', field, [match.ambiguous.length, by, match.ambiguous.join(', ')]);
      return { ...base, account: null, contact: null, opportunity: null, skipReason: `ambiguous account: ${why} (${match.ambiguous.join(', ')})`, reasons: [ambiguous] };
    }
    const account: AccountDecision = chosen
      ? { action: 'existing', accountId: chosen.Id, accountName: chosen.Name, matchedBy: match.matchedBy ?? 'name' }
      : { action: 'new', accountName: lead.Company, domain, nameKey };
    const existingContact =
      account.action === 'existing' ? sameEmail.find((c) => c.AccountId === account.accountId) : undefined;
    const targets = [
      ...(account.action === 'new' ? (['Account'] as const) : []),
      ...(existingContact ? [] : (['Contact'] as const)),
      ...(config.opportunity.create ? (['Opportunity'] as const) : [])
    ];
    const reasons = [
      ...orgReasons(preview, targets).filter((r) => r.code === 'REQUIRED_FIELD_UNMAPPED'),
      ...leadReasons(preview, lead, targets),
      ...(existingContact
        ? []
        : match.duplicateContactIds.map((id) => {
            const other = sameEmail.find((c) => c.Id === id);
            return reason('DUPLICATE_CONTACT', 'Contact.Email', [id, lead.Email ?? '', other?.AccountId ?? 'no account']);
          }))
    ];
    const blocking = reasons.filter((r) => r.blocking);
    const timeline = lead.Purchase_Timeline__c ?? '';
    const closeIn = config.opportunity.closeInDays[timeline] ?? config.opportunity.defaultCloseInDays;
    const amountValue = (lead as Record<string, unknown>)[config.opportunity.amountField];
    return {
      ...base,
      account,
      contact: existingContact ? { action: 'existing', contactId: existingContact.Id } : { action: 'new' },
      opportunity: config.opportunity.create
        ? {
            name: opportunityName(config.opportunity.nameTemplate, lead),
            stage,
            amount: typeof amountValue === 'number' ? amountValue : null,
            closeDate: addDays(opts.today, closeIn)
          }
        : null,
      skipReason: blocking.length > 0 ? blocking.map(reasonLine).join(' ') : null,
      reasons
    };
  });

  return { convertedStatus: status.status ?? '', opportunityStage: stage, reasons: planReasons, warnings: preview.warnings, leads: plans };
}
