/**
 * `leadflow serve`: a long-running Fastify server (loopback by default) with /healthz, capability routes
 * (src/serve/routes.ts) and the job scheduler. Each scheduled run gets its own runtime (fresh org client and
 * API usage count) over the server's shared store, and is recorded in the runs table.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { withRuntime, openStoreFor, type LeadflowRuntime, type RuntimeOptions } from '../runtime/runtime';
import { discoverStep, toCommandResult, type PipelineStep } from '../runtime/capabilities';
import type { CommandResult } from '../runtime/types';
import type { Store } from '../store/types';
import { capabilityRoutes, type ServeRoutePlugin } from './routes';
import { createScheduler, ingestSourceNames, type Scheduler } from './scheduler';
import { createDelivery, type Delivery } from './delivery';
import { parseIngestConfig } from '../ingest/config';
import { runIngest } from '../ingest/run';
import { scrubString } from '../shared/redact';
import type { SchedulableJob, ServeConfig } from './config';

export type JobRunner = (rt: LeadflowRuntime) => Promise<CommandResult | unknown>;

export interface StartServeOptions extends RuntimeOptions {
  /** Route plugins (default: the capability routes block in routes.ts). */
  routes?: ServeRoutePlugin[];
  /** Job runners by name (default: discovered from the capabilities' public APIs). */
  jobs?: Partial<Record<SchedulableJob, JobRunner>>;
  bossSchema?: string;
  cronMonitorIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
}

export interface ServeHandle {
  app: FastifyInstance;
  url: string;
  scheduler: Scheduler;
  /** Completed scheduled runs (most recent last, at most 50). */
  history(): { job: SchedulableJob; ok: boolean; apiCalls: number; at: string; error?: string }[];
  close(): Promise<void>;
}

const STEP_FOR_JOB: Record<SchedulableJob, PipelineStep> = {
  ingest: 'ingest',
  qualify: 'qualify',
  convert: 'convert',
  history: 'history'
};

