/** All REST routes under /services/data. */
import type { FastifyInstance } from 'fastify';
import type { OrgContext } from '../core/types';
import type { InternalDispatcher } from '../http/internal-dispatch';
import { badRequest } from '../http/errors';
import { registerCollectionRoutes } from './collections';
import { registerCompositeRoutes } from './composite';
import { registerLimitsRoutes } from './limits';
import { registerQueryRoutes } from './query';
import { apiVersionOf, DATA_PREFIX, resource, supportedVersions } from './shared';
import { registerSObjectRoutes } from './sobjects';

export interface RestDeps {
  ctx: OrgContext;
  /** Replays composite subrequests (see http/internal-dispatch). */
  internal: InternalDispatcher;
}

const RESOURCE_NAMES = [
  'tooling',
  'metadata',
  'eclair',
  'folders',
  'prechatForms',
  'contact-tracing',
  'domino',
  'async-queries',
  'chatter',
  'tabs',
  'appMenu',
  'quickActions',
  'queryAll',
  'commerce',
  'wave',
  'iot',
  'analytics',
  'search',
  'identity',
  'composite',
  'parameterizedSearch',
  'fingerprint',
  'theme',
  'nouns',
  'event',
  'serviceTemplates',
  'recent',
  'connect',
  'licensing',
  'limits',
  'process',
  'dedupe',
  'async-apex',
  'query',
  'jobs',
  'match',
  'localizedvalue',
  'mobile',
  'emailConnect',
  'consent',
  'tokenizer',
  'compactLayouts',
  'knowledgeManagement',
  'sobjects',
  'actions',
  'support'
];

export function registerRestRoutes(app: FastifyInstance, deps: RestDeps): void {
  const { ctx } = deps;
  // Version discovery needs no session and does not count against the API limit.
  resource(app, '/services/data', { GET: async () => supportedVersions() });

  resource(app, DATA_PREFIX, {
    GET: async (request) => {
      const version = apiVersionOf(request);
      const base = `/services/data/v${version}`;
      const resources: Record<string, string> = {};
      for (const name of [...RESOURCE_NAMES].sort()) resources[name] = `${base}/${name}`;
      const userId = request.emulatorScope?.userId ?? ctx.defaultUserId;
      resources.identity = `${ctx.baseUrl()}/id/${ctx.orgId}/${userId}`;
      return resources;
    }
  });

  registerSObjectRoutes(app, ctx);
  registerQueryRoutes(app, ctx);
  registerCollectionRoutes(app, ctx);
  registerCompositeRoutes(app, deps);
  registerLimitsRoutes(app, ctx);

  // The Tooling API is not emulated: answer like an org where the requested type does not exist.
  app.all(`${DATA_PREFIX}/tooling/*`, async (request) => {
    apiVersionOf(request);
    throw badRequest('INVALID_TYPE', 'The Tooling API is not supported by the leadflow emulator');
  });
}
