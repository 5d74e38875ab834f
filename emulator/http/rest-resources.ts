/**
 * Which REST resources the local org serves, and clear answers for the ones it does not.
 *
 * - The version resource map (`GET /services/data/vXX.X`) is built from the routes actually registered
 *   (an onRoute hook), so it lists exactly what is served, including resources other modules add later.
 * - A request for a Salesforce resource the local org does not implement gets Salesforce's 404 shape
 *   `[{"message":…,"errorCode":"NOT_FOUND"}]` with a message that names the resource. The message starts with
 *   Salesforce's own "The requested resource does not exist" because clients match on it (sfdx-core's
 *   Org.supportsSourceTracking treats exactly that text as "no source tracking").
 * Top-level resources are answered from the not-found handler (so a module that later implements one simply
 * registers its routes and wins). sObject sub-resources need real routes, because the generic
 * `/sobjects/:type/:field/:value` route would otherwise read `describe/layouts` as an external id lookup.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { NOT_FOUND_MESSAGE, restErrorBody } from './errors';
import { classifyPath } from './paths';

const DATA_ROUTE = /^\/services\/data\/:[A-Za-z]+\/([^/:*]+)/;

/** Route config flag of the routes below that only answer "not supported" (kept out of the resource map). */
const UNSUPPORTED_FLAG = 'emulatorUnsupported';

/** Salesforce REST resources under /services/data/vXX.X that the local org does not implement. */
export const UNSUPPORTED_REST_RESOURCES: Readonly<Record<string, string>> = {
  tooling: 'the Tooling API',
  metadata: 'the Metadata REST resources',
  search: 'SOSL search',
  parameterizedSearch: 'parameterized search',
  recent: 'recently viewed items',
  tabs: 'tabs',
  theme: 'themes',
  chatter: 'Chatter (Connect REST API)',
  connect: 'the Connect REST API',
  analytics: 'the Analytics (reports and dashboards) REST API',
  wave: 'the CRM Analytics REST API',
  eclair: 'CRM Analytics maps',
  quickActions: 'quick actions',
  actions: 'invocable actions',
  appMenu: 'the app menu',
  compactLayouts: 'compact layouts',
  process: 'processes and approvals',
  support: 'the Knowledge support resources',
  knowledgeManagement: 'Knowledge management',
  folders: 'folders',
  prechatForms: 'pre-chat forms',
  'async-queries': 'async SOQL',
  'async-apex': 'async Apex',
  nouns: 'nouns',
  event: 'event monitoring',
  dedupe: 'duplicate management',
  consent: 'consent',
  licensing: 'licensing',
  localizedvalue: 'localized values',
  mobile: 'mobile resources',
  emailConnect: 'email connect',
  serviceTemplates: 'service templates',
  fingerprint: 'fingerprint',
  tokenizer: 'tokenizer',
  match: 'matching rules',
  commerce: 'Commerce resources',
  iot: 'IoT resources',
  domino: 'domino',
  'contact-tracing': 'contact tracing',
  'ui-api': 'the User Interface API'
};

/** sObject sub-resources the local org does not implement (paths below /sobjects/:type). */
export const UNSUPPORTED_SOBJECT_SUBRESOURCES: ReadonlyArray<{ path: string; label: string }> = [
  { path: 'describe/layouts', label: 'page layouts (describe/layouts)' },
  { path: 'describe/layouts/:recordTypeId', label: 'page layouts (describe/layouts)' },
  { path: 'describe/namedLayouts/:layoutName', label: 'named layouts (describe/namedLayouts)' },
  { path: 'describe/compactLayouts', label: 'compact layouts (describe/compactLayouts)' },
  { path: 'describe/approvalLayouts', label: 'approval layouts (describe/approvalLayouts)' },
  { path: 'listviews', label: 'list views (listviews)' },
  { path: 'listviews/*', label: 'list views (listviews)' },
  { path: 'quickActions', label: 'quick actions (quickActions)' },
  { path: 'quickActions/*', label: 'quick actions (quickActions)' },
  { path: 'eventSchema', label: 'event schema (eventSchema)' }
];

/** Other API families the local org does not serve, by path prefix (the Metadata API SOAP endpoint is served). */
const UNSUPPORTED_PREFIXES: ReadonlyArray<{ prefix: RegExp; label: string }> = [
  {
    prefix: /^\/services\/async\//i,
    label: 'Bulk API 1.0 (use Bulk API 2.0 under /services/data/vXX.X/jobs)'
  },
  { prefix: /^\/services\/Soap\/T\//i, label: 'the Tooling API (SOAP)' },
  {
    prefix: /^\/services\/Soap\/c\//i,
    label: 'the enterprise SOAP API (use the partner API at /services/Soap/u)'
  },
  { prefix: /^\/services\/apexrest(\/|$)/i, label: 'Apex REST services' },
  { prefix: /^\/cometd(\/|$)/i, label: 'the Streaming API (CometD)' }
];

export function unsupportedMessage(label: string, path: string): string {
  return `${NOT_FOUND_MESSAGE}: the local org (leadflow emulator) does not support ${label} (${path}). See docs/emulator.md for what it serves.`;
}

/** The "not supported" message for a path nothing answered, or null when it is not a known Salesforce resource. */
export function unsupportedMessageFor(url: string): string | null {
  const classified = classifyPath(url);
  if (classified.kind === 'rest') {
    const first = classified.apiPath.split('/')[1] ?? '';
    const label = UNSUPPORTED_REST_RESOURCES[first];
    return label ? unsupportedMessage(label, classified.path) : null;
  }
  const match = UNSUPPORTED_PREFIXES.find((entry) => entry.prefix.test(classified.path));
  return match ? unsupportedMessage(match.label, classified.path) : null;
}

const servedByApp = new WeakMap<FastifyInstance, Set<string>>();

/**
 * Records the top-level REST resources of every route registered from now on. Call once, right after
 * creating the app and before any route is registered (createHttpApp does).
 */
export function trackRestResources(app: FastifyInstance): void {
  const served = new Set<string>();
  servedByApp.set(app, served);
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as Record<string, unknown> | undefined;
    if (config?.[UNSUPPORTED_FLAG]) return;
    const match = DATA_ROUTE.exec(route.url);
    if (match?.[1]) served.add(match[1]);
  });
}

/** Top-level REST resources (e.g. 'composite', 'jobs', 'sobjects') with at least one real route, sorted. */
export function servedRestResources(app: FastifyInstance): string[] {
  return [...(servedByApp.get(app) ?? [])].sort();
}

/** Routes for the sObject sub-resources above, all methods, so no generic sObject route answers them. */
export function registerUnsupportedSObjectRoutes(app: FastifyInstance, sobjectsPrefix: string): void {
  for (const { path, label } of UNSUPPORTED_SOBJECT_SUBRESOURCES) {
    app.route({
      method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      url: `${sobjectsPrefix}/:type/${path}`,
      config: { [UNSUPPORTED_FLAG]: true },
      handler: async (request, reply) =>
        reply
          .code(404)
          .type('application/json;charset=UTF-8')
          .send(restErrorBody('NOT_FOUND', unsupportedMessage(label, classifyPath(request.url).path)))
    });
  }
}