export async function startServe(options: StartServeOptions = {}): Promise<ServeHandle> {
  // The server's own runtime lives until close(); withRuntime's callback resolves only then.
  let release!: () => void;
  const closed = new Promise<void>((r) => (release = r));
  let ready!: (v: { rt: LeadflowRuntime; store: Store }) => void;
  let failed!: (err: unknown) => void;
  const readyP = new Promise<{ rt: LeadflowRuntime; store: Store }>((res, rej) => {
    ready = res;
    failed = rej;
  });
  const lifetime = withRuntime({ ...options, command: undefined }, async (rt) => {
    ready({ rt, store: rt.store });
    await closed;
  }).catch((err) => failed(err));
  const { rt, store } = await readyP;

  const runs: ReturnType<ServeHandle['history']> = [];
  // ingestSource: a continuous-delivery drain of that webhook source only (recorded as serve:deliver).
  const handler = async (job: SchedulableJob, ingestSource?: string) => {
    const runner = ingestSource
      ? sourceIngestRunner(ingestSource, rt.config.serve.continuousDelivery)
      : (options.jobs?.[job] ?? (await discoveredRunner(job)));
    const command = ingestSource ? 'serve:deliver' : `serve:${job}`;
    if (!runner) {
      rt.logger.warn({ job }, `skipped: ${job} capability not installed`);
      return;
    }
    let apiCalls = 0;
    try {
      const result = await withRuntime({ ...options, store, command }, async (jobRt) => {
        try {
          return toCommandResult(await runner(jobRt));
        } finally {
          apiCalls = jobRt.apiUsage()?.total ?? 0;
        }
      });
      runs.push({ job, ok: result.ok, apiCalls, at: new Date().toISOString() });
      rt.logger.info({ job, source: ingestSource, ok: result.ok, apiCalls }, ingestSource ? 'continuous delivery run finished' : 'scheduled run finished');
    } catch (err) {
      runs.push({
        job,
        ok: false,
        apiCalls,
        at: new Date().toISOString(),
        error: scrubString((err as Error).message)
      });
      rt.logger.error({ err, job, source: ingestSource }, ingestSource ? 'continuous delivery run failed' : 'scheduled run failed');
    }
    if (runs.length > 50) runs.shift();
  };

  const scheduler = createScheduler({
    serve: rt.config.serve,
    store,
    databaseUrl: rt.config.store.databaseUrl,
    handler,
    logger: rt.logger,
    bossSchema: options.bossSchema,
    cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds,
    pollingIntervalSeconds: options.pollingIntervalSeconds,
    ingestSources: ingestSourceNames(rt.config.ingest)
  });

  const delivery = continuousDelivery(rt, store, handler);

  const app = createHardenedApp(rt.config.serve);
  if (delivery) {
    // Wake the source's drainer once the 202 is sent (the submission is already stored).
    app.addHook('onResponse', async (req, reply) => {
      if (reply.statusCode === 202 && req.routeOptions.url === '/sources/:name/leads') {
        delivery.accepted((req.params as { name: string }).name);
      }
    });
  }
  const started = Date.now();
  app.get('/healthz', async () => ({
    ok: true,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    store: store.kind,
    scheduler: scheduler.kind,
    schedules: scheduler.schedules()
  }));
  for (const plugin of options.routes ?? capabilityRoutes) await plugin(app, rt);

  try {
    await scheduler.start();
    await app.listen({ host: rt.config.serve.host, port: rt.config.serve.port });
    delivery?.drainAll();
  } catch (err) {
    await delivery?.stop().catch(() => undefined);
    await scheduler.stop().catch(() => undefined);
    await app.close().catch(() => undefined);
    release();
    await lifetime;
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : rt.config.serve.port;
  return {
    app,
    url: `http://${rt.config.serve.host}:${port}`,
    scheduler,
    history: () => [...runs],
    async close() {
      await app.close();
      await delivery?.stop();
      await scheduler.stop();
      release();
      await lifetime;
    }
  };
}

/** The continuous-delivery drainer of the webhook sources, or null when it is off or there are none. */
function continuousDelivery(
  rt: LeadflowRuntime,
  store: Store,
  handler: (job: SchedulableJob, ingestSource?: string) => Promise<void>
): Delivery | null {
  const settings = rt.config.serve.continuousDelivery;
  if (!settings.enabled || rt.config.ingest === undefined) return null;
  const sources = parseIngestConfig(rt.config.ingest)
    .sources.filter((s) => s.kind === 'webhook')
    .map((s) => s.name);
  if (sources.length === 0) return null;
  rt.logger.info({ sources, windowMs: settings.windowMs, batchSize: settings.batchSize }, 'continuous delivery on');
  return createDelivery({
    store,
    logger: rt.logger,
    sources,
    windowMs: settings.windowMs,
    batchSize: settings.batchSize,
    retryMs: settings.retryMs,
    ingest: (source) => handler('ingest', source)
  });
}

/**
 * The Fastify app with every connection limit on (Fastify and Node leave request and connection timeouts
 * off by default, so a client trickling one byte at a time could hold a socket forever).
 */
export function createHardenedApp(serve: ServeConfig): FastifyInstance {
  const app = Fastify({
    logger: false,
    requestTimeout: serve.requestTimeoutMs,
    connectionTimeout: serve.connectionTimeoutMs,
    keepAliveTimeout: serve.keepAliveTimeoutMs,
    maxRequestsPerSocket: serve.maxRequestsPerSocket,
    bodyLimit: serve.bodyLimitBytes,
    // Answer and close the sockets still open at shutdown instead of waiting for their timeouts.
    forceCloseConnections: true,
    http: {
      headersTimeout: serve.headersTimeoutMs,
      // Node enforces requestTimeout/headersTimeout only when it checks its connections (every 30 s by
      // default), which would let a slow client overstay by up to 30 s; check often enough to be on time.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1_000, Math.floor(Math.min(serve.requestTimeoutMs, serve.headersTimeoutMs) / 4))
      )
    }
  });
  app.server.maxConnections = serve.maxConnections;
  return app;
}

/**
 * A continuous-delivery drain of one webhook source: the ingest run `leadflow ingest --source <name>` runs, whose
 * batches also wait for fuller micro-batches with the delivery's own window and size (IngestOptions.microBatch).
 */
function sourceIngestRunner(source: string, delivery: { windowMs: number; batchSize: number }): JobRunner {
  return (rt) => runIngest(rt, { source, microBatch: { windowMs: delivery.windowMs, size: delivery.batchSize } });
}

async function discoveredRunner(job: SchedulableJob): Promise<JobRunner | null> {
  const step = await discoverStep(STEP_FOR_JOB[job]);
  return step ? (rt) => step.run(rt) : null;
}

export { openStoreFor };
