/**
 * `POST /sources/:name/leads` on `leadflow serve`: the web-form webhook (sender contract: docs/ingest.md).
 *
 * Before the body is read (onRequest): known webhook source (404; unknown names never reach the rate
 * limiter, so they cost no memory), rate limit per source + client IP (429 + Retry-After), secret
 * configured (503), declared Content-Length within the source's limit (413).
 * After: content type (415: application/json or application/x-www-form-urlencoded), body size (413),
 * signature `X-Leadflow-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">` within the source's
 * tolerance (401 INVALID_SIGNATURE / SIGNATURE_EXPIRED), UTF-8 (400 INVALID_ENCODING), nesting depth
 * (400 JSON_TOO_DEEP), JSON (400 INVALID_JSON), one object (400 INVALID_BODY), storable text (400
 * NUL_CHARACTER / LONE_SURROGATE), idempotency key (400 INVALID_IDEMPOTENCY_KEY).
 * Stored in ingest_inbox once per idempotency key: the first time 202 {id, status: "queued"}, a replay
 * 200 {id, status: "duplicate"} with the first id, the same key with another body 422 IDEMPOTENCY_KEY_REUSED.
 * Every refusal is `{error: {code, message}}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Runtime } from '../runtime/types';
import { parseIngestConfig, sourceSecret, type SourceConfig } from './config';
import { sha256Hex, storeSubmissionOnce } from './inbox';
import {
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  checkSignature,
  type SignatureCheck
} from './signature';
import { findUnstorable, jsonNestingExceeds, tooDeepMessage } from './storable-json';

const ACCEPTED_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
/** Refuses bytes that are not UTF-8 instead of silently turning them into U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Keys are 1-255 visible ASCII characters (the IETF draft and Stripe both cap them at 255). */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
export const DEFAULT_RATE_LIMITER_MAX_KEYS = 10_000;

/** A webhook source with its hardening options resolved to their documented defaults. */
export type WebhookSource = SourceConfig &
  Required<
    Pick<
      SourceConfig,
      'signatureToleranceSeconds' | 'legacyBodySignature' | 'idempotencyKeyField' | 'maxJsonDepth'
    >
  >;

export function webhookSettings(source: SourceConfig): WebhookSource {
  return {
    ...source,
    signatureToleranceSeconds: source.signatureToleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
    legacyBodySignature: source.legacyBodySignature ?? false,
    idempotencyKeyField: source.idempotencyKeyField ?? 'submissionId',
    maxJsonDepth: source.maxJsonDepth ?? 32
  };
}

export interface RateLimiter {
  (key: string, limitPerMinute: number): { allowed: boolean; retryAfterSeconds: number };
  /** Keys currently held (never more than maxKeys). */
  size(): number;
}

/**
 * Fixed one-minute windows per key in an LRU of at most `maxKeys` entries: O(1) per request, memory
 * bounded however many client IPs appear; when full, the least recently seen key is forgotten.
 */
export function createRateLimiter(opts: { maxKeys?: number; now?: () => number } = {}): RateLimiter {
  const now = opts.now ?? Date.now;
  const windows = new LRUCache<string, { start: number; count: number }>({
    max: opts.maxKeys ?? DEFAULT_RATE_LIMITER_MAX_KEYS
  });
  const limiter = (key: string, limitPerMinute: number) => {
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    return {
      allowed: w.count <= limitPerMinute,
      retryAfterSeconds: Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000))
    };
  };
  return Object.assign(limiter, { size: () => windows.size });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The webhook's rate limiter (its size is what operators and tests watch). */
    webhookRateLimiter?: RateLimiter;
  }
}

