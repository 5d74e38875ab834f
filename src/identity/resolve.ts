/**
 * `leadflow resolve <lead id | external id | email>`: who this person is in the org now. A lead that was
 * converted is followed to the Contact, Account and Opportunity it became; an email may match a converted
 * lead and its Contact (one person) or several people (ambiguous, listed). Every value placed in SOQL goes
 * through src/salesforce/soql.ts.
 */
import { z } from 'zod';
import type { CommandResult } from '../runtime/types';
import { soqlIn, soqlString } from '../salesforce/soql';
import type { OrgClient, SObjectRecord } from '../salesforce/types';

const LEAD_ID = /^00Q[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/;
const CONTACT_ID = /^003[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export type ResolveKey = 'leadId' | 'contactId' | 'email' | 'externalId';

/** What the argument is, by its shape: a Lead or Contact id, an email, else our Source_External_Id__c. */
export function classifyResolveInput(input: string): ResolveKey {
  if (LEAD_ID.test(input)) return 'leadId';
  if (CONTACT_ID.test(input)) return 'contactId';
  if (EMAIL.test(input)) return 'email';
  return 'externalId';
}

const id15 = (id: string | null | undefined) => (id ? id.slice(0, 15) : null);
const text = z.string().nullish().transform((v) => v ?? null);
const leadRow = z.object({
  Id: z.string(),
  Name: text,
  Email: text,
  Company: text,
  Status: text,
  Funnel_Stage__c: text,
  OwnerId: text,
  Source_External_Id__c: text,
  IsConverted: z.boolean().nullish().transform((v) => v ?? false),
  ConvertedDate: text,
  ConvertedContactId: text,
  ConvertedAccountId: text,
  ConvertedOpportunityId: text
});
const contactRow = z.object({ Id: z.string(), Name: text, Email: text, AccountId: text, OwnerId: text });
const accountRow = z.object({ Id: z.string(), Name: text, OwnerId: text });
const opportunityRow = z.object({
  Id: z.string(),
  Name: text,
  StageName: text,
  IsClosed: z.boolean().nullish(),
  IsWon: z.boolean().nullish(),
  Amount: z.number().nullish().transform((v) => v ?? null),
  CloseDate: text,
  OwnerId: text
});

export interface Owner {
  id: string | null;
  name: string | null;
}
export interface ResolvedPerson {
  lead: {
    id: string;
    name: string | null;
    email: string | null;
    company: string | null;
    status: string | null;
    funnelStage: string | null;
    externalId: string | null;
    owner: Owner;
    isConverted: boolean;
    convertedDate: string | null;
  } | null;
  contact: { id: string; name: string | null; email: string | null; owner: Owner } | null;
  account: { id: string; name: string | null; owner: Owner } | null;
  opportunity: { id: string; name: string | null; stage: string | null; isClosed: boolean; isWon: boolean; amount: number | null; closeDate: string | null; owner: Owner } | null;
}

export interface ResolveSummary {
  input: string;
  matchedBy: ResolveKey;
  status: 'found' | 'not_found' | 'ambiguous';
  person: ResolvedPerson | null;
  /** With status ambiguous: every person the email matched. */
  matches: ResolvedPerson[];
}

const LEAD_FIELDS =
  'Id, Name, Email, Company, Status, Funnel_Stage__c, OwnerId, Source_External_Id__c, IsConverted, ConvertedDate, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId';

async function queryRows<T>(org: OrgClient, soql: string, schema: z.ZodType<T>): Promise<T[]> {
  const rows = await org.rest.query<SObjectRecord>(soql);
  return rows.map((r) => schema.parse(r));
}

async function byIds<T extends { Id: string }>(org: OrgClient, object: string, fields: string, ids: (string | null)[], schema: z.ZodType<T>) {
  const wanted = [...new Set(ids.filter((i): i is string => !!i))];
  const out = new Map<string, T>();
  if (wanted.length === 0) return out;
  for (const r of await queryRows(org, `SELECT ${fields} FROM ${object} WHERE Id IN ${soqlIn(wanted)}`, schema)) out.set(id15(r.Id)!, r);
  return out;
}

/** One person per converted lead + its Contact, per unconverted lead, and per Contact no lead here became. */
function groupPeople(leads: z.infer<typeof leadRow>[], contacts: z.infer<typeof contactRow>[]) {
  const people: { lead: z.infer<typeof leadRow> | null; contactId: string | null }[] = [];
  const claimed = new Set<string>();
  for (const l of leads) {
    people.push({ lead: l, contactId: l.ConvertedContactId });
    if (l.ConvertedContactId) claimed.add(id15(l.ConvertedContactId)!);
  }
  for (const c of contacts) if (!claimed.has(id15(c.Id)!)) people.push({ lead: null, contactId: c.Id });
  return people;
}

export async function resolvePerson(org: OrgClient, rawInput: string): Promise<CommandResult<ResolveSummary>> {
  const input = rawInput.trim();
  const matchedBy = classifyResolveInput(input);
  let leads: z.infer<typeof leadRow>[] = [];
  let contacts: z.infer<typeof contactRow>[] = [];
  const contactFields = 'Id, Name, Email, AccountId, OwnerId';
  if (matchedBy === 'leadId') leads = await queryRows(org, `SELECT ${LEAD_FIELDS} FROM Lead WHERE Id = ${soqlString(input)}`, leadRow);
  else if (matchedBy === 'externalId') {
    leads = await queryRows(org, `SELECT ${LEAD_FIELDS} FROM Lead WHERE Source_External_Id__c = ${soqlString(input)}`, leadRow);
  } else {
    const where = matchedBy === 'email' ? `Email = ${soqlString(input.toLowerCase())}` : `Id = ${soqlString(input)}`;
    contacts = await queryRows(org, `SELECT ${contactFields} FROM Contact WHERE ${where}`, contactRow);
    if (matchedBy === 'email') leads = await queryRows(org, `SELECT ${LEAD_FIELDS} FROM Lead WHERE ${where}`, leadRow);
    // The leads these Contacts were converted from (their email may differ from the Contact's now).
    const known = new Set(leads.map((l) => id15(l.Id)));
    if (contacts.length > 0) {
      const from = await queryRows(org, `SELECT ${LEAD_FIELDS} FROM Lead WHERE ConvertedContactId IN ${soqlIn(contacts.map((c) => c.Id))}`, leadRow);
      leads.push(...from.filter((l) => !known.has(id15(l.Id))));
    }
  }
  const groups = groupPeople(leads, contacts);
  // A lead's Contact may have been merged into another: several leads converted to one Contact are one person.
  const seen = new Set<string>();
  const unique = groups.filter((g) => {
    const key = g.contactId ? `c:${id15(g.contactId)}` : `l:${id15(g.lead!.Id)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const contactById = await byIds(org, 'Contact', contactFields, [...unique.map((g) => g.contactId)], contactRow);
  const accountIds = unique.map((g) => g.lead?.ConvertedAccountId ?? contactById.get(id15(g.contactId) ?? '')?.AccountId ?? null);
  const accountById = await byIds(org, 'Account', 'Id, Name, OwnerId', accountIds, accountRow);
  const oppById = await byIds(
    org,
    'Opportunity',
    'Id, Name, StageName, IsClosed, IsWon, Amount, CloseDate, OwnerId',
    unique.map((g) => g.lead?.ConvertedOpportunityId ?? null),
    opportunityRow
  );
  const ownerIds = [
    ...unique.map((g) => g.lead?.OwnerId ?? null),
    ...[...contactById.values()].map((c) => c.OwnerId),
    ...[...accountById.values()].map((a) => a.OwnerId),
    ...[...oppById.values()].map((o) => o.OwnerId)
  ].filter((id): id is string => !!id && id.startsWith('005'));
  const users = await byIds(org, 'User', 'Id, Name', ownerIds, z.object({ Id: z.string(), Name: text }));
  const owner = (id: string | null): Owner => ({ id, name: id ? (users.get(id15(id)!)?.Name ?? null) : null });

  const people: ResolvedPerson[] = unique.map((g, i) => {
    const l = g.lead;
    const c = g.contactId ? contactById.get(id15(g.contactId)!) : undefined;
    const a = accountIds[i] ? accountById.get(id15(accountIds[i])!) : undefined;
    const o = l?.ConvertedOpportunityId ? oppById.get(id15(l.ConvertedOpportunityId)!) : undefined;
    return {
      lead: l
        ? {
            id: l.Id,
            name: l.Name,
            email: l.Email,
            company: l.Company,
            status: l.Status,
            funnelStage: l.Funnel_Stage__c,
            externalId: l.Source_External_Id__c,
            owner: owner(l.OwnerId),
            isConverted: l.IsConverted,
            convertedDate: l.ConvertedDate
          }
        : null,
      contact: c ? { id: c.Id, name: c.Name, email: c.Email, owner: owner(c.OwnerId) } : null,
      account: a ? { id: a.Id, name: a.Name, owner: owner(a.OwnerId) } : null,
      opportunity: o
        ? { id: o.Id, name: o.Name, stage: o.StageName, isClosed: !!o.IsClosed, isWon: !!o.IsWon, amount: o.Amount, closeDate: o.CloseDate, owner: owner(o.OwnerId) }
        : null
    };
  });

  const summary: ResolveSummary = {
    input,
    matchedBy,
    status: people.length === 0 ? 'not_found' : people.length > 1 ? 'ambiguous' : 'found',
    person: people.length === 1 ? people[0]! : null,
    matches: people.length > 1 ? people : []
  };
  return { ok: summary.status === 'found', summary, lines: resolveLines(summary) };
}

const by = (o: Owner) => `owner ${o.name ? `${o.name} (${o.id})` : (o.id ?? 'none')}`;

export function personLines(p: ResolvedPerson, indent = ''): string[] {
  const lines: string[] = [];
  if (p.lead) {
    const l = p.lead;
    const converted = l.isConverted ? `converted ${l.convertedDate ?? '(date unknown)'}` : 'not converted';
    lines.push(
      `${indent}Lead ${l.id}: ${l.name ?? ''}${l.email ? ` <${l.email}>` : ''}, ${l.company ?? ''}; status ${l.status ?? '-'}, stage ${l.funnelStage ?? '-'}, ${by(l.owner)}; ${converted}${l.externalId ? `; external id ${l.externalId}` : ''}`
    );
  }
  if (p.contact) lines.push(`${indent}Contact ${p.contact.id}: ${p.contact.name ?? ''}${p.contact.email ? ` <${p.contact.email}>` : ''}, ${by(p.contact.owner)}`);
  if (p.account) lines.push(`${indent}Account ${p.account.id}: ${p.account.name ?? ''}, ${by(p.account.owner)}`);
  if (p.opportunity) {
    const o = p.opportunity;
    lines.push(`${indent}Opportunity ${o.id}: ${o.name ?? ''}; stage ${o.stage ?? '-'}${o.amount !== null ? `, amount ${o.amount}` : ''}${o.closeDate ? `, close ${o.closeDate}` : ''}, ${by(o.owner)}`);
  }
  return lines;
}

export function resolveLines(s: ResolveSummary): string[] {
  if (s.status === 'not_found') {
    const as = { leadId: 'a Lead Id', contactId: 'a Contact Id', email: 'an email (Lead and Contact)', externalId: 'a Source_External_Id__c' }[s.matchedBy];
    return [`Nothing matches "${s.input}", looked up as ${as}`];
  }
  if (s.status === 'ambiguous') {
    return [
      `${s.matches.length} people match email "${s.input}"; resolve one of them by its lead id or external id:`,
      ...s.matches.flatMap((p, i) => [`  ${i + 1}.`, ...personLines(p, '     ')])
    ];
  }
  return personLines(s.person!);
}
