/**
 * createOrgClient: the one way the service talks to Salesforce. Resolves the org (sf alias > env > emulator),
 * authenticates, and exposes the contract's surfaces (src/salesforce/types.ts) on one jsforce connection
 * whose transport counts every HTTP request.
 */
import { DEFAULT_API_VERSION, type OrgClient } from './types';
import { openConnection, resolveCredentials } from './auth';
import { createUsageCounter } from './usage';
import { call, createRestApi } from './rest';
import { createBulkApi } from './bulk';
import { createSoapApi } from './soap';
import { compositeGet } from './composite';
import { createDescribeApi } from './describe';

export interface CreateOrgClientOptions {
  /** sf CLI alias or username (`--target-org`). */
  targetOrg?: string;
  /** Environment to read credentials from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Emulator base URL when neither a target org nor env credentials are given (default LEADFLOW_EMULATOR_URL or http://127.0.0.1:4010). */
  emulatorUrl?: string;
  apiVersion?: string;
  /** Bulk job poll interval (default 1000 ms). */
  bulkPollIntervalMs?: number;
  /** REST query page size (200..2000, default: Salesforce's 2000). */
  queryBatchSize?: number;
}

export async function createOrgClient(opts: CreateOrgClientOptions = {}): Promise<OrgClient> {
  const apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
  const usage = createUsageCounter();
  const creds = resolveCredentials(opts);
  const { connection, target } = await openConnection(creds, apiVersion, usage);
  return {
    target,
    apiVersion,
    connection,
    rest: createRestApi(connection, { queryBatchSize: opts.queryBatchSize }),
    composite: { get: (requests) => compositeGet(connection, requests) },
    bulk: createBulkApi(connection, { pollIntervalMs: opts.bulkPollIntervalMs }),
    soap: createSoapApi(connection),
    describe: createDescribeApi(connection),
    usage,
    limits: () => call(connection, 'GET', '/limits'),
    async close() {
      // Tokens are left to expire: revoking would cost a call and break other holders of an sf CLI session.
    }
  };
}
