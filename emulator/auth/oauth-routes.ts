/**
 * OAuth 2.0 endpoints of the emulated org: token (client_credentials, password, refresh_token,
 * authorization_code (+PKCE), JWT bearer), authorize (auto-approves as the requested/admin user: there is no
 * login page), revoke, userinfo and the identity URL /id/<orgId>/<userId>.
 * Error bodies follow Salesforce: 400 {"error":"invalid_grant","error_description":"authentication failure"}.
 */
import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgContext } from '../core/types';
import { verifyJwtAssertion } from './jwt-bearer';
import { randomAlphanumeric, type IssuedTokens, type TokenService } from './tokens';
import { findUserById, findUserByUsername, identityNames, identityUrls, type OrgUser } from './users';

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  /** Certificate/public key for the JWT bearer flow (optional). */
  jwtKey?: KeyObject;
}

export interface OAuthDeps {
  ctx: OrgContext;
  tokens: TokenService;
  apps: ConnectedApp[];
  /** Password shared by every active user of the emulated org (password grant). */
  userPassword: string;
}

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const AUTH_CODE_TTL_MS = 15 * 60 * 1000;

interface PendingCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function oauthError(reply: FastifyReply, error: string, description: string, status = 400): FastifyReply {
  return reply
    .code(status)
    .type('application/json;charset=UTF-8')
    .send({ error, error_description: description });
}

/** Form fields from an x-www-form-urlencoded body (read raw by the app's parser), else from the query string. */
function formParams(request: FastifyRequest): URLSearchParams {
  const params = new URLSearchParams();
  const query = request.query as Record<string, unknown>;
  for (const [key, value] of Object.entries(query ?? {}))
    if (typeof value === 'string') params.set(key, value);
  const body = request.body;
  if (typeof body === 'string') for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
  else if (body && typeof body === 'object')
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') params.set(key, value);
  return params;
}

/** HTTP Basic client credentials (client_id:client_secret), Salesforce's alternative to form fields. */
function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | null {
  const header = request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1))
  };
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header && /^(bearer|oauth) /i.test(header)) return header.replace(/^(bearer|oauth) /i, '').trim();
  const query = request.query as Record<string, unknown>;
  return typeof query?.oauth_token === 'string' ? query.oauth_token : null;
}