function problem(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

const SIGNATURE_FORMAT = 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';

function signatureRefusal(
  check: Exclude<SignatureCheck, { ok: true }>,
  source: WebhookSource
): { code: string; message: string } {
  switch (check.reason) {
    case 'missing':
      return {
        code: 'INVALID_SIGNATURE',
        message: `X-Leadflow-Signature header is missing; send ${SIGNATURE_FORMAT}`
      };
    case 'malformed':
      return {
        code: 'INVALID_SIGNATURE',
        message: `X-Leadflow-Signature is not of the form ${SIGNATURE_FORMAT}`
      };
    case 'mismatch':
      return {
        code: 'INVALID_SIGNATURE',
        message: `X-Leadflow-Signature does not match the body (${SIGNATURE_FORMAT}, with the source's secret)`
      };
    case 'legacy-not-allowed':
      return {
        code: 'INVALID_SIGNATURE',
        message: `X-Leadflow-Signature uses the body-only form sha256=<hex>, which source "${source.name}" does not accept; send ${SIGNATURE_FORMAT}`
      };
    case 'outside-tolerance': {
      const direction = check.skewSeconds > 0 ? 'old' : 'in the future';
      return {
        code: 'SIGNATURE_EXPIRED',
        message: `X-Leadflow-Signature timestamp t=${check.timestamp} is ${Math.abs(check.skewSeconds)} s ${direction}; the tolerance is ${source.signatureToleranceSeconds} s (sign each request with the current time)`
      };
    }
  }
}

/** The submission's idempotency key: the header, else the body's id field, else a hash of source + body. */
function idempotencyKeyOf(
  req: FastifyRequest,
  payload: Record<string, unknown>,
  source: WebhookSource,
  raw: Buffer
): { key: string } | { error: string } {
  const header = req.headers[IDEMPOTENCY_HEADER];
  if (header !== undefined) {
    // The IETF draft sends a structured-field string ("..."); plain tokens (Stripe style) are accepted too.
    const value = (Array.isArray(header) ? header[0]! : header).trim().replace(/^"(.*)"$/, '$1');
    if (!VALID_KEY.test(value)) return { error: 'Idempotency-Key must be 1-255 visible ASCII characters' };
    return { key: value };
  }
  const field = payload[source.idempotencyKeyField];
  if (field !== undefined && field !== null && field !== '') {
    const value = typeof field === 'string' || typeof field === 'number' ? String(field) : null;
    if (value === null || !VALID_KEY.test(value)) {
      return {
        error: `Body field "${source.idempotencyKeyField}" (the submission id) must be a string or number of 1-255 visible ASCII characters`
      };
    }
    return { key: value };
  }
  return { key: `sha256:${sha256Hex(source.name, '\n', raw)}` };
}

export async function registerWebhookRoutes(app: FastifyInstance, rt: Runtime): Promise<void> {
  const cfg = parseIngestConfig(rt.config.ingest);
  const webhookSources = new Map(
    cfg.sources.filter((s) => s.kind === 'webhook').map((s) => [s.name, webhookSettings(s)])
  );
  const routeLimit = Math.max(1, ...[...webhookSources.values()].map((s) => s.bodyLimitBytes));
  const limiter = createRateLimiter({ maxKeys: rt.config.serve?.rateLimiterMaxKeys });
  app.decorate('webhookRateLimiter', limiter);
  const legacyWarned = new Set<string>();

  // Encapsulated: the raw-body parsers apply to this route only, not to the rest of the serve app.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ACCEPTED_TYPES,
      { parseAs: 'buffer', bodyLimit: routeLimit },
      (_req, body, done) => done(null, body)
    );
    // Fastify refuses some requests before the handler runs (unknown content type, body over the route
    // limit): answer those in the same {error: {code, message}} shape as the handler's own refusals.
    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const status = err.statusCode ?? 500;
      const limit =
        webhookSources.get((req.params as { name?: string }).name ?? '')?.bodyLimitBytes ?? routeLimit;
      if (status === 415)
        return problem(
          reply,
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be ${ACCEPTED_TYPES.join(' or ')}`
        );
      if (status === 413) return problem(reply, 413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${limit} bytes`);
      if (status >= 400 && status < 500) return problem(reply, status, 'BAD_REQUEST', err.message);
      rt.logger.error({ err }, 'webhook request failed');
      return problem(reply, 500, 'INTERNAL', 'The submission could not be stored; retry later');
    });

    type Req = FastifyRequest<{ Params: { name: string } }>;
    // Runs before the body is read: unknown sources and rate-limited clients cost no body read and no store work.
    const admit = async (req: Req, reply: FastifyReply) => {
      const source = webhookSources.get(req.params.name);
      if (!source)
        return problem(
          reply,
          404,
          'UNKNOWN_SOURCE',
          `No webhook source named "${req.params.name.slice(0, 80)}"`
        );
      const limit = limiter(`${source.name}|${req.ip ?? 'unknown'}`, source.rateLimitPerMinute);
      if (!limit.allowed) {
        reply.header('retry-after', String(limit.retryAfterSeconds));
        return problem(
          reply,
          429,
          'RATE_LIMITED',
          `Too many submissions; retry in ${limit.retryAfterSeconds} s`
        );
      }
      if (!sourceSecret(source))
        return problem(reply, 503, 'NOT_CONFIGURED', `Source "${source.name}" has no secret configured`);
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > source.bodyLimitBytes)
        return problem(reply, 413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${source.bodyLimitBytes} bytes`);
      return undefined;
    };

    scope.post<{ Params: { name: string } }>(
      '/sources/:name/leads',
      { bodyLimit: routeLimit, onRequest: admit },
      async (req: Req, reply) => {
        const source = webhookSources.get(req.params.name)!;
        const secret = sourceSecret(source)!;
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const raw = req.body;
        if (!ACCEPTED_TYPES.includes(contentType) || !Buffer.isBuffer(raw)) {
          return problem(
            reply,
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            `Content-Type must be ${ACCEPTED_TYPES.join(' or ')}`
          );
        }
        if (raw.length > source.bodyLimitBytes)
          return problem(reply, 413, 'PAYLOAD_TOO_LARGE', `Body exceeds ${source.bodyLimitBytes} bytes`);
        const header = req.headers[SIGNATURE_HEADER];
        const check = checkSignature(secret, raw, Array.isArray(header) ? header[0] : header, {
          toleranceSeconds: source.signatureToleranceSeconds,
          allowLegacy: source.legacyBodySignature
        });
        if (!check.ok) {
          const refusal = signatureRefusal(check, source);
          return problem(reply, 401, refusal.code, refusal.message);
        }
        if (check.scheme === 'legacy' && !legacyWarned.has(source.name)) {
          legacyWarned.add(source.name);
          rt.logger.warn(
            { source: source.name },
            'accepted a legacy body-only webhook signature (sha256=); it can be replayed: move the sender to t=...,v1=... and remove legacyBodySignature'
          );
        }
        let text: string;
        try {
          text = UTF8.decode(raw);
        } catch {
          return problem(reply, 400, 'INVALID_ENCODING', 'Body is not valid UTF-8');
        }
        const isJson = contentType === 'application/json';
        if (isJson && jsonNestingExceeds(text, source.maxJsonDepth))
          return problem(reply, 400, 'JSON_TOO_DEEP', tooDeepMessage(source.maxJsonDepth));
        let payload: unknown;
        try {
          payload = isJson ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
        } catch {
          return problem(reply, 400, 'INVALID_JSON', 'Body is not valid JSON');
        }
        if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
          return problem(reply, 400, 'INVALID_BODY', 'Body must be one lead as a JSON object');
        }
        const unstorable = findUnstorable(payload, source.maxJsonDepth);
        if (unstorable) return problem(reply, 400, unstorable.code, unstorable.message);
        const key = idempotencyKeyOf(req, payload as Record<string, unknown>, source, raw);
        if ('error' in key) return problem(reply, 400, 'INVALID_IDEMPOTENCY_KEY', key.error);

        const ip = req.ip ?? 'unknown';
        const stored = await storeSubmissionOnce(rt.store, {
          source: source.name,
          idempotencyKey: key.key,
          rawBody: raw,
          payloadJson: JSON.stringify(payload),
          remoteIp: ip
        });
        switch (stored.outcome) {
          case 'stored':
            rt.logger.info({ source: source.name, id: stored.id }, 'webhook submission stored');
            return reply.code(202).send({ id: stored.id, status: 'queued' });
          case 'duplicate':
            rt.logger.info({ source: source.name, id: stored.id }, 'webhook replay answered as duplicate');
            return reply.code(200).send({ id: stored.id, status: 'duplicate' });
          case 'key-reused':
            return problem(
              reply,
              422,
              'IDEMPOTENCY_KEY_REUSED',
              `Idempotency key was already used for submission ${stored.id} with a different body; use a new key for a new submission`
            );
        }
      }
    );
  });
}
