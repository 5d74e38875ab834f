/**
 * Exact API usage counting: the org client's transport calls `record()` once per HTTP request it sends,
 * classified by URL, so retries, polling and paging are all counted.
 */
import type { ApiUsageCounter } from './types';

export type Surface = 'rest' | 'collections' | 'bulk' | 'soap' | 'describe' | 'auth' | 'rejected';
export const SURFACES: Surface[] = ['rest', 'collections', 'bulk', 'soap', 'describe', 'auth', 'rejected'];
/** Requests Salesforce does not charge against DailyApiRequests. */
const UNCHARGED = new Set<Surface>(['auth', 'rejected']);

/** Which API surface a request URL belongs to. */
export function classifyRequest(url: string): Surface {
  const path = url.replace(/^https?:\/\/[^/]+/i, '').split('?')[0] ?? '';
  if (/^\/services\/oauth2\//i.test(path) || /^\/id\//i.test(path)) return 'auth';
  if (/^\/services\/Soap\//i.test(path)) return 'soap';
  if (/\/jobs\/(ingest|query)(\/|$)/.test(path)) return 'bulk';
  if (/\/composite\/sobjects(\/|$)/.test(path)) return 'collections';
  if (/\/sobjects\/?$/.test(path) || /\/sobjects\/[^/]+\/describe\/?$/.test(path)) return 'describe';
  return 'rest';
}

export interface MutableUsageCounter extends ApiUsageCounter {
  record(surface: Surface): void;
  /** Moves one count from `from` to `to` (a request refused with 401 becomes `rejected`). */
  reclassify(from: Surface, to: Surface): void;
}

/**
 * `total()` counts the calls Salesforce charges against DailyApiRequests: everything except `auth`
 * (OAuth token/identity endpoints are not API calls) and `rejected` (requests refused with HTTP 401 because
 * the session expired, which are retried after a refresh). `bySurface()` reports every surface.
 */
export function createUsageCounter(): MutableUsageCounter {
  const counts = new Map<Surface, number>();
  return {
    record(surface) {
      counts.set(surface, (counts.get(surface) ?? 0) + 1);
    },
    reclassify(from, to) {
      counts.set(from, Math.max(0, (counts.get(from) ?? 0) - 1));
      counts.set(to, (counts.get(to) ?? 0) + 1);
    },
    total() {
      let n = 0;
      for (const [surface, c] of counts) if (!UNCHARGED.has(surface)) n += c;
      return n;
    },
    bySurface() {
      const out: Record<string, number> = {};
      for (const s of SURFACES) out[s] = counts.get(s) ?? 0;
      return out;
    }
  };
}

/** "12 (rest 3, collections 6, bulk 0, ...)" for the end-of-command line; zero surfaces omitted. */
export function formatUsage(usage: ApiUsageCounter): string {
  const parts = Object.entries(usage.bySurface())
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return `${usage.total()}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
