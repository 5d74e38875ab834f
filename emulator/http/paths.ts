/** Classification of request paths: which calls are API calls (authenticated, counted, subject to faults). */

export type PathKind = 'versions' | 'rest' | 'soap' | 'other';

export interface ClassifiedPath {
  kind: PathKind;
  /** Path without the query string. */
  path: string;
  /** '62.0' for /services/data/v62.0/...; null otherwise. */
  apiVersion: string | null;
  /** Part after /services/data/vXX.X for REST calls; the full path otherwise. */
  apiPath: string;
}

/**
 * The request URL as the router sees it. Salesforce accepts `//services/data`, `/services/data/` and
 * `/services/data/v62.0/sobjects/Lead/` like their canonical forms, and the sf CLI relies on it: it stores
 * the instance URL with a trailing slash and calls `<instance>//services/data/...`. Duplicate slashes
 * collapse and a trailing slash is dropped in the path only; the query string (SOQL) is left as sent.
 */
export function normalizeRequestUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  let normalized = path.replace(/\/{2,}/g, '/');
  if (normalized.length > 1 && normalized.endsWith('/')) normalized = normalized.slice(0, -1);
  if (normalized === '') normalized = '/';
  return normalized === path ? url : normalized + query;
}

const REST_PATH = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/i;

export function classifyPath(url: string): ClassifiedPath {
  const path = url.split('?')[0] ?? url;
  if (/^\/services\/data\/?$/i.test(path)) return { kind: 'versions', path, apiVersion: null, apiPath: path };
  const rest = REST_PATH.exec(path);
  if (rest) return { kind: 'rest', path, apiVersion: rest[1] ?? null, apiPath: rest[2] ?? '/' };
  if (/^\/services\/soap\//i.test(path)) return { kind: 'soap', path, apiVersion: null, apiPath: path };
  return { kind: 'other', path, apiVersion: null, apiPath: path };
}

/** Usage counter key: method plus the route pattern below the version, e.g. 'GET /sobjects/:type/:id'. */
export function endpointKey(method: string, routePattern: string | undefined): string {
  if (!routePattern) return `${method} (no such resource)`;
  const below = routePattern.replace(/^\/services\/data\/:[a-zA-Z]+/, '');
  return `${method} ${below || '/'}`;
}

/** Path with oauth_token/access_token query values masked, safe for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:oauth_token|access_token|token|refresh_token|assertion)=)[^&]*/gi, '$1***');
}
