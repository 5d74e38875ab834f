/** User lookups for the OAuth endpoints (login by username, identity/userinfo payloads). */
import type { OrgContext, SObjectRecord } from '../core/types';

export interface OrgUser {
  id: string;
  username: string;
  isActive: boolean;
  record: SObjectRecord;
}

function text(record: SObjectRecord, field: string): string | null {
  const value = record[field];
  return typeof value === 'string' ? value : null;
}

function toOrgUser(record: SObjectRecord | null): OrgUser | null {
  if (!record) return null;
  const id = text(record, 'Id');
  const username = text(record, 'Username');
  if (!id || !username) return null;
  return { id, username, isActive: record.IsActive !== false, record };
}

export async function findUserById(
  ctx: Pick<OrgContext, 'records'>,
  userId: string
): Promise<OrgUser | null> {
  return toOrgUser(await ctx.records.retrieve('User', userId));
}

/** Usernames are case-insensitive in Salesforce. */
export async function findUserByUsername(
  ctx: Pick<OrgContext, 'db' | 'schema' | 'records'>,
  username: string
): Promise<OrgUser | null> {
  const userObject = ctx.schema.get('User');
  if (!userObject) return null;
  const result = await ctx.db.query<{ id: string }>(
    `SELECT "id" FROM "${userObject.table}" WHERE lower("username") = lower($1) AND NOT "isdeleted" LIMIT 1`,
    [username]
  );
  const row = result.rows[0];
  return row ? findUserById(ctx, row.id) : null;
}

export interface IdentityNames {
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  timezone: string;
  language: string;
  locale: string;
}

export function identityNames(user: OrgUser): IdentityNames {
  const first = text(user.record, 'FirstName');
  const last = text(user.record, 'LastName');
  const name = text(user.record, 'Name') ?? [first, last].filter(Boolean).join(' ');
  return {
    displayName: name || user.username,
    firstName: first,
    lastName: last,
    email: text(user.record, 'Email'),
    timezone: text(user.record, 'TimeZoneSidKey') ?? 'Europe/London',
    language: text(user.record, 'LanguageLocaleKey') ?? 'en_US',
    locale: text(user.record, 'LocaleSidKey') ?? 'en_US'
  };
}

/** The `urls` block of identity/userinfo responses. `{version}` is literal: clients substitute it. */
export function identityUrls(baseUrl: string, orgId: string, userId: string): Record<string, string> {
  const data = `${baseUrl}/services/data/v{version}`;
  return {
    enterprise: `${baseUrl}/services/Soap/c/{version}/${orgId}`,
    metadata: `${baseUrl}/services/Soap/m/{version}/${orgId}`,
    partner: `${baseUrl}/services/Soap/u/{version}/${orgId}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${baseUrl}/services/Soap/T/{version}/${orgId}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${baseUrl}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: baseUrl
  };
}
