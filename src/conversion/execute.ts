/**
 * Executes a conversion plan: creates the new Accounts first (one per domain/name key, with
 * Website_Domain__c set, so leads of the same company in one run share it and a rerun finds it), then
 * converts leads through SOAP convertLead in batches of up to 100, then sets Opportunity amount, close date
 * and stage. Transient failures are retried with exponential backoff; after the last attempt, leads that
 * failed are checked in the org (a dropped connection may hide a conversion that did happen) so the
 * ledger always tells the truth and a lead is never converted twice.
 */
import { soqlIn } from '../salesforce/soql';
import { SalesforceError, TRANSIENT_CODES, type LeadConvertRequest, type OrgClient, type RecordError } from '../salesforce/types';
import type { Store } from '../store/types';
import type { ConversionConfig } from './config';
import type { ConversionPlan, LeadPlan } from './plan';

export interface LeadOutcome {
  leadId: string;
  status: 'converted' | 'failed' | 'skipped';
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  accountCreated: boolean;
  errors: RecordError[];
  attempts: number;
}

export interface ExecuteSummary {
  converted: number;
  failed: number;
  skipped: number;
  accountsCreated: number;
  convertCalls: number;
  outcomes: LeadOutcome[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isTransient(errors: RecordError[]): boolean {
  return errors.length > 0 && errors.every((e) => TRANSIENT_CODES.has(e.statusCode));
}

function accountKey(plan: LeadPlan): string | null {
  if (plan.account?.action !== 'new') return null;
  if (plan.account.domain) return `domain:${plan.account.domain}`;
  if (plan.account.nameKey) return `name:${plan.account.nameKey}`;
  return `lead:${plan.leadId}`;
}

async function createAccounts(
  org: OrgClient,
  store: Store,
  plans: LeadPlan[],
  outcomes: Map<string, LeadOutcome>
): Promise<{ accountByKey: Map<string, string>; created: number }> {
  const accountByKey = new Map<string, string>();
  const firstByKey = new Map<string, LeadPlan>();
  for (const p of plans) {
    const key = accountKey(p);
    if (key && !firstByKey.has(key)) firstByKey.set(key, p);
  }
  const keys = [...firstByKey.keys()];
  if (keys.length === 0) return { accountByKey, created: 0 };
  // Accounts created by an earlier, interrupted run are reused rather than created again.
  const known = await store.query<{ match_key: string; account_id: string }>(
    'select match_key, account_id from conversion_accounts where match_key = any($1::text[])',
    [keys]
  );
  for (const k of known) accountByKey.set(k.match_key, k.account_id);
  // The org is the truth for domains: an account created by a run that was killed before recording it, or by
  // another instance since this plan was made, is reused, so each domain gets one account.
  for (const [domain, accountId] of await accountsByDomain(org, keys.filter((k) => !accountByKey.has(k)))) {
    const key = `domain:${domain}`;
    accountByKey.set(key, accountId);
    await store.query('insert into conversion_accounts (match_key, account_id) values ($1, $2) on conflict (match_key) do nothing', [key, accountId]);
  }
  const toCreate = keys.filter((k) => !accountByKey.has(k));
  if (toCreate.length === 0) return { accountByKey, created: 0 };
  const results = await org.rest.create(
    'Account',
    toCreate.map((key) => {
      const decision = firstByKey.get(key)!.account as Extract<LeadPlan['account'], { action: 'new' }>;
      return {
        Name: decision.accountName,
        Website: decision.domain ? `https://${decision.domain}` : null,
        Website_Domain__c: decision.domain
      };
    })
  );
  let created = 0;
  for (const r of results) {
    const key = toCreate[r.index]!;
    if (r.success && r.id) {
      accountByKey.set(key, r.id);
      created++;
      await store.query(
        'insert into conversion_accounts (match_key, account_id) values ($1, $2) on conflict (match_key) do nothing',
        [key, r.id]
      );
    } else {
      for (const p of plans.filter((x) => accountKey(x) === key)) {
        outcomes.set(p.leadId, {
          leadId: p.leadId, status: 'failed', accountId: null, contactId: null, opportunityId: null, accountCreated: false,
          errors: r.errors, attempts: 0
        });
      }
    }
  }
  return { accountByKey, created };
}

/** Oldest existing Account per Website_Domain__c among the `domain:` keys given. */
async function accountsByDomain(org: OrgClient, keys: string[]): Promise<Map<string, string>> {
  const domains = keys.filter((k) => k.startsWith('domain:')).map((k) => k.slice('domain:'.length));
  const found = new Map<string, string>();
  for (let i = 0; i < domains.length; i += 200) {
    const rows = await org.rest.query<{ Id: string; Website_Domain__c: string | null }>(
      `SELECT Id, Website_Domain__c FROM Account WHERE Website_Domain__c IN ${soqlIn(domains.slice(i, i + 200))} ORDER BY CreatedDate, Id`
    );
    for (const r of rows) {
      const domain = r.Website_Domain__c?.toLowerCase();
      if (domain && !found.has(domain)) found.set(domain, r.Id);
    }
  }
  return found;
}

/** The org's conversion state of each lead, read 200 ids per query (lead Id -> row; deleted leads are absent). */
async function readConversionState(org: OrgClient, leadIds: string[]): Promise<Map<string, LeadConversionState>> {
  const byId = new Map<string, LeadConversionState>();
  for (let i = 0; i < leadIds.length; i += 200) {
    const rows = await org.rest.query<LeadConversionState>(
      `SELECT Id, IsConverted, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId FROM Lead WHERE Id IN ${soqlIn(leadIds.slice(i, i + 200))}`
    );
    for (const r of rows) byId.set(r.Id, r);
  }
  return byId;
}

type LeadConversionState = {
  Id: string;
  IsConverted: boolean;
  ConvertedAccountId: string | null;
  ConvertedContactId: string | null;
  ConvertedOpportunityId: string | null;
};

/**
 * Leads a run wrote as 'pending' just before its convertLead call and never confirmed (the process was
 * killed mid-batch): the org says whether each was converted, and the ledger is set to match.
 */
export async function reconcilePending(org: OrgClient, store: Store): Promise<{ converted: number; notConverted: number }> {
  const pending = (await store.query<{ lead_id: string }>("select lead_id from conversion_ledger where status = 'pending'")).map((r) => r.lead_id);
  let converted = 0;
  const byId = await readConversionState(org, pending);
  for (const leadId of pending) {
    const row = byId.get(leadId);
    if (row?.IsConverted) {
      converted++;
      await store.query(
        `update conversion_ledger set status = 'converted', account_id = $2, contact_id = $3, opportunity_id = $4, error_code = null,
           error_message = null, updated_at = now() where lead_id = $1 and status = 'pending'`,
        [leadId, row.ConvertedAccountId, row.ConvertedContactId, row.ConvertedOpportunityId]
      );
    } else {
      await store.query(
        `update conversion_ledger set status = 'failed', error_code = 'INTERRUPTED', updated_at = now(),
           error_message = 'An earlier run stopped before this conversion was confirmed; the org shows it not converted' where lead_id = $1 and status = 'pending'`,
        [leadId]
      );
    }
  }
  return { converted, notConverted: pending.length - converted };
}

/** Write-ahead: the batch is about to be sent; a run killed before the answer leaves these rows for reconcilePending. */
async function markPending(store: Store, leadIds: string[]): Promise<void> {
  await store.query(
    `insert into conversion_ledger (lead_id, status, updated_at) select unnest($1::text[]), 'pending', now()
     on conflict (lead_id) do update set status = 'pending', updated_at = now() where conversion_ledger.status <> 'converted'`,
    [leadIds]
  );
}

export async function executePlan(
  org: OrgClient,
  store: Store,
  plan: ConversionPlan,
  config: ConversionConfig,
  onProgress: (done: number) => void = () => undefined
): Promise<ExecuteSummary> {
  const outcomes = new Map<string, LeadOutcome>();
  for (const p of plan.leads.filter((x) => x.skipReason)) {
    outcomes.set(p.leadId, {
      leadId: p.leadId, status: 'skipped', accountId: null, contactId: null, opportunityId: null, accountCreated: false,
      errors: [{ statusCode: 'SKIPPED', message: p.skipReason!, fields: [] }], attempts: 0
    });
  }
  const actionable = plan.leads.filter((p) => !p.skipReason);
  const { accountByKey, created } = await createAccounts(org, store, actionable, outcomes);

  const requests = new Map<string, LeadConvertRequest>();
  for (const p of actionable) {
    if (outcomes.has(p.leadId)) continue;
    const key = accountKey(p);
    const accountId = p.account?.action === 'existing' ? p.account.accountId : key ? accountByKey.get(key) : undefined;
    requests.set(p.leadId, {
      leadId: p.leadId,
      convertedStatus: plan.convertedStatus,
      accountId: accountId ?? null,
      contactId: p.contact?.action === 'existing' ? p.contact.contactId : null,
      opportunityName: p.opportunity?.name ?? null,
      doNotCreateOpportunity: !p.opportunity
    });
  }

  // Looked up once per converted lead: a Map, not a scan of the plan (10,000 leads made that quadratic).
  const planByLead = new Map(actionable.map((p) => [p.leadId, p]));
  let pending = [...requests.keys()];
  let convertCalls = 0;
  const attempts = new Map<string, number>();
  const lastErrors = new Map<string, RecordError[]>();
  for (let attempt = 0; pending.length > 0 && attempt <= config.maxRetries; attempt++) {
    if (attempt > 0) await sleep(config.retryBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    const retry: string[] = [];
    for (let i = 0; i < pending.length; i += config.batchSize) {
      const batch = pending.slice(i, i + config.batchSize);
      for (const id of batch) attempts.set(id, (attempts.get(id) ?? 0) + 1);
      convertCalls++;
      await markPending(store, batch);
      let results;
      try {
        results = await org.soap.convertLead(batch.map((id) => requests.get(id)!));
      } catch (err) {
        const sfErr = err instanceof SalesforceError ? err : new SalesforceError('UNKNOWN', (err as Error).message, err);
        for (const id of batch) lastErrors.set(id, [{ statusCode: sfErr.errorCode, message: sfErr.message, fields: [] }]);
        if (sfErr.transient) retry.push(...batch);
        else throw sfErr;
        continue;
      }
      results.forEach((r, idx) => {
        const leadId = batch[idx]!;
        if (r.success) {
          const p = planByLead.get(leadId)!;
          outcomes.set(leadId, {
            leadId, status: 'converted', accountId: r.accountId, contactId: r.contactId, opportunityId: r.opportunityId,
            accountCreated: p.account?.action === 'new', errors: [], attempts: attempts.get(leadId) ?? 1
          });
        } else {
          lastErrors.set(leadId, r.errors);
          if (isTransient(r.errors)) retry.push(leadId);
        }
      });
      onProgress(outcomes.size);
    }
    pending = retry;
  }

  // Leads still without a success: ask the org whether they were converted after all.
  const unresolved = [...requests.keys()].filter((id) => !outcomes.has(id));
  const unresolvedState = await readConversionState(org, unresolved);
  for (const leadId of unresolved) {
    const row = unresolvedState.get(leadId);
    outcomes.set(
      leadId,
      row?.IsConverted
        ? { leadId, status: 'converted', accountId: row.ConvertedAccountId, contactId: row.ConvertedContactId, opportunityId: row.ConvertedOpportunityId, accountCreated: false, errors: [], attempts: attempts.get(leadId) ?? 0 }
        : { leadId, status: 'failed', accountId: null, contactId: null, opportunityId: null, accountCreated: false, errors: lastErrors.get(leadId) ?? [], attempts: attempts.get(leadId) ?? 0 }
    );
  }

  // Opportunity details convertLead cannot set: amount, close date and stage.
  const oppUpdates = plan.leads
    .map((p) => ({ p, o: outcomes.get(p.leadId) }))
    .filter(({ p, o }) => o?.status === 'converted' && o.opportunityId && p.opportunity)
    .map(({ p, o }) => ({
      Id: o!.opportunityId!,
      StageName: p.opportunity!.stage,
      CloseDate: p.opportunity!.closeDate,
      ...(p.opportunity!.amount !== null ? { Amount: p.opportunity!.amount } : {})
    }));
  if (oppUpdates.length > 0) {
    const results = await org.rest.update('Opportunity', oppUpdates);
    for (const r of results.filter((x) => !x.success)) {
      const opp = oppUpdates[r.index]!;
      const outcome = [...outcomes.values()].find((o) => o.opportunityId === opp.Id);
      outcome?.errors.push(...r.errors.map((e) => ({ ...e, message: `Opportunity details not set: ${e.message}` })));
    }
  }

  await recordOutcomes(store, [...outcomes.values()]);
  const all = plan.leads.map((p) => outcomes.get(p.leadId)!).filter(Boolean);
  return {
    converted: all.filter((o) => o.status === 'converted').length,
    failed: all.filter((o) => o.status === 'failed').length,
    skipped: all.filter((o) => o.status === 'skipped').length,
    accountsCreated: created,
    convertCalls,
    outcomes: all
  };
}

/** Ledger rows per statement: one multi-row upsert per chunk instead of one statement per lead. */
const LEDGER_CHUNK = 1000;

async function recordOutcomes(store: Store, outcomes: LeadOutcome[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < outcomes.length; i += LEDGER_CHUNK) {
      const chunk = outcomes.slice(i, i + LEDGER_CHUNK);
      const column = <T>(pick: (o: LeadOutcome) => T) => chunk.map(pick);
      await tx.query(
        `insert into conversion_ledger (lead_id, status, account_id, contact_id, opportunity_id, error_code, error_message, attempts, updated_at)
         select lead_id, status, account_id, contact_id, opportunity_id, error_code, error_message, attempts, now()
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
           as o(lead_id, status, account_id, contact_id, opportunity_id, error_code, error_message, attempts)
         on conflict (lead_id) do update set status = excluded.status, account_id = excluded.account_id,
           contact_id = excluded.contact_id, opportunity_id = excluded.opportunity_id, error_code = excluded.error_code,
           error_message = excluded.error_message, attempts = conversion_ledger.attempts + excluded.attempts, updated_at = now()
         where conversion_ledger.status <> 'converted'`,
        [
          column((o) => o.leadId),
          column((o) => o.status),
          column((o) => o.accountId),
          column((o) => o.contactId),
          column((o) => o.opportunityId),
          column((o) => o.errors[0]?.statusCode ?? null),
          column((o) => o.errors[0]?.message ?? null),
          column((o) => o.attempts)
        ]
      );
    }
  });
}
