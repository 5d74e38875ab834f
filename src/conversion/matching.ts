/**
 * The one account/contact matching definition (docs/conversion.md "Matching"), shared with Apex
 * LeadConvertService.decideMatch through the vectors in force-app/main/default/staticresources/MatchingVectors.json:
 * domain = registrable domain of Website, else of Email unless free-mail; accounts whose Website_Domain__c equals
 * the domain win; only when none does, accounts whose normalised name equals the lead's normalised Company.
 * Several candidates at the deciding step make the match ambiguous. The contact reused is one under the matched
 * account with the lead's email (case-insensitive); a contact with that email elsewhere is reported as a duplicate risk.
 */
import { emailDomain, normaliseCompanyName, websiteDomain } from './matching-keys';

export interface MatchLead {
  Website?: string | null;
  Email?: string | null;
  Company?: string | null;
}
export interface MatchAccount {
  Id: string;
  Name: string;
  Website_Domain__c?: string | null;
}
export interface MatchContact {
  Id: string;
  AccountId?: string | null;
  Email?: string | null;
}

export interface MatchDecision {
  domain: string | null;
  nameKey: string | null;
  /** The account the lead lands on; null when none matches or the match is ambiguous. */
  accountId: string | null;
  matchedBy: 'domain' | 'name' | null;
  /** Ids of the accounts that tie at the deciding step (empty unless ambiguous). */
  ambiguous: string[];
  /** Existing contact under the matched account with the lead's email. */
  contactId: string | null;
  /** Contacts with the lead's email under other accounts: converting creates a second person. */
  duplicateContactIds: string[];
}

export function leadDomain(lead: MatchLead, extraPersonalDomains: Iterable<string> = []): string | null {
  return websiteDomain(lead.Website) ?? emailDomain(lead.Email, extraPersonalDomains);
}

export function decideMatch(
  lead: MatchLead,
  accounts: MatchAccount[],
  contacts: MatchContact[],
  extraPersonalDomains: Iterable<string> = []
): MatchDecision {
  const domain = leadDomain(lead, extraPersonalDomains);
  const nameKey = normaliseCompanyName(lead.Company);
  const byDomain = domain ? accounts.filter((a) => a.Website_Domain__c?.toLowerCase() === domain) : [];
  const byName = nameKey ? accounts.filter((a) => normaliseCompanyName(a.Name) === nameKey) : [];
  const [tier, matchedBy] = byDomain.length > 0 ? [byDomain, 'domain' as const] : [byName, 'name' as const];
  const unique = [...new Map(tier.map((a) => [a.Id, a])).values()].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  const account = unique.length === 1 ? unique[0]! : null;
  const email = lead.Email?.trim().toLowerCase();
  const sameEmail = email ? contacts.filter((c) => c.Email?.trim().toLowerCase() === email) : [];
  const contact = account ? sameEmail.find((c) => c.AccountId === account.Id) : undefined;
  return {
    domain,
    nameKey,
    accountId: account?.Id ?? null,
    matchedBy: unique.length > 0 ? matchedBy : null,
    ambiguous: unique.length > 1 ? unique.map((a) => a.Id) : [],
    contactId: contact?.Id ?? null,
    duplicateContactIds: contact ? [] : sameEmail.map((c) => c.Id).sort()
  };
}
