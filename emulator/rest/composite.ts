/**
 * POST /composite (§1.7): up to 25 subrequests run in order, later ones may reference earlier results
 * with @{referenceId.path}. The call counts as one API request: subrequests are replayed through the
 * server marked as internal (http/internal-dispatch), so they are neither counted nor faulted.
 * allOrNone=true runs everything in one record-store transaction and rolls it back on the first failure.
 * POST /composite/batch: up to 25 independent subrequests (no references, each commits on its own).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SalesforceApiError } from '../core/types';
import { callerUserId } from '../http/request-scope';
import { badRequest } from '../http/errors';
import type { RestDeps } from './index';
import { apiVersionOf, DATA_PREFIX, resource } from './shared';

export const MAX_SUBREQUESTS = 25;
/** Of the 25, at most 5 may be query operations (query, queryAll, query more) or sObject Collections. */
export const MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5;
const QUERY_OR_COLLECTION = /^\/services\/data\/v\d+\.\d+\/(query|queryAll|composite\/sobjects)(\/|\?|$)/;
const HALTED_MESSAGE =
  'The transaction was rolled back since another operation in the same transaction failed.';

const subrequestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
  url: z.string().startsWith('/services/data/'),
  referenceId: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_]*$/,
      'referenceId must start with a letter and contain only letters, digits and underscores'
    ),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional()
});

const compositeSchema = z.object({
  allOrNone: z.boolean().default(false),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(subrequestSchema).min(1)
});

const batchSchema = z.object({
  haltOnError: z.boolean().default(false),
  batchRequests: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
        url: z.string().min(1),
        richInput: z.unknown().optional(),
        binaryPartName: z.string().optional()
      })
    )
    .min(1)
});

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

class UnresolvedReference extends Error {}
class RollbackSignal extends Error {}

/** Value at a path like `id`, `records[0].Id` or `compositeResponse[1].body.id` inside a subresponse body. */
function lookupPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) return undefined;
    if (match[1])
      current =
        current && typeof current === 'object' ? (current as Record<string, unknown>)[match[1]] : undefined;
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    }
  }
  return current;
}

const REFERENCE = /@\{([A-Za-z][A-Za-z0-9_]*)\.([^}]+)\}/g;

function resolveString(text: string, results: Map<string, SubResponse>, encode: boolean): unknown {
  const whole = /^@\{([A-Za-z][A-Za-z0-9_]*)\.([^}]+)\}$/.exec(text);
  const resolveOne = (referenceId: string, path: string): unknown => {
    const earlier = results.get(referenceId);
    if (!earlier || earlier.httpStatusCode >= 400) throw new UnresolvedReference(`${referenceId}.${path}`);
    const value = lookupPath(earlier.body, path);
    if (value === undefined) throw new UnresolvedReference(`${referenceId}.${path}`);
    return value;
  };
  // A string that is only a reference keeps the referenced JSON type (number, boolean, null).
  if (whole && !encode) return resolveOne(whole[1] as string, whole[2] as string);
  return text.replace(REFERENCE, (_m, referenceId: string, path: string) => {
    const value = resolveOne(referenceId, path);
    const str = value === null ? '' : String(value);
    return encode ? encodeURIComponent(str) : str;
  });
}

function resolveDeep(value: unknown, results: Map<string, SubResponse>): unknown {
  if (typeof value === 'string') return resolveString(value, results, false);
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, results));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, results)]));
  return value;
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

