/**
 * The jsforce transport every org client request goes through (REST, collections, Bulk 2.0, SOAP and the
 * OAuth token endpoint alike). It does two things jsforce cannot do by itself:
 *  - counts each HTTP request by API surface (exact usage, retries and polling included; requests refused
 *    with 401 are counted as `rejected`, outside the charged total, as the org does not count them);
 *  - limits the session-refresh retry to one: jsforce retries a request after every 401 refresh, so a
 *    token that is refused again would loop forever. The second 401 for the same request object is
 *    turned into a SalesforceError INVALID_SESSION_ID instead.
 */
import { Transport } from '@jsforce/jsforce-node/lib/transport';
import { StreamPromise } from '@jsforce/jsforce-node/lib/util/promise';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from '@jsforce/jsforce-node/lib/types';
import { SalesforceError } from './types';
import { classifyRequest, type MutableUsageCounter } from './usage';

export class CountingTransport extends Transport {
  /** How many times each request object has been sent (jsforce resends the same object after a refresh). */
  private readonly attempts = new WeakMap<object, number>();

  constructor(
    private readonly usage: MutableUsageCounter,
    /**
     * Per-request deadline. jsforce waits forever when a connection dies mid-response (headers received, body
     * cut), so without it a dropped connection hangs the whole run. LEADFLOW_REQUEST_TIMEOUT_MS overrides.
     */
    private readonly timeoutMs = Number(process.env.LEADFLOW_REQUEST_TIMEOUT_MS) || 120_000
  ) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    const surface = classifyRequest(req.url);
    this.usage.record(surface);
    const attempt = (this.attempts.get(req) ?? 0) + 1;
    this.attempts.set(req, attempt);
    const inner = super.httpRequest(req, options);
    return StreamPromise.create(() => ({
      stream: inner.stream(),
      promise: withDeadline(inner, this.timeoutMs, req.url).then((res) => {
        // A 401 is refused before the org counts it: keep it out of the charged total.
        if (res.statusCode === 401 && surface !== 'auth') this.usage.reclassify(surface, 'rejected');
        if (attempt > 1 && surface !== 'auth' && isSessionExpired(res)) {
          throw new SalesforceError(
            'INVALID_SESSION_ID',
            'Session expired or invalid, and still refused after refreshing the access token once',
            safeBody(res),
            401
          );
        }
        return res;
      })
    }));
  }
}

/** Rejects with a transient REQUEST_TIMEOUT when the response has not fully arrived in time. */
function withDeadline<T>(promise: PromiseLike<T>, ms: number, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SalesforceError('REQUEST_TIMEOUT', `No complete response within ${ms} ms from ${url.split('?')[0]}`, undefined, 504)),
      ms
    );
    timer.unref();
  });
  return Promise.race([Promise.resolve(promise), deadline]).finally(() => clearTimeout(timer));
}

function isSessionExpired(res: HttpResponse): boolean {
  if (res.statusCode === 401) return true;
  // SOAP reports an expired session as a 500 fault.
  return res.statusCode === 500 && /<faultcode>[a-zA-Z]+:INVALID_SESSION_ID<\/faultcode>/.test(String(res.body ?? ''));
}

function safeBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(String(res.body));
  } catch {
    return undefined;
  }
}
