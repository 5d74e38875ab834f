/**
 * REST surface: SOQL query with paging, and sObject Collections DML in chunks of COLLECTIONS_MAX
 * (allOrNone=false) with one result per input record, in input order.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { COLLECTIONS_MAX, SalesforceError, type RecordResult, type RestApi, type SObjectRecord } from './types';
import { isAuthFailure, normaliseRecordErrors, recordErrorFrom, toSalesforceError } from './errors';

interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

interface CollectionItem {
  id?: string | null;
  success?: boolean;
  created?: boolean;
  errors?: unknown;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One HTTP call through jsforce (so session refresh and counting apply); errors become SalesforceError. */
export async function call<T>(conn: Connection, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  try {
    return (await conn.request<T>({
      method,
      url,
      ...(body === undefined
        ? Object.keys(headers).length ? { headers } : {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })
    })) as T;
  } catch (err) {
    throw toSalesforceError(err);
  }
}

export interface RestOptions {
  /** Records per query page (Sforce-Query-Options batchSize, 200..2000; Salesforce may return fewer). */
  queryBatchSize?: number;
}

export function createRestApi(conn: Connection, options: RestOptions = {}): RestApi {
  const queryHeaders: Record<string, string> = options.queryBatchSize
    ? { 'Sforce-Query-Options': `batchSize=${Math.min(2000, Math.max(200, Math.round(options.queryBatchSize)))}` }
    : {};
  async function* queryPages<T extends SObjectRecord>(soql: string, opts: { includeDeleted?: boolean } = {}) {
    const resource = opts.includeDeleted ? 'queryAll' : 'query';
    let page = await call<QueryPage<T>>(conn, 'GET', `/${resource}?q=${encodeURIComponent(soql)}`, undefined, queryHeaders);
    for (;;) {
      yield page.records ?? [];
      if (page.done !== false || !page.nextRecordsUrl) return;
      // nextRecordsUrl is a /services/data/... path; jsforce resolves it against the instance URL.
      page = await call<QueryPage<T>>(conn, 'GET', page.nextRecordsUrl, undefined, queryHeaders);
    }
  }

  /** Runs `send` per chunk; a request-level failure becomes a per-record failure for that chunk only. */
  async function chunked<I>(
    items: I[],
    size: number,
    send: (chunk: I[]) => Promise<CollectionItem[]>
  ): Promise<RecordResult[]> {
    const results: RecordResult[] = [];
    for (let offset = 0; offset < items.length; offset += size) {
      const chunk = items.slice(offset, offset + size);
      let items_: CollectionItem[];
      try {
        items_ = await send(chunk);
      } catch (err) {
        const sfErr = toSalesforceError(err);
        if (isAuthFailure(sfErr)) throw sfErr;
        chunk.forEach((_, i) =>
          results.push({ index: offset + i, id: null, success: false, errors: [recordErrorFrom(sfErr)] })
        );
        continue;
      }
      if (!Array.isArray(items_) || items_.length !== chunk.length) {
        throw new SalesforceError(
          'UNEXPECTED_RESPONSE',
          `sObject Collections returned ${Array.isArray(items_) ? items_.length : 'no'} results for ${chunk.length} records`,
          items_
        );
      }
      items_.forEach((r, i) =>
        results.push({
          index: offset + i,
          id: r?.id ?? null,
          success: r?.success === true,
          ...(typeof r?.created === 'boolean' ? { created: r.created } : {}),
          errors: normaliseRecordErrors(r?.errors)
        })
      );
    }
    return results;
  }

  const withType = (type: string, record: SObjectRecord, keepId: boolean) => {
    const { Id, attributes: _attributes, ...fields } = record as SObjectRecord & { attributes?: unknown };
    return { attributes: { type }, ...fields, ...(keepId && Id ? { Id } : {}) };
  };

  /** Update needs an Id; records without one fail locally instead of costing a call. */
  async function update(type: string, records: SObjectRecord[]): Promise<RecordResult[]> {
    const withIds = records.map((r, index) => ({ r, index })).filter(({ r }) => typeof r.Id === 'string' && r.Id);
    const sent = await chunked(withIds, COLLECTIONS_MAX, (chunk) =>
      call(conn, 'PATCH', '/composite/sobjects', { allOrNone: false, records: chunk.map(({ r }) => withType(type, r, true)) })
    );
    const out: RecordResult[] = records.map((_, index) => ({
      index,
      id: null,
      success: false,
      errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: ['Id'] }]
    }));
    sent.forEach((res, i) => {
      const original = withIds[i]!.index;
      out[original] = { ...res, index: original };
    });
    return out;
  }

  return {
    async query<T extends SObjectRecord>(soql: string, opts?: { includeDeleted?: boolean }) {
      const all: T[] = [];
      for await (const page of queryPages<T>(soql, opts)) for (const r of page) all.push(r);
      return all;
    },
    queryPages,
    create: (type, records) =>
      chunked(records, COLLECTIONS_MAX, (chunk) =>
        call(conn, 'POST', '/composite/sobjects', { allOrNone: false, records: chunk.map((r) => withType(type, r, false)) })
      ),
    update,
    upsert: (type, externalIdField, records) =>
      chunked(records, COLLECTIONS_MAX, (chunk) =>
        call(conn, 'PATCH', `/composite/sobjects/${encodeURIComponent(type)}/${encodeURIComponent(externalIdField)}`, {
          allOrNone: false,
          records: chunk.map((r) => withType(type, r, false))
        })
      ),
    delete: (ids) =>
      chunked(ids, COLLECTIONS_MAX, (chunk) =>
        call(conn, 'DELETE', `/composite/sobjects?ids=${chunk.map(encodeURIComponent).join(',')}&allOrNone=false`)
      )
  };
}
