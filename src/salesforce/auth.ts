/**
 * Resolves which org to talk to and opens an authenticated jsforce Connection on the counting transport.
 * Order: --target-org (sf CLI auth store) > env credentials (client_credentials or JWT bearer) > local emulator.
 */
import fs from 'node:fs';
import { Connection } from '@jsforce/jsforce-node';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { ErrorCode, OrgConnectionError } from '../shared/errors';
import { scrubString } from '../shared/redact';
import type { OrgTarget } from './types';
import { CountingTransport } from './transport';
import type { MutableUsageCounter } from './usage';

export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:4010';
export const EMULATOR_CLIENT_ID = 'leadflow-local';
export const EMULATOR_CLIENT_SECRET = 'leadflow-local-secret';
const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

type Env = Record<string, string | undefined>;

/** How the client will authenticate; secrets live here and never in OrgTarget. */
export type Credentials =
  | { kind: 'sf-alias'; aliasOrUsername: string }
  | { kind: 'client_credentials'; target: 'env' | 'emulator'; instanceUrl: string; clientId: string; clientSecret: string }
  | { kind: 'jwt'; loginUrl: string; username: string; clientId: string; keyFile: string; audience: string };

const urlSchema = z.string().url();

/** Picks credentials from flags and env, failing fast on half-configured env credentials. */
export function resolveCredentials(opts: { targetOrg?: string; env?: Env; emulatorUrl?: string }): Credentials {
  const env = opts.env ?? process.env;
  if (opts.targetOrg) return { kind: 'sf-alias', aliasOrUsername: opts.targetOrg };

  const has = (k: string) => Boolean(env[k] && env[k]!.trim());
  const anySf = ['SF_INSTANCE_URL', 'SF_CLIENT_ID', 'SF_CLIENT_SECRET', 'SF_USERNAME', 'SF_JWT_KEY_FILE'].filter(has);
  if (anySf.length > 0) {
    const checkUrl = (k: string) => {
      if (has(k) && !urlSchema.safeParse(env[k]).success) {
        throw new OrgConnectionError(ErrorCode.OrgCredentials, `${k} is not a valid URL: ${JSON.stringify(env[k])}`);
      }
    };
    checkUrl('SF_INSTANCE_URL');
    checkUrl('SF_LOGIN_URL');
    if (has('SF_JWT_KEY_FILE') || has('SF_USERNAME')) {
      const missing = ['SF_USERNAME', 'SF_CLIENT_ID', 'SF_JWT_KEY_FILE'].filter((k) => !has(k));
      if (missing.length) {
        throw new OrgConnectionError(
          ErrorCode.OrgCredentials,
          `JWT bearer credentials are incomplete: set ${missing.join(', ')} (found ${anySf.join(', ')})`
        );
      }
      const loginUrl = (env.SF_LOGIN_URL || env.SF_INSTANCE_URL || DEFAULT_LOGIN_URL).replace(/\/+$/, '');
      return {
        kind: 'jwt',
        loginUrl,
        username: env.SF_USERNAME!,
        clientId: env.SF_CLIENT_ID!,
        keyFile: env.SF_JWT_KEY_FILE!,
        audience: env.SF_JWT_AUDIENCE || jwtAudience(loginUrl)
      };
    }
    const missing = ['SF_INSTANCE_URL', 'SF_CLIENT_ID', 'SF_CLIENT_SECRET'].filter((k) => !has(k));
    if (missing.length) {
      throw new OrgConnectionError(
        ErrorCode.OrgCredentials,
        `client_credentials are incomplete: set ${missing.join(', ')} (found ${anySf.join(', ')}); ` +
          'or set SF_USERNAME + SF_CLIENT_ID + SF_JWT_KEY_FILE for the JWT bearer flow'
      );
    }
    return {
      kind: 'client_credentials',
      target: 'env',
      instanceUrl: env.SF_INSTANCE_URL!.replace(/\/+$/, ''),
      clientId: env.SF_CLIENT_ID!,
      clientSecret: env.SF_CLIENT_SECRET!
    };
  }

  const emulatorUrl = (opts.emulatorUrl || env.LEADFLOW_EMULATOR_URL || DEFAULT_EMULATOR_URL).replace(/\/+$/, '');
  if (!urlSchema.safeParse(emulatorUrl).success) {
    throw new OrgConnectionError(ErrorCode.OrgCredentials, `emulator URL is not a valid URL: ${JSON.stringify(emulatorUrl)}`);
  }
  return {
    kind: 'client_credentials',
    target: 'emulator',
    instanceUrl: emulatorUrl,
    clientId: EMULATOR_CLIENT_ID,
    clientSecret: EMULATOR_CLIENT_SECRET
  };
}

/** The JWT `aud` Salesforce expects: test.salesforce.com for sandboxes, login.salesforce.com for production, else the login URL itself. */
export function jwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  if (host === 'test.salesforce.com' || host.includes('.sandbox.')) return 'https://test.salesforce.com';
  if (host.endsWith('salesforce.com')) return 'https://login.salesforce.com';
  return loginUrl;
}

export interface OpenedConnection {
  connection: Connection;
  target: OrgTarget;
}

