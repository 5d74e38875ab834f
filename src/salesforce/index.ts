/** Public API of the Salesforce client (capabilities import from here or from ./types). */
export * from './types';
export * from './soql';
export { createOrgClient, type CreateOrgClientOptions } from './client';
export { resolveCredentials, DEFAULT_EMULATOR_URL, EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET } from './auth';
export { formatUsage, classifyRequest, type Surface } from './usage';
export { toSalesforceError } from './errors';
export { parseSObjectDescribe } from './describe';
export { queryUrl, CompositeResults, COMPOSITE_MAX_QUERIES, type CompositeGet, type QueryPage } from './composite';
