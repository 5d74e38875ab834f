/**
 * convertLead semantics: each lead is converted in its own transaction (account, contact and
 * opportunity are created or merged, then the lead is updated through the record layer's
 * systemUpdate so its validation rules run); a failure rolls back that lead only.
 */
import { z } from 'zod';
import type { OrgContext, SfError, SObjectRecord } from '../core/types';
import { SalesforceApiError } from '../core/types';
import { booleanOf, textOf, xmlElement } from './envelope';

export const MAX_LEAD_CONVERTS_PER_CALL = 100;

const leadConvertSchema = z.object({
  leadId: z.string().nullable(),
  convertedStatus: z.string().nullable(),
  accountId: z.string().nullable(),
  contactId: z.string().nullable(),
  opportunityId: z.string().nullable(),
  opportunityName: z.string().nullable(),
  ownerId: z.string().nullable(),
  doNotCreateOpportunity: z.boolean(),
  overwriteLeadSource: z.boolean()
});
export type LeadConvertRequest = z.infer<typeof leadConvertSchema>;

export interface LeadConvertResult {
  accountId: string | null;
  contactId: string | null;
  leadId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: SfError[];
}

/** Normalizes one `<leadConverts>` element (any element order, xsi:nil, empty elements). */
export function parseLeadConvert(element: unknown): LeadConvertRequest {
  const e = typeof element === 'object' && element !== null ? (element as Record<string, unknown>) : {};
  return leadConvertSchema.parse({
    leadId: textOf(e.leadId),
    convertedStatus: textOf(e.convertedStatus),
    accountId: textOf(e.accountId),
    contactId: textOf(e.contactId),
    opportunityId: textOf(e.opportunityId),
    opportunityName: textOf(e.opportunityName),
    ownerId: textOf(e.ownerId),
    doNotCreateOpportunity: booleanOf(e.doNotCreateOpportunity),
    overwriteLeadSource: booleanOf(e.overwriteLeadSource)
  });
}

/** Standard lead fields copied onto the new records (Salesforce's fixed standard mapping). */
const ACCOUNT_FROM_LEAD: Readonly<Record<string, string>> = {
  Name: 'Company',
  BillingStreet: 'Street',
  BillingCity: 'City',
  BillingState: 'State',
  BillingPostalCode: 'PostalCode',
  BillingCountry: 'Country',
  Phone: 'Phone',
  Fax: 'Fax',
  Website: 'Website',
  Industry: 'Industry',
  AnnualRevenue: 'AnnualRevenue',
  NumberOfEmployees: 'NumberOfEmployees',
  Rating: 'Rating',
  AccountSource: 'LeadSource'
};

const CONTACT_FROM_LEAD: Readonly<Record<string, string>> = {
  Salutation: 'Salutation',
  FirstName: 'FirstName',
  LastName: 'LastName',
  Title: 'Title',
  Email: 'Email',
  Phone: 'Phone',
  MobilePhone: 'MobilePhone',
  Fax: 'Fax',
  LeadSource: 'LeadSource',
  Description: 'Description',
  MailingStreet: 'Street',
  MailingCity: 'City',
  MailingState: 'State',
  MailingPostalCode: 'PostalCode',
  MailingCountry: 'Country',
  HasOptedOutOfEmail: 'HasOptedOutOfEmail',
  HasOptedOutOfFax: 'HasOptedOutOfFax',
  DoNotCall: 'DoNotCall'
};

export type ConvertContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'now'>;

/** Ends one lead's conversion with these errors and rolls back its transaction. */
class ConversionRefused extends Error {
  constructor(public readonly errors: SfError[]) {
    super(errors[0]?.message ?? 'conversion refused');
    this.name = 'ConversionRefused';
  }
}

function refuse(statusCode: string, message: string, fields: string[] = []): never {
  throw new ConversionRefused([{ statusCode, message, fields }]);
}

function failure(errors: SfError[]): LeadConvertResult {
  return { accountId: null, contactId: null, leadId: null, opportunityId: null, success: false, errors };
}

