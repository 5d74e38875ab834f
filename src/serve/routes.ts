/**
 * Route plugins mounted by `leadflow serve`. A capability that serves HTTP (e.g. the ingest webhook receiver)
 * exports a `ServeRoutePlugin` and adds ONE line to the marked block below.
 */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime/types';

/**
 * Registers routes on the serve app. `runtime` is the server's long-lived runtime (config, store, logger,
 * lazy org client): handlers should keep work small and enqueue the rest for scheduled jobs.
 */
export type ServeRoutePlugin = (app: FastifyInstance, runtime: Runtime) => void | Promise<void>;

/* ===================== Capability routes ===================== */
// (imports go here, e.g.: import { registerWebhookRoutes } from '../ingest';)
import { registerWebhookRoutes } from '../ingest';

export const capabilityRoutes: ServeRoutePlugin[] = [
  registerWebhookRoutes,
  // registerWebhookRoutes,
];
/* =================== end of capability routes ================ */
