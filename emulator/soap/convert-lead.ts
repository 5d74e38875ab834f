/**
 * convertLead semantics: account, contact and opportunity are created or merged, then the lead is
 * updated through the record layer's systemUpdate so its validation rules run. The leads of one call
 * are converted together with set-based statements in one transaction; when one of them fails after
 * something was written for it, each lead is converted again alone in its own transaction (what
 * Salesforce documents for bulk convertLead), so a failure rolls back that lead only.
 */
import { z } from 'zod';
import { isValidIdFormat, keyPrefixOf, to18 } from '../core/ids';
import { loadRows } from '../core/record-checks';
import type { DmlOptions, OrgContext, SaveResult, SfError, SObjectRecord } from '../core/types';
import { rowToApiRecord } from '../core/values';
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

/** Ends a conversion attempt with these errors; its transaction is rolled back. */
class ConversionRefused extends Error {
  constructor(public readonly errors: SfError[]) {
    super(errors[0]?.message ?? 'conversion refused');
    this.name = 'ConversionRefused';
  }
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

function looksLikeId(id: string, prefix: string): boolean {
  return (id.length === 15 || id.length === 18) && id.startsWith(prefix);
}

/** Records of one type by 18-character id, as retrieve() returns them (missing and deleted ones left out). */
async function retrieveMany(
  ctx: ConvertContext,
  type: string,
  ids: Iterable<string>,
  fields?: string[]
): Promise<Map<string, SObjectRecord>> {
  const object = ctx.schema.get(type);
  const found = new Map<string, SObjectRecord>();
  if (!object) return found;
  const wanted = [
    ...new Set([...ids].filter((id) => isValidIdFormat(id) && keyPrefixOf(id) === object.keyPrefix).map(to18))
  ];
  const selected = fields
    ?.map((name) => object.fieldMap.get(name.toLowerCase()))
    .filter((f) => f !== undefined);
  for (const [id, row] of await loadRows(ctx.db, object, wanted)) {
    if (row.isdeleted !== true) found.set(id, rowToApiRecord(object, row, selected));
  }
  return found;
}

/** The loaded record an id in the request names, or null (wrong prefix, malformed, missing, deleted). */
function lookup(records: Map<string, SObjectRecord>, id: string, prefix: string): SObjectRecord | null {
  return looksLikeId(id, prefix) && isValidIdFormat(id) ? (records.get(to18(id)) ?? null) : null;
}

/**
 * Where one lead's conversion is in Salesforce's order of work: the checks of a step run after the writes
 * of the steps before it (a bad contactId is found after the account was written, and rolls it back).
 */
const STEP = {
  accountChecks: 0,
  accountWrite: 1,
  contactChecks: 2,
  contactWrite: 3,
  opportunityChecks: 4,
  opportunityWrite: 5,
  leadWrite: 6
} as const;
type Step = (typeof STEP)[keyof typeof STEP];

type Target =
  { kind: 'new'; values: SObjectRecord } | { kind: 'merge'; id: string; changes: SObjectRecord | null };

/** One lead's conversion worked out in memory before anything is written. */
interface LeadPlan {
  index: number;
  lc: LeadConvertRequest;
  /** The first check that fails, at the step where Salesforce would make it; absent when all pass. */
  failure?: { step: Step; errors: SfError[] };
  leadId: string;
  statusApiName: string;
  ownerId: string;
  account: Target;
  contact: Target;
  opportunity: { kind: 'none' } | { kind: 'existing'; id: string } | { kind: 'new'; values: SObjectRecord };
  accountId?: string;
  contactId?: string;
  opportunityId?: string | null;
}

/** The steps at which a plan writes something (a merge without changes writes nothing). */
function writesBefore(plan: LeadPlan, step: Step): boolean {
  const writes = (t: Target) => t.kind === 'new' || t.changes !== null;
  return (
    (step > STEP.accountWrite && writes(plan.account)) ||
    (step > STEP.contactWrite && writes(plan.contact)) ||
    (step > STEP.opportunityWrite && plan.opportunity.kind === 'new')
  );
}

/** Records a pass reads once for all its leads. */
interface PassData {
  leads: Map<string, SObjectRecord>;
  users: Map<string, SObjectRecord>;
  accounts: Map<string, SObjectRecord>;
  contacts: Map<string, SObjectRecord>;
  opportunities: Map<string, SObjectRecord>;
}

async function loadPassData(ctx: ConvertContext, requests: readonly LeadConvertRequest[]): Promise<PassData> {
  const ids = (pick: (lc: LeadConvertRequest) => string | null) =>
    requests.map(pick).filter((id): id is string => id !== null);
  return {
    leads: await retrieveMany(
      ctx,
      'Lead',
      ids((lc) => lc.leadId)
    ),
    users: await retrieveMany(
      ctx,
      'User',
      ids((lc) => lc.ownerId),
      ['Id']
    ),
    accounts: await retrieveMany(
      ctx,
      'Account',
      ids((lc) => lc.accountId)
    ),
    contacts: await retrieveMany(
      ctx,
      'Contact',
      ids((lc) => lc.contactId)
    ),
    opportunities: await retrieveMany(
      ctx,
      'Opportunity',
      ids((lc) => lc.opportunityId),
      ['Id']
    )
  };
}

/**
 * Works out one lead's conversion against the pass's records. `merged` holds the accounts and contacts as
 * the earlier leads of the pass leave them, so "fill only empty fields" sees their changes.
 */
function planLead(
  ctx: ConvertContext,
  ref: ReferenceData,
  data: PassData,
  merged: Map<string, SObjectRecord>,
  lc: LeadConvertRequest,
  index: number,
  userId: string
): LeadPlan {
  const plan: LeadPlan = {
    index,
    lc,
    leadId: '',
    statusApiName: '',
    ownerId: '',
    account: { kind: 'merge', id: '', changes: null },
    contact: { kind: 'merge', id: '', changes: null },
    opportunity: { kind: 'none' }
  };
  const fail = (step: Step, statusCode: string, message: string, fields: string[]): LeadPlan => {
    plan.failure = { step, errors: [{ statusCode, message, fields }] };
    return plan;
  };
  const checks = STEP.accountChecks;
  if (!lc.leadId)
    return fail(checks, 'REQUIRED_FIELD_MISSING', 'Required field is missing: leadId', ['leadId']);
  if (!lc.convertedStatus)
    return fail(checks, 'REQUIRED_FIELD_MISSING', 'Required field is missing: convertedStatus', [
      'convertedStatus'
    ]);
  const wanted = lc.convertedStatus.toLowerCase();
  const status = ref.convertedStatuses.find(
    (s) => s.label.toLowerCase() === wanted || s.apiName.toLowerCase() === wanted
  );
  if (!status)
    return fail(checks, 'INVALID_STATUS', `invalid convertedStatus: ${lc.convertedStatus}`, ['Status']);
  plan.statusApiName = status.apiName;
  if (lc.contactId && !lc.accountId)
    return fail(checks, 'REQUIRED_FIELD_MISSING', 'accountId must be specified when contactId is specified', [
      'accountId'
    ]);

  const lead = lookup(data.leads, lc.leadId, '00Q');
  if (!lead) return fail(checks, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['leadId']);
  if (fieldOf(lead, 'IsConverted') === true)
    return fail(checks, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', ['leadId']);
  plan.leadId = String(fieldOf(lead, 'Id') ?? lc.leadId);

  const leadOwner = String(fieldOf(lead, 'OwnerId') ?? '');
  if (lc.ownerId) {
    if (!lookup(data.users, lc.ownerId, '005'))
      return fail(checks, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['ownerId']);
  } else if (leadOwner && !leadOwner.startsWith('005')) {
    return fail(checks, 'REQUIRED_FIELD_MISSING', 'ownerId is required when the lead is owned by a queue', [
      'ownerId'
    ]);
  }
  plan.ownerId = lc.ownerId ?? (leadOwner || userId);

  // Account: merge into the given one, or create it from the lead's company.
  const accountValues = mapFields(ctx, 'Account', lead, ACCOUNT_FROM_LEAD);
  if (lc.accountId) {
    const account = lookup(data.accounts, lc.accountId, '001');
    if (!account)
      return fail(checks, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['accountId']);
    const id = String(fieldOf(account, 'Id') ?? lc.accountId);
    const changes = fillEmpty(merged.get(id) ?? account, accountValues);
    plan.account = { kind: 'merge', id, changes: Object.keys(changes).length > 0 ? changes : null };
    plan.accountId = id;
  } else {
    if (isEmpty(accountValues.Name))
      return fail(checks, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Company]', ['Company']);
    plan.account = { kind: 'new', values: { ...accountValues, OwnerId: plan.ownerId } };
  }

  // Contact: merge into the given one (it must belong to the account), or create it.
  const contactValues = mapFields(ctx, 'Contact', lead, CONTACT_FROM_LEAD);
  if (lc.contactId) {
    const contact = lookup(data.contacts, lc.contactId, '003');
    if (!contact)
      return fail(STEP.contactChecks, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [
        'contactId'
      ]);
    const accountId = plan.accountId ?? '';
    if (String(fieldOf(contact, 'AccountId') ?? '').slice(0, 15) !== accountId.slice(0, 15)) {
      return fail(
        STEP.contactChecks,
        'INVALID_CROSS_REFERENCE_KEY',
        `contactId ${lc.contactId} is not associated with accountId ${accountId}`,
        ['contactId']
      );
    }
    const id = String(fieldOf(contact, 'Id') ?? lc.contactId);
    const changes = fillEmpty(
      merged.get(id) ?? contact,
      contactValues,
      lc.overwriteLeadSource ? ['LeadSource'] : []
    );
    plan.contact = { kind: 'merge', id, changes: Object.keys(changes).length > 0 ? changes : null };
    plan.contactId = id;
  } else {
    plan.contact = { kind: 'new', values: { ...contactValues, OwnerId: plan.ownerId } };
  }

  // Opportunity: an existing one, none, or a new one in the first open stage.
  if (lc.opportunityId) {
    const opp = lookup(data.opportunities, lc.opportunityId, '006');
    if (!opp)
      return fail(STEP.opportunityChecks, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [
        'opportunityId'
      ]);
    plan.opportunity = { kind: 'existing', id: String(fieldOf(opp, 'Id') ?? lc.opportunityId) };
  } else if (!lc.doNotCreateOpportunity) {
    if (!ref.firstOpenStage)
      return fail(STEP.opportunityChecks, 'INVALID_STATUS', 'no active open opportunity stage is defined', [
        'StageName'
      ]);
    const values: SObjectRecord = {
      Name: lc.opportunityName ?? `${String(fieldOf(lead, 'Company') ?? '')}-`,
      StageName: ref.firstOpenStage,
      CloseDate: endOfQuarter(ctx.now()),
      OwnerId: plan.ownerId
    };
    const leadSource = fieldOf(lead, 'LeadSource');
    if (!isEmpty(leadSource)) values.LeadSource = leadSource;
    plan.opportunity = { kind: 'new', values };
  }
  return plan;
}

/**
 * 'together': the call's leads in set-based statements; any failure that Salesforce would roll back (a
 * failed write, a failed check after a write) abandons the attempt, and the caller retries each lead alone.
 * 'alone': one lead; a failure ends it with that lead's errors (the caller rolls back its transaction).
 */
type PassMode = 'together' | 'alone';

/** Throws the first failed save's errors (the lead's conversion stops there, as in Salesforce). */
function expectSaved(results: SaveResult[]): string[] {
  const failed = results.find((r) => !r.success || !r.id);
  if (failed) throw new ConversionRefused(failed.errors);
  return results.map((r) => r.id as string);
}

/**
 * One pass over some of the call's leads: read everything once, plan each lead in request order, then
 * write step by step with one statement per object for all planned leads. A lead that would touch a lead,
 * account or contact an earlier lead of this pass writes (or that was deferred) is deferred to the next
 * pass, so every lead sees the records as the leads before it leave them, exactly as one at a time.
 */
async function runPass(
  ctx: ConvertContext,
  ref: ReferenceData,
  requests: readonly { lc: LeadConvertRequest; index: number }[],
  userId: string,
  mode: PassMode,
  results: LeadConvertResult[]
): Promise<{ lc: LeadConvertRequest; index: number }[]> {
  const data = await loadPassData(
    ctx,
    requests.map((r) => r.lc)
  );
  const merged = new Map<string, SObjectRecord>();
  const written = new Set<string>();
  const deferredKeys = new Set<string>();
  const deferred: { lc: LeadConvertRequest; index: number }[] = [];
  const planned: LeadPlan[] = [];
  let stopAt: LeadPlan | undefined;
  for (const { lc, index } of requests) {
    const plan = planLead(ctx, ref, data, merged, lc, index, userId);
    // Deferred first, failing or not: a lead converted earlier in this pass must be seen as converted.
    const leadKey = plan.leadId ? `lead:${plan.leadId}` : null;
    const targets = [plan.account, plan.contact].filter((t) => t.kind === 'merge' && t.id !== '');
    const keys = [...(leadKey ? [leadKey] : []), ...targets.map((t) => `record:${(t as { id: string }).id}`)];
    const rewrites = targets.some(
      (t) => t.kind === 'merge' && t.changes !== null && written.has(`record:${t.id}`)
    );
    if (keys.some((k) => deferredKeys.has(k)) || (leadKey !== null && written.has(leadKey)) || rewrites) {
      for (const k of keys) deferredKeys.add(k);
      deferred.push({ lc, index });
      continue;
    }
    if (plan.failure && !writesBefore(plan, plan.failure.step)) {
      // Fails before writing anything: nothing to roll back, and no other lead's outcome depends on it.
      results[index] = failure(plan.failure.errors);
      continue;
    }
    if (plan.failure) {
      // Fails after writing something: Salesforce rolls this lead back, which a shared statement cannot.
      if (mode === 'together') throw new ConversionRefused(plan.failure.errors);
      stopAt = plan;
    }
    if (leadKey) written.add(leadKey);
    for (const target of [plan.account, plan.contact]) {
      if (target.kind !== 'merge' || target.changes === null) continue;
      written.add(`record:${target.id}`);
      const base =
        merged.get(target.id) ?? data.accounts.get(target.id) ?? data.contacts.get(target.id) ?? {};
      merged.set(target.id, { ...base, ...target.changes });
    }
    planned.push(plan);
  }
  await writePlans(ctx, planned, userId, stopAt);
  for (const p of planned) {
    results[p.index] = {
      accountId: p.accountId ?? null,
      contactId: p.contactId ?? null,
      leadId: p.leadId,
      opportunityId: p.opportunityId ?? null,
      success: true,
      errors: []
    };
  }
  return deferred;
}

/** Writes of the planned leads, one statement per object and step; `stopAt` is a lead failing mid-way. */
async function writePlans(
  ctx: ConvertContext,
  plans: LeadPlan[],
  userId: string,
  stopAt?: LeadPlan
): Promise<void> {
  const opts = { allOrNone: false, userId };
  const failAt = (step: Step) => {
    if (stopAt?.failure?.step === step) throw new ConversionRefused(stopAt.failure.errors);
  };
  const merges = (pick: (p: LeadPlan) => Target) =>
    plans.flatMap((p) => {
      const t = pick(p);
      return t.kind === 'merge' && t.changes !== null ? [{ Id: t.id, ...t.changes }] : [];
    });

  const newAccounts = plans.filter((p) => p.account.kind === 'new');
  const accountIds = expectSaved(
    await insertIfAny(
      ctx,
      'Account',
      newAccounts.map((p) => (p.account as { values: SObjectRecord }).values),
      opts
    )
  );
  newAccounts.forEach((p, i) => (p.accountId = accountIds[i]));
  expectSaved(
    await updateIfAny(
      ctx,
      'Account',
      merges((p) => p.account),
      opts
    )
  );
  failAt(STEP.contactChecks);

  const newContacts = plans.filter((p) => p.contact.kind === 'new');
  const contactIds = expectSaved(
    await insertIfAny(
      ctx,
      'Contact',
      newContacts.map((p) => ({
        ...(p.contact as { values: SObjectRecord }).values,
        AccountId: p.accountId
      })),
      opts
    )
  );
  newContacts.forEach((p, i) => (p.contactId = contactIds[i]));
  expectSaved(
    await updateIfAny(
      ctx,
      'Contact',
      merges((p) => p.contact),
      opts
    )
  );
  failAt(STEP.opportunityChecks);

  const newOpportunities = plans.filter((p) => p.opportunity.kind === 'new');
  const opportunityIds = expectSaved(
    await insertIfAny(
      ctx,
      'Opportunity',
      newOpportunities.map((p) => {
        // Same field order as a lead converted alone (Name, StageName, CloseDate, AccountId, OwnerId, LeadSource).
        const { Name, StageName, CloseDate, OwnerId, ...rest } = (p.opportunity as { values: SObjectRecord })
          .values;
        return { Name, StageName, CloseDate, AccountId: p.accountId, OwnerId, ...rest };
      }),
      opts
    )
  );
  for (const p of plans) p.opportunityId = p.opportunity.kind === 'existing' ? p.opportunity.id : null;
  newOpportunities.forEach((p, i) => (p.opportunityId = opportunityIds[i]));

  // Finally the leads themselves: read-only fields, so through systemUpdate (validation rules still run).
  const leadChanges = plans.map((p) => {
    const changes: SObjectRecord = {
      Id: p.leadId,
      IsConverted: true,
      ConvertedDate: isoDate(ctx.now()),
      ConvertedAccountId: p.accountId,
      ConvertedContactId: p.contactId,
      ConvertedOpportunityId: p.opportunityId,
      Status: p.statusApiName
    };
    if (p.lc.ownerId) changes.OwnerId = p.lc.ownerId;
    return changes;
  });
  if (leadChanges.length > 0) expectSaved(await ctx.records.systemUpdate('Lead', leadChanges, opts));
}

async function insertIfAny(
  ctx: ConvertContext,
  type: string,
  records: SObjectRecord[],
  opts: DmlOptions
): Promise<SaveResult[]> {
  return records.length > 0 ? ctx.records.insert(type, records, opts) : [];
}

async function updateIfAny(
  ctx: ConvertContext,
  type: string,
  records: SObjectRecord[],
  opts: DmlOptions
): Promise<SaveResult[]> {
  return records.length > 0 ? ctx.records.update(type, records, opts) : [];
}

/**
 * Converts the call's leads with set-based statements in one transaction (a handful of statements per
 * call instead of about 16 per lead). Salesforce documents that when any lead of a bulk convertLead
 * fails, the conversion is retried individually for each lead [sforce_api_calls_convertlead, Errors];
 * so does this: the first failure Salesforce would roll back abandons the shared attempt and each lead
 * is converted alone in its own transaction, giving exactly the per-lead results of one-at-a-time
 * conversion. Leads that fail before anything is written (unknown id, converted lead, bad status or
 * owner) fail on their own without abandoning the attempt. Results are in request order.
 */
export async function convertLeads(
  ctx: ConvertContext,
  requests: readonly LeadConvertRequest[],
  userId: string
): Promise<LeadConvertResult[]> {
  const ref = await loadReferenceData(ctx);
  const all = requests.map((lc, index) => ({ lc, index }));
  const together: LeadConvertResult[] = [];
  try {
    await ctx.records.transaction(async () => {
      let pending = all;
      while (pending.length > 0) pending = await runPass(ctx, ref, pending, userId, 'together', together);
    });
    return together;
  } catch (err) {
    if (!(err instanceof ConversionRefused) && !(err instanceof SalesforceApiError)) throw err;
  }
  const results: LeadConvertResult[] = [];
  for (const item of all) {
    try {
      await ctx.records.transaction(() => runPass(ctx, ref, [item], userId, 'alone', results));
    } catch (err) {
      if (err instanceof ConversionRefused) results[item.index] = failure(err.errors);
      else if (err instanceof SalesforceApiError)
        results[item.index] = failure([
          { statusCode: err.errorCode, message: err.message, fields: err.fields }
        ]);
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