/** Case-insensitive read of a retrieved record's field. */
function fieldOf(record: SObjectRecord, name: string): unknown {
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Default CloseDate of the opportunity a conversion creates: the last day of the current quarter
 * (Salesforce uses the current fiscal quarter; the emulator's fiscal year starts in January).
 */
export function endOfQuarter(today: Date): string {
  const quarterEndMonth = Math.floor(today.getUTCMonth() / 3) * 3 + 3;
  return isoDate(new Date(Date.UTC(today.getUTCFullYear(), quarterEndMonth, 0)));
}

/** Copies the mapped lead values that exist on the target object and are not empty. */
function mapFields(
  ctx: ConvertContext,
  targetType: string,
  lead: SObjectRecord,
  mapping: Readonly<Record<string, string>>
): SObjectRecord {
  const target = ctx.schema.get(targetType);
  const out: SObjectRecord = {};
  for (const [targetField, leadField] of Object.entries(mapping)) {
    const value = fieldOf(lead, leadField);
    if (!isEmpty(value) && target?.fieldMap.has(targetField.toLowerCase())) out[targetField] = value;
  }
  return out;
}

/** Fields of `incoming` to write onto an existing record: only those empty there (Salesforce merge rule). */
function fillEmpty(
  existing: SObjectRecord,
  incoming: SObjectRecord,
  overwrite: readonly string[] = []
): SObjectRecord {
  const out: SObjectRecord = {};
  for (const [field, value] of Object.entries(incoming)) {
    if (overwrite.includes(field) || isEmpty(fieldOf(existing, field))) out[field] = value;
  }
  return out;
}

interface ReferenceData {
  convertedStatuses: { label: string; apiName: string }[];
  firstOpenStage: string | null;
}

/** Reads LeadStatus/OpportunityStage before any transaction starts (plain reads on the reference tables). */
async function loadReferenceData(ctx: ConvertContext): Promise<ReferenceData> {
  const statuses = await ctx.db.query<{ masterlabel: string; apiname: string | null }>(
    'SELECT masterlabel, apiname FROM sobj_leadstatus WHERE isconverted AND NOT isdeleted ORDER BY sortorder'
  );
  const stages = await ctx.db.query<{ masterlabel: string; apiname: string | null }>(
    'SELECT masterlabel, apiname FROM sobj_opportunitystage WHERE isactive AND NOT isclosed AND NOT isdeleted ORDER BY sortorder LIMIT 1'
  );
  const stage = stages.rows[0];
  return {
    convertedStatuses: statuses.rows.map((r) => ({
      label: r.masterlabel,
      apiName: r.apiname ?? r.masterlabel
    })),
    firstOpenStage: stage ? (stage.apiname ?? stage.masterlabel) : null
  };
}

function expectSaved(results: { success: boolean; id: string | null; errors: SfError[] }[]): string {
  const result = results[0];
  if (!result?.success || !result.id) throw new ConversionRefused(result?.errors ?? []);
  return result.id;
}

function looksLikeId(id: string, prefix: string): boolean {
  return (id.length === 15 || id.length === 18) && id.startsWith(prefix);
}

async function convertOne(
  ctx: ConvertContext,
  ref: ReferenceData,
  lc: LeadConvertRequest,
  userId: string
): Promise<LeadConvertResult> {
  const opts = { allOrNone: true, userId };
  if (!lc.leadId) refuse('REQUIRED_FIELD_MISSING', 'Required field is missing: leadId', ['leadId']);
  if (!lc.convertedStatus)
    refuse('REQUIRED_FIELD_MISSING', 'Required field is missing: convertedStatus', ['convertedStatus']);
  const leadId = lc.leadId;
  const wanted = lc.convertedStatus.toLowerCase();
  const status = ref.convertedStatuses.find(
    (s) => s.label.toLowerCase() === wanted || s.apiName.toLowerCase() === wanted
  );
  if (!status) refuse('INVALID_STATUS', `invalid convertedStatus: ${lc.convertedStatus}`, ['Status']);
  if (lc.contactId && !lc.accountId)
    refuse('REQUIRED_FIELD_MISSING', 'accountId must be specified when contactId is specified', [
      'accountId'
    ]);

  const lead = looksLikeId(leadId, '00Q') ? await ctx.records.retrieve('Lead', leadId) : null;
  if (!lead) refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['leadId']);
  if (fieldOf(lead, 'IsConverted') === true)
    refuse('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', ['leadId']);
  const canonicalLeadId = String(fieldOf(lead, 'Id') ?? leadId);

  const leadOwner = String(fieldOf(lead, 'OwnerId') ?? '');
  if (lc.ownerId) {
    const owner = looksLikeId(lc.ownerId, '005')
      ? await ctx.records.retrieve('User', lc.ownerId, ['Id'])
      : null;
    if (!owner) refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['ownerId']);
  } else if (leadOwner && !leadOwner.startsWith('005')) {
    refuse('REQUIRED_FIELD_MISSING', 'ownerId is required when the lead is owned by a queue', ['ownerId']);
  }
  const ownerId = lc.ownerId ?? (leadOwner || userId);

  // Account: merge into the given one, or create it from the lead's company.
  const accountValues = mapFields(ctx, 'Account', lead, ACCOUNT_FROM_LEAD);
  let accountId: string;
  if (lc.accountId) {
    const account = looksLikeId(lc.accountId, '001')
      ? await ctx.records.retrieve('Account', lc.accountId)
      : null;
    if (!account) refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['accountId']);
    accountId = String(fieldOf(account, 'Id') ?? lc.accountId);
    const changes = fillEmpty(account, accountValues);
    if (Object.keys(changes).length > 0)
      expectSaved(await ctx.records.update('Account', [{ Id: accountId, ...changes }], opts));
  } else {
    if (isEmpty(accountValues.Name))
      refuse('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Company]', ['Company']);
    accountId = expectSaved(
      await ctx.records.insert('Account', [{ ...accountValues, OwnerId: ownerId }], opts)
    );
  }

  // Contact: merge into the given one (it must belong to the account), or create it.
  const contactValues = mapFields(ctx, 'Contact', lead, CONTACT_FROM_LEAD);
  let contactId: string;
  if (lc.contactId) {
    const contact = looksLikeId(lc.contactId, '003')
      ? await ctx.records.retrieve('Contact', lc.contactId)
      : null;
    if (!contact) refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['contactId']);
    if (String(fieldOf(contact, 'AccountId') ?? '').slice(0, 15) !== accountId.slice(0, 15)) {
      refuse(
        'INVALID_CROSS_REFERENCE_KEY',
        `contactId ${lc.contactId} is not associated with accountId ${accountId}`,
        ['contactId']
      );
    }
    contactId = String(fieldOf(contact, 'Id') ?? lc.contactId);
    const changes = fillEmpty(contact, contactValues, lc.overwriteLeadSource ? ['LeadSource'] : []);
    if (Object.keys(changes).length > 0)
      expectSaved(await ctx.records.update('Contact', [{ Id: contactId, ...changes }], opts));
  } else {
    contactId = expectSaved(
      await ctx.records.insert(
        'Contact',
        [{ ...contactValues, AccountId: accountId, OwnerId: ownerId }],
        opts
      )
    );
  }

  // Opportunity: an existing one, none, or a new one in the first open stage.
  let opportunityId: string | null = null;
  if (lc.opportunityId) {
    const opp = looksLikeId(lc.opportunityId, '006')
      ? await ctx.records.retrieve('Opportunity', lc.opportunityId, ['Id'])
      : null;
    if (!opp) refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['opportunityId']);
    opportunityId = String(fieldOf(opp, 'Id') ?? lc.opportunityId);
  } else if (!lc.doNotCreateOpportunity) {
    if (!ref.firstOpenStage)
      refuse('INVALID_STATUS', 'no active open opportunity stage is defined', ['StageName']);
    const company = String(fieldOf(lead, 'Company') ?? '');
    const opportunity: SObjectRecord = {
      Name: lc.opportunityName ?? `${company}-`,
      StageName: ref.firstOpenStage,
      CloseDate: endOfQuarter(ctx.now()),
      AccountId: accountId,
      OwnerId: ownerId
    };
    const leadSource = fieldOf(lead, 'LeadSource');
    if (!isEmpty(leadSource)) opportunity.LeadSource = leadSource;
    opportunityId = expectSaved(await ctx.records.insert('Opportunity', [opportunity], opts));
  }

  // Finally the lead itself: read-only fields, so through systemUpdate (validation rules still run).
  const leadChanges: SObjectRecord = {
    Id: canonicalLeadId,
    IsConverted: true,
    ConvertedDate: isoDate(ctx.now()),
    ConvertedAccountId: accountId,
    ConvertedContactId: contactId,
    ConvertedOpportunityId: opportunityId,
    Status: status.apiName
  };
  if (lc.ownerId) leadChanges.OwnerId = lc.ownerId;
  expectSaved(await ctx.records.systemUpdate('Lead', [leadChanges], opts));
  return { accountId, contactId, leadId: canonicalLeadId, opportunityId, success: true, errors: [] };
}

