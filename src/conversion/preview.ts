/**
 * The convert preview's checks against the org's describe (docs/conversion.md, "What the preview checks"):
 * the converted status, required fields the lead mapping leaves empty, and mapped values that do not fit their
 * target field (length, type). Matching reasons (ambiguous account, duplicate contact) come from ./matching.ts.
 */
import type { FieldDescribe, OrgClient } from '../salesforce/types';
import type { MappingTarget } from './lead-field-mappings';
import type { ConversionConfig } from './config';
import { configMappings, loadLeadFieldMappings, mergeFieldMappings, type DeclaredMapping } from './lead-field-mappings';
import { reason, type PreviewReason } from './reasons';

type Target = MappingTarget;

/** Salesforce's standard lead field mapping (the one the org applies at convertLead), target field -> Lead field. */
export const STANDARD_MAPPING: Readonly<Record<Target, Readonly<Record<string, string>>>> = {
  Account: {
    Name: 'Company', BillingStreet: 'Street', BillingCity: 'City', BillingState: 'State', BillingPostalCode: 'PostalCode',
    BillingCountry: 'Country', Phone: 'Phone', Fax: 'Fax', Website: 'Website', Industry: 'Industry',
    AnnualRevenue: 'AnnualRevenue', NumberOfEmployees: 'NumberOfEmployees', Rating: 'Rating', AccountSource: 'LeadSource'
  },
  Contact: {
    Salutation: 'Salutation', FirstName: 'FirstName', LastName: 'LastName', Title: 'Title', Email: 'Email', Phone: 'Phone',
    MobilePhone: 'MobilePhone', Fax: 'Fax', LeadSource: 'LeadSource', Description: 'Description', MailingStreet: 'Street',
    MailingCity: 'City', MailingState: 'State', MailingPostalCode: 'PostalCode', MailingCountry: 'Country',
    HasOptedOutOfEmail: 'HasOptedOutOfEmail', HasOptedOutOfFax: 'HasOptedOutOfFax', DoNotCall: 'DoNotCall'
  },
  Opportunity: { LeadSource: 'LeadSource' }
};

/** Fields convertLead (or this service right after it) always fills, whatever the mapping. */
const FILLED_BY_CONVERSION: Readonly<Record<Target, readonly string[]>> = {
  Account: ['Name', 'OwnerId', 'Website_Domain__c'],
  Contact: ['LastName', 'AccountId', 'OwnerId'],
  Opportunity: ['Name', 'StageName', 'CloseDate', 'AccountId', 'OwnerId', 'Amount', 'ContactId']
};

