/**
 * Per-request context carried through async calls (AsyncLocalStorage), so layers below the routes
 * (the record store's fault decorator) know which API call they serve.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import type { CallInfo } from '../faults/controller';

export interface RequestScope {
  call: CallInfo;
  /** User the call runs as (from the access token); null for SOAP before its SessionHeader is read. */
  userId: string | null;
  /** API version of a /services/data/vXX.X call, e.g. '62.0'. */
  apiVersion: string | null;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API guard for authenticated REST/bulk calls. */
    emulatorScope: RequestScope | null;
  }
}

/** The user an authenticated REST/bulk call runs as (set by the API guard), or null. */
export function callerUserId(request: FastifyRequest): string | null {
  return request.emulatorScope?.userId ?? null;
}
