/**
 * startEmulator(): the local Salesforce org. Opens (or creates) the PGlite data dir, loads the schema
 * (standard objects + force-app), wires records/SOQL/auth/usage/faults into an OrgContext, mounts OAuth,
 * REST, Bulk 2.0, SOAP and the admin endpoints, optionally seeds the demo org, and listens on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from './core/database';
import { createRecordStore } from './core/records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID } from './core/reference-data';
import type { OrgContext } from './core/types';
import { publicKeyFromPem } from './auth/jwt-bearer';
import { registerOAuthRoutes, type ConnectedApp } from './auth/oauth-routes';
import { createTokenService, DEFAULT_TOKEN_TTL_SECONDS, type TokenService } from './auth/tokens';
import { registerAdminRoutes } from './faults/admin-routes';
import { parseFaultConfig, type FaultConfigInput } from './faults/config';
import { createFaultController, type FaultController } from './faults/controller';
import { withRowLockFaults } from './faults/locking-store';
import { installApiGuard } from './http/api-guard';
import { createHttpApp } from './http/app';
import { createInternalDispatcher } from './http/internal-dispatch';
import { requestScope } from './http/request-scope';
import { createApiUsage, DEFAULT_DAILY_API_LIMIT, type MutableApiUsage } from './http/usage';
import { transactionAwareDb } from './http/tx-aware-db';
import { registerRestRoutes } from './rest';
import { registerBulkRoutes } from './bulk';
import { registerSoapRoutes } from './soap';
import { createQueryEngine } from './soql';
import { openOrgMetadata, registerMetadataRoutes } from './metadata';
import { seedDemoOrg, type SeedSummary } from './seed/demo';

export const DEFAULT_PORT = 4010;
export const DEFAULT_CLIENT_ID = 'leadflow-local';
export const DEFAULT_CLIENT_SECRET = 'leadflow-local-secret';
export const DEFAULT_USER_PASSWORD = 'leadflow';
export const ADMIN_USERNAME = 'admin@leadflow.local';

export interface EmulatorOptions {
  /** 0 = any free port. Default 4010. */
  port?: number;
  /** Only loopback addresses are accepted. Default 127.0.0.1. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** PGlite data dir; omitted = in memory (nothing survives close()). */
  dataDir?: string;
  /** 'demo' loads the demo org once (skipped when already seeded). Default 'none'. */
  seed?: 'demo' | 'none';
  /** Package folder whose objects/fields extend the schema (default: the repo's force-app/main/default); null = none (an empty org to deploy into). */
  forceAppDir?: string | null;
  faults?: FaultConfigInput;
  /** Daily API request limit (DailyApiRequests Max). Default 15000. */
  dailyApiLimit?: number;
  /** Access-token lifetime in seconds; null = never expire. Default 7200. */
  tokenTtlSeconds?: number | null;
  /** No request log and no banner. */
  quiet?: boolean;
  /** Connected app credentials (default leadflow-local / leadflow-local-secret). */
  clientId?: string;
  clientSecret?: string;
  /** PEM certificate or public key for the JWT bearer flow (either the text or a file path). */
  jwtCertificate?: string;
  /** Password of every active user for the password grant. Default 'leadflow'. */
  userPassword?: string;
  /** Admin key for /__emulator endpoints (default: random, see RunningEmulator.adminKey). */
  adminKey?: string;
  /** Injectable clock (tests). */
  now?: () => Date;
  /** Start from this PGlite dumpDataDir() tarball instead of an empty database (test snapshot start). */
  initialDataDir?: Blob;
}

export interface RunningEmulator {
  url: string;
  port: number;
  ctx: OrgContext;
  adminKey: string;
  clientId: string;
  clientSecret: string;
  tokens: TokenService;
  usage: MutableApiUsage;
  faults: FaultController;
  app: FastifyInstance;
  seed: SeedSummary | null;
  /** Issue an access token for a user (default: admin) without an HTTP round trip. */
  issueAccessToken(userId?: string): Promise<string>;
  close(): Promise<void>;
}

