/**
 * `POST /sources/:name/leads` on `leadflow serve`: the web-form webhook. Checks, in order: rate limit
 * per source + client IP (429), known webhook source (404), secret configured (503), content type
 * (415: application/json or application/x-www-form-urlencoded), body size (413), signature
 * `X-Leadflow-Signature: sha256=<hex HMAC-SHA256 of the raw body>` (401), UTF-8 text (400 INVALID_ENCODING),
 * valid JSON (400 INVALID_JSON), a JSON object body (400 INVALID_BODY). Every refusal is `{error: {code, message}}`.
 * The submission is stored in the ingest_inbox table before 202 {id} is returned; the next
 * `leadflow ingest --source <name>` run (or a scheduled ingest job) writes it to Salesforce.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../runtime/types';
import { findSource, parseIngestConfig, sourceSecret } from './config';
import { enqueueSubmission } from './ledger';
import { SIGNATURE_HEADER, verifySignature } from './signature';

const ACCEPTED_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
/** Refuses bytes that are not UTF-8 instead of silently turning them into U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Fixed one-minute windows per key; old windows are dropped as the map grows. */
export function createRateLimiter(now: () => number = Date.now) {
  const windows = new Map<string, { start: number; count: number }>();
  return (key: string, limitPerMinute: number): { allowed: boolean; retryAfterSeconds: number } => {
    const t = now();
    if (windows.size > 10_000) for (const [k, w] of windows) if (t - w.start >= 60_000) windows.delete(k);
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= limitPerMinute, retryAfterSeconds: Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000)) };
  };
}

function problem(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

export async function registerWebhookRoutes(app: FastifyInstance, rt: Runtime): Promise<void> {
  const cfg = parseIngestConfig(rt.config.ingest);
  const webhookSources = cfg.sources.filter((s) => s.kind === 'webhook');
  const routeLimit = Math.max(65_536, ...webhookSources.map((s) => s.bodyLimitBytes));
  const limiter = createRateLimiter();

  // Encapsulated: the raw-body parsers apply to this route only, not to the rest of the serve app.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(ACCEPTED_TYPES, { parseAs: 'buffer', bodyLimit: routeLimit }, (_req, body, done) => done(null, body));
    // Fastify refuses some requests before the handler runs (unknown content type, body over the route
    // limit): answer those in the same {error: {code, message}} shape as the handler's own refusals.
    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
      const status = err.statusCode ?? 500;
      if (status === 415) return problem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${ACCEPTED_TYPES.join(' or ')}`);
      if (status === 413) return problem(reply, 413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${routeLimit} bytes`);
      if (status >= 400 && status < 500) return problem(reply, status, 'BAD_REQUEST', err.message);
      rt.logger.error({ err }, 'webhook request failed');
      return problem(reply, 500, 'INTERNAL', 'The submission could not be stored; retry later');
    });

    scope.post<{ Params: { name: string } }>('/sources/:name/leads', { bodyLimit: routeLimit }, async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const name = req.params.name;
      const source = findSource(cfg, name);
      const ip = req.ip ?? 'unknown';
      const limit = limiter(`${name}|${ip}`, source?.rateLimitPerMinute ?? 60);
      if (!limit.allowed) {
        reply.header('retry-after', String(limit.retryAfterSeconds));
        return problem(reply, 429, 'RATE_LIMITED', `Too many submissions; retry in ${limit.retryAfterSeconds} s`);
      }
      if (!source || source.kind !== 'webhook') return problem(reply, 404, 'UNKNOWN_SOURCE', `No webhook source named "${name}"`);
      const secret = sourceSecret(source);
      if (!secret) return problem(reply, 503, 'NOT_CONFIGURED', `Source "${name}" has no secret configured`);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const raw = req.body;
      if (!ACCEPTED_TYPES.includes(contentType) || !Buffer.isBuffer(raw)) {
        return problem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${ACCEPTED_TYPES.join(' or ')}`);
      }
      if (raw.length > source.bodyLimitBytes) return problem(reply, 413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${source.bodyLimitBytes} bytes`);
      const signature = req.headers[SIGNATURE_HEADER];
      if (!verifySignature(secret, raw, Array.isArray(signature) ? signature[0] : signature)) {
        return problem(reply, 401, 'INVALID_SIGNATURE', 'X-Leadflow-Signature does not match the body (sha256=<hex HMAC-SHA256 of the raw body>)');
      }
      let text: string;
      try {
        text = UTF8.decode(raw);
      } catch {
        return problem(reply, 400, 'INVALID_ENCODING', 'Body is not valid UTF-8');
      }
      let payload: unknown;
      try {
        payload = contentType === 'application/json' ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
      } catch {
        return problem(reply, 400, 'INVALID_JSON', 'Body is not valid JSON');
      }
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
        return problem(reply, 400, 'INVALID_BODY', 'Body must be one lead as a JSON object');
      }
      const id = await enqueueSubmission(rt.store, name, payload, ip);
      rt.logger.info({ source: name, id }, 'webhook submission stored');
      return reply.code(202).send({ id, status: 'queued' });
    });
  });
}
