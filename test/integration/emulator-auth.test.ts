/**
 * OAuth in the emulator: client_credentials, password, authorization code (+PKCE) with refresh tokens,
 * JWT bearer, revoke, expiry, jsforce's automatic refresh on 401, userinfo and the identity URL.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import { startTestOrg, TEST_API_VERSION, type TestOrg } from '../helpers/emulator';

jest.setTimeout(120000);

const CLIENT_ID = 'leadflow-local';
const CLIENT_SECRET = 'leadflow-local-secret';
const ADMIN_ID = '005000000000001AAA';
const TOKEN_SHAPE = /^00D000000000001!AQ0Emu\.[A-Za-z0-9]+$/;

let org: TestOrg;
let clockOffsetMs = 0;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(async () => {
  org = await startTestOrg({
    tokenTtlSeconds: 600,
    now: () => new Date(Date.now() + clockOffsetMs),
    jwtCertificate: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  });
});

afterAll(async () => {
  await org?.close();
});

afterEach(() => {
  clockOffsetMs = 0;
});

function oauth2(extra: Partial<ConstructorParameters<typeof OAuth2>[0]> = {}): OAuth2 {
  return new OAuth2({
    loginUrl: org.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: 'http://localhost:1717/OauthRedirect',
    ...extra
  });
}

async function tokenCall(
  params: Record<string, string>
): Promise<{ status: number; json: Record<string, string> }> {
  const response = await fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString()
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

function jwtAssertion(claims: Record<string, unknown>, key = privateKey): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

describe('token endpoint', () => {
  it('should issue a client_credentials token running as the admin user, usable by jsforce', async () => {
    const conn = new Connection({ oauth2: oauth2(), version: TEST_API_VERSION });
    const userInfo = await conn.authorize({ grant_type: 'client_credentials' });
    expect(userInfo).toMatchObject({ id: ADMIN_ID, organizationId: '00D000000000001AAA' });
    expect(conn.accessToken).toMatch(TOKEN_SHAPE);
    expect(conn.instanceUrl).toBe(org.url);
    const result = await conn.query("SELECT Id FROM User WHERE Username = 'admin@leadflow.local'");
    expect(result.totalSize).toBe(1);
  });

  it('should return the documented token response fields', async () => {
    const { status, json } = await tokenCall({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET
    });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual([
      'access_token',
      'id',
      'instance_url',
      'issued_at',
      'scope',
      'signature',
      'token_type'
    ]);
    expect(json).toMatchObject({
      token_type: 'Bearer',
      instance_url: org.url,
      id: `${org.url}/id/00D000000000001AAA/${ADMIN_ID}`
    });
    expect(json.issued_at).toMatch(/^\d{13}$/);
  });

  it('should log in with username and password and refuse a wrong password', async () => {
    const conn = new Connection({ oauth2: oauth2(), version: TEST_API_VERSION });
    const userInfo = await conn.login('sam.seller@leadflow.local', 'leadflow');
    expect(userInfo.id).toBe('005000000000002AAA');
    const wrong = await new Connection({ oauth2: oauth2(), version: TEST_API_VERSION })
      .login('sam.seller@leadflow.local', 'nope')
      .catch((e: Error) => e);
    expect(wrong).toBeInstanceOf(Error);
    expect((wrong as Error).name).toBe('invalid_grant');
    expect((wrong as Error).message).toBe('authentication failure');
    const raw = await tokenCall({
      grant_type: 'password',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      username: 'nobody@x',
      password: 'leadflow'
    });
    expect(raw).toEqual({
      status: 400,
      json: { error: 'invalid_grant', error_description: 'authentication failure' }
    });
  });

  it('should refuse bad client credentials and unknown grant types', async () => {
    expect(
      await tokenCall({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong' })
    ).toEqual({
      status: 400,
      json: { error: 'invalid_client', error_description: 'invalid client credentials' }
    });
    expect(
      (await tokenCall({ grant_type: 'client_credentials', client_id: 'other', client_secret: 'x' })).json
        .error
    ).toBe('invalid_client_id');
    expect((await tokenCall({ grant_type: 'magic', client_id: CLIENT_ID })).json.error).toBe(
      'unsupported_grant_type'
    );
  });

  it('should accept a JWT bearer assertion signed with the registered key and refuse others', async () => {
    const exp = Math.floor(Date.now() / 1000) + 180;
    const good = await tokenCall({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: jwtAssertion({
        iss: CLIENT_ID,
        sub: 'riley.rep@leadflow.local',
        aud: 'https://login.salesforce.com',
        exp
      })
    });
    expect(good.status).toBe(200);
    expect(good.json.access_token).toMatch(TOKEN_SHAPE);
    expect(good.json.id).toBe(`${org.url}/id/00D000000000001AAA/005000000000003AAA`);
    expect(good.json.refresh_token).toBeUndefined();

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await tokenCall({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: jwtAssertion(
        { iss: CLIENT_ID, sub: 'riley.rep@leadflow.local', aud: 'https://login.salesforce.com', exp },
        otherKey
      )
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error).toBe('invalid_grant');
    const expired = await tokenCall({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: jwtAssertion({
        iss: CLIENT_ID,
        sub: 'riley.rep@leadflow.local',
        aud: 'https://login.salesforce.com',
        exp: exp - 3600
      })
    });
    expect(expired.json.error).toBe('invalid_grant');
  });
});

describe('sessions', () => {
  it('should answer 401 INVALID_SESSION_ID for a bad token', async () => {
    const response = await fetch(`${org.url}/services/data/v62.0/limits`, {
      headers: { authorization: 'Bearer 00D000000000001!AQ0Emu.forged' }
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }
    ]);
    const none = await fetch(`${org.url}/services/data/v62.0/limits`);
    expect(none.status).toBe(401);
  });

  it('should expire tokens after the configured TTL', async () => {
    const token = await org.emulator.issueAccessToken();
    const conn = org.connection(token);
    await expect(conn.query('SELECT Id FROM User LIMIT 1')).resolves.toMatchObject({ done: true });
    clockOffsetMs = 601_000;
    const error = await Promise.resolve(conn.query('SELECT Id FROM User LIMIT 1')).catch(
      (e: Error & { errorCode?: string }) => e
    );
    expect((error as { errorCode?: string }).errorCode).toBe('INVALID_SESSION_ID');
  });

  it('should revoke an access token', async () => {
    const token = await org.emulator.issueAccessToken();
    const revoke = await fetch(`${org.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString()
    });
    expect(revoke.status).toBe(200);
    const after = await fetch(`${org.url}/services/data/v62.0/limits`, {
      headers: { authorization: `Bearer ${token}` }
    });
    expect(after.status).toBe(401);
  });

  it('should let jsforce refresh an expired session with the refresh token from the web-server flow (PKCE)', async () => {
    const flow = oauth2({ useVerifier: true });
    const authorize = await fetch(flow.getAuthorizationUrl({ state: 'abc' }), { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const redirect = new URL(authorize.headers.get('location') ?? '');
    expect(redirect.origin + redirect.pathname).toBe('http://localhost:1717/OauthRedirect');
    expect(redirect.searchParams.get('state')).toBe('abc');
    const code = redirect.searchParams.get('code') ?? '';

    const conn = new Connection({ oauth2: flow, version: TEST_API_VERSION });
    await conn.authorize(code);
    expect(conn.refreshToken).toBeTruthy();
    const firstToken = conn.accessToken;

    // Every access token expires (refresh tokens survive), then jsforce gets a 401 and refreshes once.
    clockOffsetMs = 601_000;
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    const result = await conn.query('SELECT Id FROM User LIMIT 1');
    expect(result.totalSize).toBe(1);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).not.toBe(firstToken);
    expect(conn.accessToken).toMatch(TOKEN_SHAPE);
  });

  it('should refuse a refresh token after it is revoked', async () => {
    const flow = oauth2();
    const authorize = await fetch(flow.getAuthorizationUrl(), { redirect: 'manual' });
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await flow.requestToken(code);
    expect(tokens.refresh_token).toBeTruthy();
    await fetch(`${org.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token as string }).toString()
    });
    const error = await flow.refreshToken(tokens.refresh_token as string).catch((e: Error) => e);
    expect((error as Error).name).toBe('invalid_grant');
  });
});

describe('identity', () => {
  it('should serve userinfo and the identity URL (jsforce identity())', async () => {
    const conn = org.connection();
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      user_id: ADMIN_ID,
      organization_id: '00D000000000001AAA',
      username: 'admin@leadflow.local',
      display_name: 'Admin User'
    });
    expect(identity.urls.rest).toBe(`${org.url}/services/data/v{version}/`);

    const userinfo = await fetch(`${org.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${org.accessToken}`, 'content-type': 'application/json' }
    });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({
      user_id: ADMIN_ID,
      organization_id: '00D000000000001AAA',
      preferred_username: 'admin@leadflow.local'
    });

    const bad = await fetch(`${org.url}/services/oauth2/userinfo`, {
      headers: { authorization: 'Bearer nope' }
    });
    expect(bad.status).toBe(403);
  });
});