export function registerOAuthRoutes(app: FastifyInstance, deps: OAuthDeps): void {
  const { ctx, tokens } = deps;
  const pendingCodes = new Map<string, PendingCode>();
  const appFor = (clientId: string | null | undefined): ConnectedApp | undefined =>
    deps.apps.find((candidate) => candidate.clientId === clientId);

  function identityUrl(userId: string): string {
    return `${ctx.baseUrl()}/id/${ctx.orgId}/${userId}`;
  }

  function tokenResponse(
    connectedApp: ConnectedApp,
    userId: string,
    issued: IssuedTokens,
    scope: string
  ): Record<string, string> {
    const id = identityUrl(userId);
    const issuedAt = String(issued.issuedAt.getTime());
    // Salesforce signs id + issued_at with the consumer secret (HMAC-SHA256, base64).
    const signature = createHmac('sha256', connectedApp.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    const body: Record<string, string> = { access_token: issued.accessToken };
    if (issued.refreshToken) body.refresh_token = issued.refreshToken;
    Object.assign(body, {
      signature,
      scope,
      instance_url: ctx.baseUrl(),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt
    });
    return body;
  }

  async function loginUser(username: string | null): Promise<OrgUser | null> {
    if (!username) return null;
    const user = await findUserByUsername(ctx, username);
    return user && user.isActive ? user : null;
  }

  app.post('/services/oauth2/token', async (request, reply) => {
    const params = formParams(request);
    const basic = basicCredentials(request);
    const clientId = params.get('client_id') ?? basic?.clientId ?? null;
    const clientSecret = params.get('client_secret') ?? basic?.clientSecret ?? null;
    const grantType = params.get('grant_type');

    if (grantType === JWT_BEARER_GRANT) {
      const assertion = params.get('assertion');
      if (!assertion) return oauthError(reply, 'invalid_request', 'assertion is required');
      const check = verifyJwtAssertion(assertion, (issuer) => appFor(issuer)?.jwtKey, ctx.now().getTime(), [
        ctx.baseUrl()
      ]);
      if (!check.ok) return oauthError(reply, 'invalid_grant', check.description);
      const connectedApp = appFor(check.clientId);
      const user = await loginUser(check.username);
      if (!connectedApp || !user)
        return oauthError(reply, 'invalid_grant', 'user hasn\u2019t approved this consumer');
      const scope = 'api';
      const issued = await tokens.issue({
        userId: user.id,
        clientId: connectedApp.clientId,
        scope,
        withRefreshToken: false
      });
      return reply.send(tokenResponse(connectedApp, user.id, issued, scope));
    }

    const connectedApp = appFor(clientId);
    if (!grantType) return oauthError(reply, 'unsupported_grant_type', 'grant type not supported');
    if (!connectedApp) return oauthError(reply, 'invalid_client_id', 'client identifier invalid');
    const secretOk = clientSecret !== null && safeEqual(clientSecret, connectedApp.clientSecret);

    switch (grantType) {
      case 'client_credentials': {
        if (!secretOk) return oauthError(reply, 'invalid_client', 'invalid client credentials');
        const scope = 'api';
        const issued = await tokens.issue({
          userId: ctx.defaultUserId,
          clientId: connectedApp.clientId,
          scope,
          withRefreshToken: false
        });
        return reply.send(tokenResponse(connectedApp, ctx.defaultUserId, issued, scope));
      }
      case 'password': {
        if (!secretOk) return oauthError(reply, 'invalid_client', 'invalid client credentials');
        const user = await loginUser(params.get('username'));
        const password = params.get('password') ?? '';
        if (!user || !safeEqual(password, deps.userPassword))
          return oauthError(reply, 'invalid_grant', 'authentication failure');
        // Like Salesforce, the username-password flow issues no refresh token.
        const scope = 'api';
        const issued = await tokens.issue({
          userId: user.id,
          clientId: connectedApp.clientId,
          scope,
          withRefreshToken: false
        });
        return reply.send(tokenResponse(connectedApp, user.id, issued, scope));
      }
      case 'refresh_token': {
        // The client secret is optional for refresh (public clients), but must be right when given.
        if (clientSecret !== null && !secretOk)
          return oauthError(reply, 'invalid_client', 'invalid client credentials');
        const refreshed = await tokens.refresh(params.get('refresh_token') ?? '', connectedApp.clientId);
        if (!refreshed) return oauthError(reply, 'invalid_grant', 'expired access/refresh token');
        return reply.send(tokenResponse(connectedApp, refreshed.userId, refreshed.tokens, refreshed.scope));
      }
      case 'authorization_code': {
        const code = params.get('code') ?? '';
        const pending = pendingCodes.get(code);
        pendingCodes.delete(code);
        if (!pending || pending.expiresAt < Date.now() || pending.clientId !== connectedApp.clientId) {
          return oauthError(reply, 'invalid_grant', 'invalid authorization code');
        }
        if (pending.codeChallenge !== null) {
          const verifier = params.get('code_verifier') ?? '';
          const computed = createHash('sha256').update(verifier).digest('base64url');
          if (!safeEqual(computed, pending.codeChallenge))
            return oauthError(reply, 'invalid_grant', 'invalid code verifier');
        } else if (!secretOk) {
          return oauthError(reply, 'invalid_client', 'invalid client credentials');
        }
        const redirectUri = params.get('redirect_uri');
        if (redirectUri !== null && redirectUri !== pending.redirectUri)
          return oauthError(reply, 'invalid_grant', 'redirect_uri must match configuration');
        const scope = 'api refresh_token';
        const issued = await tokens.issue({
          userId: pending.userId,
          clientId: connectedApp.clientId,
          scope,
          withRefreshToken: true
        });
        return reply.send(tokenResponse(connectedApp, pending.userId, issued, scope));
      }
      default:
        return oauthError(reply, 'unsupported_grant_type', 'grant type not supported');
    }
  });

  // Web-server flow. There is no login page: the request is approved at once for `login_hint` (a username)
  // or the admin user, and the browser is redirected back with a code.
  app.get('/services/oauth2/authorize', async (request, reply) => {
    const params = formParams(request);
    const connectedApp = appFor(params.get('client_id'));
    const redirectUri = params.get('redirect_uri');
    if (!connectedApp || !redirectUri || params.get('response_type') !== 'code') {
      return reply
        .code(400)
        .type('text/plain')
        .send('error=invalid_request: client_id, redirect_uri and response_type=code are required');
    }
    const hinted = params.get('login_hint');
    const user = hinted ? await loginUser(hinted) : await findUserById(ctx, ctx.defaultUserId);
    const target = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    if (!user) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'end-user denied authorization');
      return reply.redirect(target.toString(), 302);
    }
    const challenge = params.get('code_challenge');
    const code = `aPrx${randomAlphanumeric(40)}`;
    pendingCodes.set(code, {
      userId: user.id,
      clientId: connectedApp.clientId,
      redirectUri,
      codeChallenge: challenge,
      expiresAt: Date.now() + AUTH_CODE_TTL_MS
    });
    target.searchParams.set('code', code);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/services/oauth2/revoke', async (request, reply) => {
    const token = formParams(request).get('token');
    if (!token) return oauthError(reply, 'unsupported_token_type', 'this token type is not supported');
    const revoked = await tokens.revoke(token);
    if (!revoked) return oauthError(reply, 'invalid_token', 'invalid token');
    return reply.code(200).send();
  });

  async function userFromBearer(request: FastifyRequest): Promise<OrgUser | null> {
    const token = bearerToken(request);
    const info = token ? await tokens.validateToken(token) : null;
    return info ? findUserById(ctx, info.userId) : null;
  }

  const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = await userFromBearer(request);
    if (!user) return reply.code(403).type('text/plain').send('Bad_OAuth_Token');
    const names = identityNames(user);
    return reply.send({
      sub: identityUrl(user.id),
      user_id: user.id,
      organization_id: ctx.orgId,
      preferred_username: user.username,
      nickname: user.username.split('@')[0],
      name: names.displayName,
      email: names.email,
      email_verified: true,
      given_name: names.firstName,
      family_name: names.lastName,
      zoneinfo: names.timezone,
      photos: {
        picture: `${ctx.baseUrl()}/profilephoto/005/F`,
        thumbnail: `${ctx.baseUrl()}/profilephoto/005/T`
      },
      profile: `${ctx.baseUrl()}/${user.id}`,
      picture: `${ctx.baseUrl()}/profilephoto/005/F`,
      address: {},
      urls: identityUrls(ctx.baseUrl(), ctx.orgId, user.id),
      active: user.isActive,
      user_type: 'STANDARD',
      language: names.language,
      locale: names.locale,
      utcOffset: 0,
      updated_at: ctx
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      is_app_installed: true
    });
  };
  app.get('/services/oauth2/userinfo', userinfo);
  app.post('/services/oauth2/userinfo', userinfo);

  app.get('/id/:orgId/:userId', async (request, reply) => {
    const { orgId, userId } = request.params as { orgId: string; userId: string };
    const caller = await userFromBearer(request);
    if (!caller) return reply.code(403).type('text/plain').send('Bad_OAuth_Token');
    if (orgId.slice(0, 15) !== ctx.orgId.slice(0, 15))
      return reply.code(403).type('text/plain').send('Bad_Id');
    const user = await findUserById(ctx, userId);
    if (!user) return reply.code(404).type('text/plain').send('Bad_Id');
    const names = identityNames(user);
    return reply.send({
      id: identityUrl(user.id),
      asserted_user: caller.id === user.id,
      user_id: user.id,
      organization_id: ctx.orgId,
      username: user.username,
      nick_name: user.username.split('@')[0],
      display_name: names.displayName,
      email: names.email,
      email_verified: true,
      first_name: names.firstName,
      last_name: names.lastName,
      timezone: names.timezone,
      photos: {
        picture: `${ctx.baseUrl()}/profilephoto/005/F`,
        thumbnail: `${ctx.baseUrl()}/profilephoto/005/T`
      },
      addr_street: null,
      addr_city: null,
      addr_state: null,
      addr_country: null,
      addr_zip: null,
      mobile_phone: null,
      mobile_phone_verified: false,
      is_lightning_login_user: false,
      status: { created_date: null, body: null },
      urls: identityUrls(ctx.baseUrl(), ctx.orgId, user.id),
      active: user.isActive,
      user_type: 'STANDARD',
      language: names.language,
      locale: names.locale,
      utcOffset: 0,
      last_modified_date: ctx.now().toISOString().replace('Z', '+0000'),
      is_app_installed: true
    });
  });
}
