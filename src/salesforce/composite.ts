/**
 * Composite API surface (POST /services/data/vXX.X/composite): several independent GET subrequests (queries,
 * describes) in one HTTP request, which Salesforce counts as one API call. allOrNone is false, so each
 * subrequest succeeds or fails on its own; a failed one comes back as a SalesforceError built from its body.
 * Salesforce allows 25 subrequests, at most 5 of them queries (COMPOSITE_MAX_QUERIES).
 */
import type { Connection } from '@jsforce/jsforce-node';
import { z } from 'zod';
import { call } from './rest';
import { SalesforceError, type SObjectRecord } from './types';

export const COMPOSITE_MAX_SUBREQUESTS = 25;
export const COMPOSITE_MAX_QUERIES = 5;

export interface CompositeGet {
  referenceId: string;
  /** Path under /services/data/vXX.X, e.g. `/sobjects/Lead/describe` or queryUrl(soql). */
  path: string;
}

const compositeResponseSchema = z.object({
  compositeResponse: z.array(z.object({ referenceId: z.string(), httpStatusCode: z.number(), body: z.unknown() }))
});
const queryPageSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown()))
});
const errorBodySchema = z.array(z.object({ errorCode: z.string().optional(), message: z.string().optional() }).passthrough());

/** One page of a query result (GET /query), as Salesforce sends it. */
export type QueryPage = z.infer<typeof queryPageSchema>;

export const queryUrl = (soql: string, includeDeleted = false): string => `/${includeDeleted ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;

/** The results of one Composite request, by referenceId. */
export class CompositeResults {
  constructor(
    private readonly conn: Connection,
    private readonly byRef: Map<string, { httpStatusCode: number; body: unknown }>
  ) {}

  /** The subrequest's body; throws the subrequest's own error (errorCode, message, HTTP status) when it failed. */
  body(referenceId: string): unknown {
    const r = this.byRef.get(referenceId);
    if (!r) throw new SalesforceError('UNEXPECTED_RESPONSE', `Composite response has no subrequest "${referenceId}"`);
    if (r.httpStatusCode >= 400) {
      const parsed = errorBodySchema.safeParse(r.body);
      const first = parsed.success ? parsed.data[0] : undefined;
      throw new SalesforceError(first?.errorCode ?? 'UNKNOWN_ERROR', first?.message ?? JSON.stringify(r.body).slice(0, 500), r.body, r.httpStatusCode);
    }
    return r.body;
  }

  /** The first page of a query subrequest; throws the subrequest's error as body() does. */
  page(referenceId: string): QueryPage {
    return queryPageSchema.parse(this.body(referenceId));
  }

  /**
   * The page after `page` through its nextRecordsUrl (one API call), or null after the last page. Callers that
   * must not hold a whole result (large syncs) walk the pages with this, one at a time.
   */
  async nextPage(page: QueryPage): Promise<QueryPage | null> {
    if (page.done || !page.nextRecordsUrl) return null;
    return queryPageSchema.parse(await call(this.conn, 'GET', page.nextRecordsUrl));
  }

  /** Every record of a query subrequest: its first page from the Composite response, then nextRecordsUrl pages. */
  async records<T extends SObjectRecord = SObjectRecord>(referenceId: string): Promise<T[]> {
    const out: T[] = [];
    for (let page: QueryPage | null = this.page(referenceId); page; page = await this.nextPage(page)) out.push(...(page.records as T[]));
    return out;
  }
}

/** Sends the GET subrequests in one Composite request (one API call). */
export async function compositeGet(conn: Connection, requests: CompositeGet[]): Promise<CompositeResults> {
  if (requests.length === 0 || requests.length > COMPOSITE_MAX_SUBREQUESTS) {
    throw new RangeError(`A Composite request takes 1 to ${COMPOSITE_MAX_SUBREQUESTS} subrequests, not ${requests.length}`);
  }
  const queries = requests.filter((r) => /^\/query(All)?\?/.test(r.path)).length;
  if (queries > COMPOSITE_MAX_QUERIES) throw new RangeError(`A Composite request takes at most ${COMPOSITE_MAX_QUERIES} queries, not ${queries}`);
  const base = `/services/data/v${conn.version}`;
  const raw = await call(conn, 'POST', '/composite', {
    allOrNone: false,
    compositeRequest: requests.map((r) => ({ method: 'GET', url: `${base}${r.path}`, referenceId: r.referenceId }))
  });
  const parsed = compositeResponseSchema.parse(raw);
  return new CompositeResults(conn, new Map(parsed.compositeResponse.map((r) => [r.referenceId, r])));
}