const TEXT = new Set(['string', 'textarea', 'email', 'url', 'phone', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER = new Set(['double', 'currency', 'percent', 'int', 'long']);

function typeGroup(type: string): string {
  if (TEXT.has(type)) return 'text';
  if (NUMBER.has(type)) return 'number';
  return type;
}

export interface FieldMapping {
  /** "Object.Field" -> Lead field: the standard mapping, replaced per target by the declared custom mappings. */
  pairs: { target: Target; field: string; leadField: string }[];
}

/**
 * Salesforce's standard mapping, then the custom mappings (Lead_Field_Mapping__mdt merged with
 * conversion.fieldMapping, see ./lead-field-mappings.ts); a custom mapping of a target replaces the standard one.
 */
export function effectiveMapping(custom: readonly DeclaredMapping[]): FieldMapping {
  const pairs: FieldMapping['pairs'] = [];
  const add = (target: Target, field: string, leadField: string) => {
    const key = `${target}.${field}`.toLowerCase();
    const existing = pairs.findIndex((p) => `${p.target}.${p.field}`.toLowerCase() === key);
    if (existing >= 0) pairs.splice(existing, 1);
    pairs.push({ target, field, leadField });
  };
  for (const target of ['Account', 'Contact', 'Opportunity'] as const) {
    for (const [field, leadField] of Object.entries(STANDARD_MAPPING[target])) add(target, field, leadField);
  }
  for (const m of custom) add(m.target, m.field, m.leadField);
  return { pairs };
}

export interface PreviewContext {
  describe: Record<Target | 'Lead', Map<string, FieldDescribe>>;
  mapping: FieldMapping;
  /** Lead_Field_Mapping__mdt records left out, or the type missing from the org. */
  warnings: string[];
}

async function fieldsOf(org: OrgClient, type: string): Promise<Map<string, FieldDescribe>> {
  const d = await org.describe.sobject(type);
  return new Map(d.fields.map((f) => [f.name.toLowerCase(), f]));
}

/** Four describes and one Lead_Field_Mapping__mdt query; throws ConfigError when the org and config disagree. */
export async function loadPreviewContext(org: OrgClient, config: ConversionConfig): Promise<PreviewContext> {
  const [declared, [Lead, Account, Contact, Opportunity]] = await Promise.all([
    loadLeadFieldMappings(org),
    Promise.all(['Lead', 'Account', 'Contact', 'Opportunity'].map((t) => fieldsOf(org, t)))
  ]);
  const custom = mergeFieldMappings(declared.mappings, configMappings(config.fieldMapping));
  return {
    describe: { Lead: Lead!, Account: Account!, Contact: Contact!, Opportunity: Opportunity! },
    mapping: effectiveMapping(custom),
    warnings: declared.warnings
  };
}

/** Mapped lead fields the plan must read. */
export function mappedLeadFields(ctx: PreviewContext): string[] {
  return [...new Set(ctx.mapping.pairs.map((p) => p.leadField))].filter((f) => ctx.describe.Lead.has(f.toLowerCase()));
}

/** Org-level reasons: required target fields nothing fills, and mappings whose types cannot match. */
export function orgReasons(ctx: PreviewContext, targets: readonly Target[]): PreviewReason[] {
  const reasons: PreviewReason[] = [];
  for (const target of targets) {
    for (const f of ctx.describe[target].values()) {
      if (!f.createable || f.nillable !== false || f.defaultedOnCreate || f.type === 'boolean') continue;
      if (FILLED_BY_CONVERSION[target].some((n) => n.toLowerCase() === f.name.toLowerCase())) continue;
      const mapped = ctx.mapping.pairs.some((p) => p.target === target && p.field.toLowerCase() === f.name.toLowerCase());
      if (!mapped) reasons.push(reason('REQUIRED_FIELD_UNMAPPED', `${target}.${f.name}`, [`${target}.${f.name}`]));
    }
  }
  for (const p of ctx.mapping.pairs) {
    if (!targets.includes(p.target)) continue;
    const to = ctx.describe[p.target].get(p.field.toLowerCase());
    const from = ctx.describe.Lead.get(p.leadField.toLowerCase());
    if (!to || !from) continue;
    if (typeGroup(from.type) !== typeGroup(to.type)) {
      reasons.push(reason('TYPE_MISMATCH', `${p.target}.${to.name}`, [`${p.target}.${to.name}`, `Lead.${from.name}`, from.type, to.type]));
    }
  }
  return reasons;
}

/** Per-lead reasons: a required mapped field the lead leaves empty, a value longer than its target field. */
export function leadReasons(ctx: PreviewContext, lead: Record<string, unknown>, targets: readonly Target[]): PreviewReason[] {
  const reasons: PreviewReason[] = [];
  const valueOf = (field: string): unknown => {
    const key = Object.keys(lead).find((k) => k.toLowerCase() === field.toLowerCase());
    return key === undefined ? undefined : lead[key];
  };
  for (const p of ctx.mapping.pairs) {
    if (!targets.includes(p.target)) continue;
    const to = ctx.describe[p.target].get(p.field.toLowerCase());
    const from = ctx.describe.Lead.get(p.leadField.toLowerCase());
    if (!to || !from) continue;
    const target = `${p.target}.${to.name}`;
    const value = valueOf(from.name);
    const empty = value === null || value === undefined || value === '';
    const filled = FILLED_BY_CONVERSION[p.target].some((n) => n.toLowerCase() === to.name.toLowerCase());
    if (empty && to.createable && to.nillable === false && !to.defaultedOnCreate && to.type !== 'boolean' && !filled) {
      reasons.push(reason('REQUIRED_FIELD_EMPTY', target, [target, `Lead.${from.name}`]));
    }
    if (!empty && typeof value === 'string' && TEXT.has(to.type) && (to.length ?? 0) > 0 && value.length > to.length!) {
      reasons.push(reason('VALUE_TOO_LONG', target, [target, `Lead.${from.name}`, value.length, to.length!]));
    }
  }
  return reasons;
}
