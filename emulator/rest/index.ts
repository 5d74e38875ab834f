/** All REST routes under /services/data. */
import type { FastifyInstance } from 'fastify';
import type { OrgContext } from '../core/types';
import type { InternalDispatcher } from '../http/internal-dispatch';
import { registerUnsupportedSObjectRoutes, servedRestResources } from '../http/rest-resources';
import { registerCollectionRoutes } from './collections';
import { registerCompositeRoutes } from './composite';
import { registerLimitsRoutes } from './limits';
import { registerQueryRoutes } from './query';
import { apiVersionOf, DATA_PREFIX, resource, supportedVersions } from './shared';
import { registerSObjectRoutes } from './sobjects';
import { registerTreeRoutes } from './tree';

export interface RestDeps {
  ctx: OrgContext;
  /** Replays composite subrequests (see http/internal-dispatch). */
  internal: InternalDispatcher;
}

export function registerRestRoutes(app: FastifyInstance, deps: RestDeps): void {
  const { ctx } = deps;
  // Version discovery needs no session and does not count against the API limit.
  resource(app, '/services/data', { GET: async () => supportedVersions() });

  resource(app, DATA_PREFIX, {
    GET: async (request) => {
      const version = apiVersionOf(request);
      const base = `/services/data/v${version}`;
      // Only what this org serves (Salesforce lists every resource of the release; clients probe these).
      const resources: Record<string, string> = {};
      for (const name of servedRestResources(app)) resources[name] = `${base}/${name}`;
      const userId = request.emulatorScope?.userId ?? ctx.defaultUserId;
      resources.identity = `${ctx.baseUrl()}/id/${ctx.orgId}/${userId}`;
      return resources;
    }
  });

  // Before the generic sObject routes: these sub-resources answer "not supported", not an external-id lookup.
  registerUnsupportedSObjectRoutes(app, `${DATA_PREFIX}/sobjects`);
  registerSObjectRoutes(app, ctx);
  registerQueryRoutes(app, ctx);
  registerCollectionRoutes(app, ctx);
  registerCompositeRoutes(app, deps);
  registerTreeRoutes(app, ctx);
  registerLimitsRoutes(app, ctx);
}