export function registerCompositeRoutes(app: FastifyInstance, deps: RestDeps): void {
  const { ctx, internal } = deps;

  async function runInternal(
    request: FastifyRequest,
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string> = {}
  ) {
    const response = await internal.call({
      method,
      url,
      body,
      headers,
      authorization: request.headers.authorization ?? '',
      userId: callerUserId(request) ?? ctx.defaultUserId
    });
    const httpHeaders: Record<string, string> = {};
    if (response.location) httpHeaders.Location = response.location;
    return { status: response.status, body: response.body, httpHeaders };
  }

  resource(app, `${DATA_PREFIX}/composite`, {
    POST: async (request) => {
      apiVersionOf(request);
      const parsed = compositeSchema.safeParse(request.body);
      if (!parsed.success) throw badRequest('JSON_PARSER_ERROR', zodMessage(parsed.error));
      const { allOrNone, compositeRequest } = parsed.data;
      if (compositeRequest.length > MAX_SUBREQUESTS) {
        throw badRequest(
          'INVALID_API_INPUT',
          `Composite request may contain at most ${MAX_SUBREQUESTS} subrequests, got ${compositeRequest.length}`
        );
      }
      const heavy = compositeRequest.filter((sub) => QUERY_OR_COLLECTION.test(sub.url)).length;
      if (heavy > MAX_QUERY_OR_COLLECTION_SUBREQUESTS) {
        throw badRequest(
          'INVALID_API_INPUT',
          `Composite request may contain at most ${MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or sObject Collections subrequests, got ${heavy}`
        );
      }
      const seen = new Set<string>();
      for (const sub of compositeRequest) {
        if (seen.has(sub.referenceId))
          throw badRequest('INVALID_API_INPUT', `Duplicate referenceId: ${sub.referenceId}`);
        seen.add(sub.referenceId);
      }

      const results = new Map<string, SubResponse>();
      const ordered: SubResponse[] = [];
      let failedAt = -1;

      const runAll = async (): Promise<void> => {
        for (const [index, sub] of compositeRequest.entries()) {
          let url: string;
          let body: unknown;
          try {
            url = String(resolveString(sub.url, results, true));
            body = sub.body === undefined ? undefined : resolveDeep(sub.body, results);
          } catch (error) {
            if (!(error instanceof UnresolvedReference)) throw error;
            const response: SubResponse = {
              body: [
                {
                  errorCode: 'PROCESSING_HALTED',
                  message: `Invalid reference specified. No value for ${error.message} found. Provided referenceId may be invalid or its subrequest failed.`
                }
              ],
              httpHeaders: {},
              httpStatusCode: 400,
              referenceId: sub.referenceId
            };
            results.set(sub.referenceId, response);
            ordered.push(response);
            if (allOrNone) {
              failedAt = index;
              throw new RollbackSignal();
            }
            continue;
          }
          const outcome = await runInternal(request, sub.method, url, body, sub.httpHeaders);
          const response: SubResponse = {
            body: outcome.body,
            httpHeaders: outcome.httpHeaders,
            httpStatusCode: outcome.status,
            referenceId: sub.referenceId
          };
          results.set(sub.referenceId, response);
          ordered.push(response);
          if (allOrNone && outcome.status >= 400) {
            failedAt = index;
            throw new RollbackSignal();
          }
        }
      };

      if (allOrNone) {
        try {
          await ctx.records.transaction(runAll);
        } catch (error) {
          if (!(error instanceof RollbackSignal)) throw error;
        }
      } else {
        await runAll();
      }

      if (failedAt >= 0) {
        const halted = (referenceId: string): SubResponse => ({
          body: [{ errorCode: 'PROCESSING_HALTED', message: HALTED_MESSAGE }],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId
        });
        return {
          compositeResponse: compositeRequest.map((sub, index) =>
            index === failedAt ? (ordered[index] as SubResponse) : halted(sub.referenceId)
          )
        };
      }
      return { compositeResponse: ordered };
    }
  });

  resource(app, `${DATA_PREFIX}/composite/batch`, {
    POST: async (request) => {
      const version = apiVersionOf(request);
      const parsed = batchSchema.safeParse(request.body);
      if (!parsed.success) throw badRequest('JSON_PARSER_ERROR', zodMessage(parsed.error));
      const { haltOnError, batchRequests } = parsed.data;
      if (batchRequests.length > MAX_SUBREQUESTS) {
        throw badRequest(
          'INVALID_API_INPUT',
          `Batch request may contain at most ${MAX_SUBREQUESTS} subrequests, got ${batchRequests.length}`
        );
      }
      const out: Array<{ statusCode: number; result: unknown }> = [];
      let halted = false;
      for (const sub of batchRequests) {
        if (halted) {
          out.push({
            statusCode: 412,
            result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }]
          });
          continue;
        }
        // Batch URLs are relative to /services/data (e.g. v62.0/sobjects/Account/001...).
        const relative = sub.url.replace(/^\/?(services\/data\/)?/, '');
        if (!/^v\d+\.\d+\//.test(relative))
          throw new SalesforceApiError(
            'INVALID_API_INPUT',
            `Batch subrequest URL must start with the version, like v${version}/: ${sub.url}`,
            400
          );
        const outcome = await runInternal(request, sub.method, `/services/data/${relative}`, sub.richInput);
        out.push({ statusCode: outcome.status, result: outcome.status === 204 ? null : outcome.body });
        if (haltOnError && outcome.status >= 400) halted = true;
      }
      return { hasErrors: out.some((item) => item.statusCode >= 400), results: out };
    }
  });
}