/** Converts each lead independently; results are in request order. */
export async function convertLeads(
  ctx: ConvertContext,
  requests: readonly LeadConvertRequest[],
  userId: string
): Promise<LeadConvertResult[]> {
  const ref = await loadReferenceData(ctx);
  const results: LeadConvertResult[] = [];
  for (const lc of requests) {
    try {
      results.push(await ctx.records.transaction(() => convertOne(ctx, ref, lc, userId)));
    } catch (err) {
      if (err instanceof ConversionRefused) results.push(failure(err.errors));
      else if (err instanceof SalesforceApiError)
        results.push(failure([{ statusCode: err.errorCode, message: err.message, fields: err.fields }]));
      else throw err;
    }
  }
  return results;
}

function errorXml(error: SfError): string {
  return `<errors>${error.fields.map((f) => xmlElement('fields', f)).join('')}${xmlElement('message', error.message)}${xmlElement('statusCode', error.statusCode)}</errors>`;
}

/** `<result>` elements in LeadConvertResult's WSDL order. */
export function leadConvertResultsXml(results: readonly LeadConvertResult[]): string {
  return results
    .map(
      (r) =>
        '<result>' +
        xmlElement('accountId', r.accountId) +
        xmlElement('contactId', r.contactId) +
        r.errors.map(errorXml).join('') +
        xmlElement('leadId', r.leadId) +
        xmlElement('opportunityId', r.opportunityId) +
        xmlElement('success', r.success) +
        '</result>'
    )
    .join('');
}
