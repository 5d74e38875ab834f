/** /query and /queryAll with paging by locator, `columns=true`, and the Sforce-Query-Options batch size (§1.4, §1.5). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrgContext } from '../core/types';
import { badRequest } from '../http/errors';
import { apiVersionOf, DATA_PREFIX, resource } from './shared';

const MIN_BATCH = 200;
const MAX_BATCH = 2000;

/** batchSize from `Sforce-Query-Options: batchSize=1000`, clamped to 200..2000 like Salesforce. */
export function batchSizeFrom(request: FastifyRequest): number | undefined {
  const header = request.headers['sforce-query-options'];
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = text ? /batchSize\s*=\s*(\d+)/i.exec(text) : null;
  if (!match) return undefined;
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Number(match[1])));
}

export function registerQueryRoutes(app: FastifyInstance, ctx: OrgContext): void {
  for (const [resourceName, includeDeleted] of [
    ['query', false],
    ['queryAll', true]
  ] as const) {
    resource(app, `${DATA_PREFIX}/${resourceName}`, {
      GET: async (request) => {
        const apiVersion = apiVersionOf(request);
        const query = request.query as Record<string, unknown>;
        const soql = typeof query.q === 'string' ? query.q : '';
        if (soql.trim() === '') throw badRequest('MALFORMED_QUERY', 'A query string has to be specified');
        if (query.columns === 'true') return ctx.query.columns(soql);
        if (typeof query.explain === 'string')
          throw badRequest('API_DISABLED_FOR_ORG', 'Query plans are not available in the leadflow emulator');
        return ctx.query.query(soql, { includeDeleted, apiVersion, batchSize: batchSizeFrom(request) });
      }
    });
    // jsforce rebuilds next-page URLs as <base>/query/<locator> even for queryAll, so both paths page.
    resource(app, `${DATA_PREFIX}/${resourceName}/:locator`, {
      GET: async (request) => {
        const apiVersion = apiVersionOf(request);
        return ctx.query.queryMore((request.params as { locator: string }).locator, apiVersion);
      }
    });
  }
}