/** Opens and authenticates a connection. All HTTP traffic goes through a CountingTransport bound to `usage`. */
export async function openConnection(creds: Credentials, apiVersion: string, usage: MutableUsageCounter): Promise<OpenedConnection> {
  const transport = new CountingTransport(usage);
  try {
    switch (creds.kind) {
      case 'sf-alias':
        return await openSfAlias(creds.aliasOrUsername, apiVersion, transport);
      case 'client_credentials': {
        const conn = new Connection({
          instanceUrl: creds.instanceUrl,
          loginUrl: creds.instanceUrl,
          version: apiVersion,
          oauth2: { loginUrl: creds.instanceUrl, clientId: creds.clientId, clientSecret: creds.clientSecret },
          // client_credentials issues no refresh token: a refresh is simply a new token request.
          refreshFn: (c, callback) => {
            requestToken(c, { grant_type: 'client_credentials' }).then(
              (token) => callback(undefined, token),
              (err: Error) => callback(err)
            );
          }
        });
        useTransport(conn, transport);
        await requestToken(conn, { grant_type: 'client_credentials' });
        return {
          connection: conn,
          target: {
            kind: creds.target,
            instanceUrl: conn.instanceUrl,
            username: undefined,
            label: `${creds.target === 'emulator' ? 'local emulator' : 'env client_credentials'} at ${conn.instanceUrl}`
          }
        };
      }
      case 'jwt': {
        const key = fs.readFileSync(creds.keyFile, 'utf8');
        const grant = async () => ({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: await signJwtAssertion({ clientId: creds.clientId, username: creds.username, audience: creds.audience, privateKeyPem: key })
        });
        const conn = new Connection({
          loginUrl: creds.loginUrl,
          version: apiVersion,
          oauth2: { loginUrl: creds.loginUrl, clientId: creds.clientId },
          refreshFn: (c, callback) => {
            grant()
              .then((params) => requestToken(c, params))
              .then(
                (token) => callback(undefined, token),
                (err: Error) => callback(err)
              );
          }
        });
        useTransport(conn, transport);
        await requestToken(conn, await grant());
        return {
          connection: conn,
          target: { kind: 'env', instanceUrl: conn.instanceUrl, username: creds.username, label: `env JWT bearer ${creds.username} at ${conn.instanceUrl}` }
        };
      }
    }
  } catch (err) {
    if (err instanceof OrgConnectionError) throw err;
    throw toConnectionError(err, creds);
  }
}

/** Sends a token request through the connection's oauth2 client (counted as `auth`) and installs the new session. */
async function requestToken(conn: Connection, params: Record<string, string>): Promise<string> {
  const res = await conn.oauth2.requestToken(params as never);
  const idMatch = /\/id\/([^/]+)\/([^/]+)$/.exec(res.id ?? '');
  conn._establish({
    instanceUrl: res.instance_url,
    accessToken: res.access_token,
    userInfo: idMatch ? { id: idMatch[2]!, organizationId: idMatch[1]!, url: res.id } : undefined
  } as never);
  return res.access_token;
}

async function openSfAlias(aliasOrUsername: string, apiVersion: string, transport: CountingTransport): Promise<OpenedConnection> {
  let core: typeof import('@salesforce/core');
  try {
    core = await import('@salesforce/core');
  } catch (err) {
    // Seen on Node 20: @salesforce/core 8.32 pulls jsforce-node 3.12 + undici 8, which need Node 22.
    throw new OrgConnectionError(
      ErrorCode.OrgCredentials,
      `--target-org needs @salesforce/core, which cannot be loaded on Node ${process.version}: ${scrubString((err as Error).message)}. ` +
        'Use SF_* env credentials (client credentials or JWT) instead, or see docs/configuration.md.',
      { cause: err }
    );
  }
  const org = await core.Org.create({ aliasOrUsername });
  const conn = org.getConnection(apiVersion) as unknown as Connection;
  useTransport(conn, transport);
  const username = org.getUsername();
  return {
    connection: conn,
    target: { kind: 'sf-alias', instanceUrl: conn.instanceUrl, username, label: `sf org ${aliasOrUsername} (${username ?? 'unknown user'}) at ${conn.instanceUrl}` }
  };
}

/** jsforce keeps its transport in private fields; both the REST client and its OAuth2 client get ours. */
function useTransport(conn: Connection, transport: CountingTransport): void {
  (conn as unknown as { _transport: unknown })._transport = transport;
  (conn.oauth2 as unknown as { _transport: unknown })._transport = transport;
}

/** RS256 JWT for the OAuth 2.0 JWT bearer flow (valid 3 minutes, as Salesforce recommends). */
export async function signJwtAssertion(input: { clientId: string; username: string; audience: string; privateKeyPem: string }): Promise<string> {
  // The same library and claims @salesforce/core uses for `sf org login jwt`.
  return jwt.sign({}, input.privateKeyPem, {
    algorithm: 'RS256',
    issuer: input.clientId,
    subject: input.username,
    audience: input.audience,
    expiresIn: '3m'
  });
}

function toConnectionError(err: unknown, creds: Credentials): OrgConnectionError {
  const e = err as Error & { code?: string; errorCode?: string; name?: string };
  const where =
    creds.kind === 'sf-alias' ? `sf org "${creds.aliasOrUsername}"` : creds.kind === 'jwt' ? creds.loginUrl : creds.instanceUrl;
  const networkCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'];
  const code = e?.code ?? e?.errorCode ?? e?.name;
  const causeCode = (e as { cause?: { code?: string } })?.cause?.code;
  if ((code && networkCodes.includes(code)) || (causeCode && networkCodes.includes(causeCode)) || /ECONNREFUSED|ENOTFOUND|fetch failed/.test(String(e?.message))) {
    const hint = creds.kind === 'client_credentials' && creds.target === 'emulator' ? ' (start it with `leadflow emulator` or `npm run emulator`)' : '';
    return new OrgConnectionError(ErrorCode.OrgUnreachable, `Cannot reach ${where}${hint}: ${scrubString(String(e?.message ?? err))}`, { cause: err });
  }
  return new OrgConnectionError(ErrorCode.OrgAuth, `Authentication with ${where} failed: ${scrubString(String(e?.message ?? err))}`, { cause: err });
}
