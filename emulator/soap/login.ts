/**
 * Partner API `login` and `logout` (what jsforce's default `conn.login(username, password)` and
 * `conn.logout()` call). login answers the LoginResult of the Partner WSDL (metadataServerUrl,
 * passwordExpired, sandbox, serverUrl, sessionId, userId, userInfo); the session is an ordinary
 * access token of the org, so REST, Bulk and SOAP accept it and logout revokes it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { TokenService } from '../auth/tokens';
import { findUserByUsername, identityNames, type OrgUser } from '../auth/users';
import type { OrgContext } from '../core/types';
import { SoapFault, textOf, xmlElement } from './envelope';

/** Client id recorded on sessions opened by SOAP login (they belong to no connected app). */
export const SOAP_LOGIN_CLIENT_ID = 'SOAP API login()';

/**
 * Salesforce removed login() from API version 65.0 (Winter '26); versions 31.0-64.0 keep it until
 * Summer '27 (SOAP API End-of-Life Policy, "Platform SOAP API login() Retirement").
 */
export const LAST_LOGIN_API_VERSION = 64;

export interface SoapSessionDeps {
  tokens: Pick<TokenService, 'issue' | 'revoke' | 'ttlSeconds'>;
  /** Password shared by every active user of the emulated org (as for the OAuth password grant). */
  userPassword: string;
}

type LoginContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'orgId' | 'baseUrl'>;

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Salesforce's answer to a wrong username or password, an inactive user or a locked one: one message for all. */
export function invalidLoginFault(): SoapFault {
  const message = 'Invalid username, password, security token; or user locked out.';
  return new SoapFault(
    'sf:INVALID_LOGIN',
    `INVALID_LOGIN: ${message}`,
    { exceptionCode: 'INVALID_LOGIN', exceptionMessage: message },
    'LoginFault'
  );
}

/** login() sent to a version that no longer has it: the operation is not in that version's WSDL. */
export function loginNotInVersionFault(version: string): SoapFault {
  return new SoapFault(
    'soapenv:Client',
    `No operation available for request {urn:partner.soap.sforce.com}login, please check the WSDL for the service. SOAP API login() is not available in API version ${version}; use API version ${LAST_LOGIN_API_VERSION}.0 or earlier, or OAuth.`
  );
}

function field(payload: unknown, name: string): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  return textOf((payload as Record<string, unknown>)[name]);
}

function str(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

async function organizationName(ctx: LoginContext): Promise<string> {
  const org = await ctx.records.retrieve('Organization', ctx.orgId, ['Name']);
  return (org && str(org, 'Name')) ?? 'Local Org';
}

function userInfoXml(ctx: LoginContext, user: OrgUser, orgName: string, sessionSeconds: number): string {
  const names = identityNames(user);
  const record = user.record;
  // Element order follows the Partner WSDL's GetUserInfoResult sequence.
  const parts: Array<[string, string | number | boolean | null]> = [
    ['accessibilityMode', false],
    ['chatterExternal', false],
    ['currencySymbol', '$'],
    ['orgAttachmentFileSizeLimit', 5242880],
    ['orgDefaultCurrencyIsoCode', 'USD'],
    ['orgDefaultCurrencyLocale', 'en_US'],
    ['orgDisallowHtmlAttachments', false],
    ['orgHasPersonAccounts', false],
    ['organizationId', ctx.orgId],
    ['organizationMultiCurrency', false],
    ['organizationName', orgName],
    ['profileId', str(record, 'ProfileId')],
    ['roleId', str(record, 'UserRoleId')],
    ['sessionSecondsValid', sessionSeconds],
    ['userDefaultCurrencyIsoCode', null],
    ['userEmail', names.email ?? ''],
    ['userFullName', names.displayName],
    ['userId', user.id],
    ['userLanguage', names.language],
    ['userLocale', names.locale],
    ['userName', user.username],
    ['userTimeZone', names.timezone],
    ['userType', str(record, 'UserType') ?? 'Standard'],
    ['userUiSkin', 'Theme3']
  ];
  return `<userInfo>${parts.map(([name, value]) => xmlElement(name, value)).join('')}</userInfo>`;
}

/** Checks the credentials and opens a session; the `<result>` of loginResponse. Throws INVALID_LOGIN. */
export async function soapLogin(ctx: LoginContext, deps: SoapSessionDeps, version: string, payload: unknown): Promise<string> {
  const username = field(payload, 'username');
  const password = field(payload, 'password') ?? '';
  const user = username ? await findUserByUsername(ctx, username) : null;
  if (!user || !user.isActive || !safeEqual(password, deps.userPassword)) throw invalidLoginFault();
  const issued = await deps.tokens.issue({ userId: user.id, clientId: SOAP_LOGIN_CLIENT_ID, scope: 'api', withRefreshToken: false });
  const base = ctx.baseUrl();
  // Salesforce puts the 15-character org id at the end of the server URLs.
  const org15 = ctx.orgId.slice(0, 15);
  const sessionSeconds = deps.tokens.ttlSeconds() ?? 86400 * 365;
  return (
    '<result>' +
    xmlElement('metadataServerUrl', `${base}/services/Soap/m/${version}/${org15}`) +
    xmlElement('passwordExpired', false) +
    xmlElement('sandbox', false) +
    xmlElement('serverUrl', `${base}/services/Soap/u/${version}/${org15}`) +
    xmlElement('sessionId', issued.accessToken) +
    xmlElement('userId', user.id) +
    userInfoXml(ctx, user, await organizationName(ctx), sessionSeconds) +
    '</result>'
  );
}

/** Ends the session of the SessionHeader: later REST, Bulk and SOAP calls with it get INVALID_SESSION_ID. */
export async function soapLogout(deps: SoapSessionDeps, sessionId: string): Promise<void> {
  await deps.tokens.revoke(sessionId);
}