function readPem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new Error(`The emulator listens on loopback only, not on ${host}`);
  const now = options.now ?? (() => new Date());
  const orgId = DEFAULT_ORG_ID;
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const adminKey = options.adminKey ?? randomBytes(18).toString('base64url');
  const faultConfig = parseFaultConfig(options.faults ?? {});

  const rawDb = await openDatabase(options.dataDir, { initialDataDir: options.initialDataDir });
  const txDb = transactionAwareDb(rawDb);
  const db = txDb.db;
  let app: FastifyInstance | null = null;
  try {
    // Schema = standard objects + force-app (unless forceAppDir is null) + what was deployed (emulator/metadata).
    const metadata = await openOrgMetadata(db, { forceAppDir: options.forceAppDir, orgId, now });
    const schema = metadata.org.schema;
    const usage = createApiUsage(options.dailyApiLimit ?? DEFAULT_DAILY_API_LIMIT);
    const faults = createFaultController(faultConfig);
    const tokens = await createTokenService({
      db,
      orgId,
      now,
      ttlSeconds: options.tokenTtlSeconds === undefined ? DEFAULT_TOKEN_TTL_SECONDS : options.tokenTtlSeconds
    });
    const baseStore = createRecordStore({ db, schema, now, orgId, defaultUserId: ADMIN_USER_ID });
    let baseUrl = '';
    const ctx: OrgContext = {
      db,
      schema,
      records: withRowLockFaults(baseStore, faults, () => requestScope.getStore()?.call ?? null),
      query: createQueryEngine({ db, schema, now }),
      usage,
      orgId,
      defaultUserId: ADMIN_USER_ID,
      now,
      baseUrl: () => baseUrl,
      auth: { validateToken: (token) => tokens.validateToken(token) }
    };

    const connectedApp: ConnectedApp = { clientId, clientSecret };
    if (options.jwtCertificate) connectedApp.jwtKey = publicKeyFromPem(readPem(options.jwtCertificate));

    app = createHttpApp({ logRequests: !options.quiet });
    const internal = createInternalDispatcher(txDb, () => baseUrl);
    installApiGuard(app, { tokens, usage, faults, internal, txDb });
    registerOAuthRoutes(app, {
      ctx,
      tokens,
      apps: [connectedApp],
      userPassword: options.userPassword ?? DEFAULT_USER_PASSWORD
    });
    registerRestRoutes(app, { ctx, internal });
    registerAdminRoutes(app, { adminKey, usage, faults, tokens });
    // The API guard counts every bulk/SOAP call once; those modules get a context whose record() is a no-op
    // so a call is never counted twice (they still read used()/max() for their own limit headers).
    const moduleCtx: OrgContext = { ...ctx, usage: { ...usage, record: () => undefined } };
    registerBulkRoutes(app, moduleCtx);
    registerSoapRoutes(app, moduleCtx, { tokens, userPassword: options.userPassword ?? DEFAULT_USER_PASSWORD });
    registerMetadataRoutes(app, moduleCtx, metadata);

    // Seed before listening: clients never see a half-seeded org.
    const seed = options.seed === 'demo' ? await seedDemoOrg(ctx) : null;
    await app.listen({ port: options.port ?? DEFAULT_PORT, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
    const urlHost = host === '::1' ? '[::1]' : host;
    baseUrl = `http://${urlHost}:${port}`;

    const running: RunningEmulator = {
      url: baseUrl,
      port,
      ctx,
      adminKey,
      clientId,
      clientSecret,
      tokens,
      usage,
      faults,
      app,
      seed,
      async issueAccessToken(userId = ADMIN_USER_ID): Promise<string> {
        const issued = await tokens.issue({ userId, clientId, scope: 'api', withRefreshToken: false });
        return issued.accessToken;
      },
      async close(): Promise<void> {
        await app?.close();
        await rawDb.close();
      }
    };
    return running;
  } catch (error) {
    await app?.close().catch(() => undefined);
    await rawDb.close().catch(() => undefined);
    throw error;
  }
}
