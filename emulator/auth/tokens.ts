/**
 * OAuth access/refresh tokens, persisted in PGlite (table emu_oauth_token) so they survive a restart.
 * Only a SHA-256 of each token is stored: the data dir never holds a usable credential.
 * Access tokens look like `00D000000000001!AQ0Emu.<random>`, the shape sf CLI's token regex accepts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import type { AuthService, TokenInfo } from '../core/types';

export const DEFAULT_TOKEN_TTL_SECONDS = 7200;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random [A-Za-z0-9] string (rejection sampling keeps the distribution uniform). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC.charAt(byte % ALPHANUMERIC.length);
    }
  }
  return out;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  issuedAt: Date;
  expiresAt: Date | null;
}

export interface IssueRequest {
  userId: string;
  clientId: string;
  scope: string;
  withRefreshToken: boolean;
}

export interface TokenService extends AuthService {
  issue(request: IssueRequest): Promise<IssuedTokens>;
  /** New access token for a refresh token issued to clientId; null when the refresh token is unknown or revoked. */
  refresh(
    refreshToken: string,
    clientId: string
  ): Promise<{ tokens: IssuedTokens; userId: string; scope: string } | null>;
  /** Revoke an access or refresh token (revoking a refresh token also revokes the access tokens it produced). */
  revoke(token: string): Promise<boolean>;
  /** Expire every access token now (fault injection: "all sessions expired"). Returns how many were live. */
  expireAllAccessTokens(): Promise<number>;
  setTtlSeconds(seconds: number | null): void;
  ttlSeconds(): number | null;
  scopeOf(token: string): Promise<string | null>;
}

export interface TokenServiceOptions {
  db: PGlite;
  orgId: string;
  now: () => Date;
  /** Access-token lifetime; null = never expires. */
  ttlSeconds: number | null;
}

interface TokenRow {
  kind: string;
  user_id: string;
  client_id: string;
  scope: string;
  issued_at: Date;
  expires_at: Date | null;
  revoked: boolean;
  parent_hash: string | null;
}

export async function createTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const { db, orgId, now } = options;
  let ttl = options.ttlSeconds;
  await db.exec(`
    CREATE TABLE IF NOT EXISTS emu_oauth_token (
      token_hash text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
      user_id text NOT NULL,
      client_id text NOT NULL,
      scope text NOT NULL,
      issued_at timestamptz NOT NULL,
      expires_at timestamptz,
      revoked boolean NOT NULL DEFAULT false,
      parent_hash text
    );
    CREATE INDEX IF NOT EXISTS emu_oauth_token_parent ON emu_oauth_token (parent_hash);
  `);

  const org15 = orgId.slice(0, 15);

  async function insertAccess(
    userId: string,
    clientId: string,
    scope: string,
    parentHash: string | null
  ): Promise<IssuedTokens> {
    const issuedAt = now();
    const expiresAt = ttl === null ? null : new Date(issuedAt.getTime() + ttl * 1000);
    const accessToken = `${org15}!AQ0Emu.${randomAlphanumeric(64)}`;
    await db.query(
      `INSERT INTO emu_oauth_token (token_hash, kind, user_id, client_id, scope, issued_at, expires_at, parent_hash)
       VALUES ($1, 'access', $2, $3, $4, $5, $6, $7)`,
      [
        hashToken(accessToken),
        userId,
        clientId,
        scope,
        issuedAt.toISOString(),
        expiresAt?.toISOString() ?? null,
        parentHash
      ]
    );
    return { accessToken, issuedAt, expiresAt };
  }

  async function findRow(token: string): Promise<TokenRow | undefined> {
    const result = await db.query<TokenRow>(
      `SELECT kind, user_id, client_id, scope, issued_at, expires_at, revoked, parent_hash FROM emu_oauth_token WHERE token_hash = $1`,
      [hashToken(token)]
    );
    return result.rows[0];
  }

  return {
    async issue(request: IssueRequest): Promise<IssuedTokens> {
      if (!request.withRefreshToken)
        return insertAccess(request.userId, request.clientId, request.scope, null);
      const refreshToken = `5Aep861Emu${randomAlphanumeric(80)}`;
      const refreshHash = hashToken(refreshToken);
      await db.query(
        `INSERT INTO emu_oauth_token (token_hash, kind, user_id, client_id, scope, issued_at) VALUES ($1, 'refresh', $2, $3, $4, $5)`,
        [refreshHash, request.userId, request.clientId, request.scope, now().toISOString()]
      );
      const access = await insertAccess(request.userId, request.clientId, request.scope, refreshHash);
      return { ...access, refreshToken };
    },

    async validateToken(token: string): Promise<TokenInfo | null> {
      if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
      const row = await findRow(token);
      if (!row || row.kind !== 'access' || row.revoked) return null;
      if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now().getTime()) return null;
      return {
        userId: row.user_id,
        orgId,
        clientId: row.client_id,
        issuedAt: new Date(row.issued_at),
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at)
      };
    },

    async scopeOf(token: string): Promise<string | null> {
      const row = await findRow(token);
      return row ? row.scope : null;
    },

    async refresh(refreshToken: string, clientId: string) {
      const row = await findRow(refreshToken);
      if (!row || row.kind !== 'refresh' || row.revoked || row.client_id !== clientId) return null;
      const tokens = await insertAccess(row.user_id, row.client_id, row.scope, hashToken(refreshToken));
      return { tokens, userId: row.user_id, scope: row.scope };
    },

    async revoke(token: string): Promise<boolean> {
      const hash = hashToken(token);
      const result = await db.query(
        `UPDATE emu_oauth_token SET revoked = true WHERE token_hash = $1 OR parent_hash = $1`,
        [hash]
      );
      return (result.affectedRows ?? 0) > 0;
    },

    async expireAllAccessTokens(): Promise<number> {
      const at = now().toISOString();
      const result = await db.query(
        `UPDATE emu_oauth_token SET expires_at = $1 WHERE kind = 'access' AND NOT revoked AND (expires_at IS NULL OR expires_at > $1)`,
        [at]
      );
      return result.affectedRows ?? 0;
    },

    setTtlSeconds(seconds: number | null): void {
      if (seconds !== null && (!Number.isFinite(seconds) || seconds <= 0))
        throw new Error(`token TTL must be a positive number of seconds, got ${seconds}`);
      ttl = seconds;
    },
    ttlSeconds: () => ttl
  };
}
