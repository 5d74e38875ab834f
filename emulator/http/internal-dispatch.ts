/**
 * Replays composite subrequests through the server itself over loopback HTTP, marked with a per-process
 * secret: such calls are neither counted nor faulted (the composite call counted once), run as the
 * outer caller, and continue the outer call's open transaction (allOrNone) via a handle header.
 * (Fastify's in-process inject() is not used: its cookie dependency is ESM-only and breaks under jest.)
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from '@electric-sql/pglite';
import type { TransactionAwareDb } from './tx-aware-db';

export const INTERNAL_SECRET_HEADER = 'x-emulator-internal';
export const INTERNAL_USER_HEADER = 'x-emulator-user';
export const INTERNAL_TX_HEADER = 'x-emulator-tx';

export interface InternalResponse {
  status: number;
  body: unknown;
  location: string | null;
}

export interface InternalDispatcher {
  /** True when the request carries this process's internal secret. */
  isInternal(headers: Record<string, unknown>): boolean;
  /** The transaction an internal request must continue, if any. */
  transactionFor(headers: Record<string, unknown>): Transaction | undefined;
  call(opts: {
    method: string;
    url: string;
    body?: unknown;
    authorization: string;
    userId: string;
    headers?: Record<string, string>;
  }): Promise<InternalResponse>;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function createInternalDispatcher(
  txDb: TransactionAwareDb,
  baseUrl: () => string
): InternalDispatcher {
  const secret = randomBytes(24).toString('hex');
  const openTransactions = new Map<string, Transaction>();

  return {
    isInternal: (headers) => headers[INTERNAL_SECRET_HEADER] === secret,
    transactionFor(headers) {
      if (headers[INTERNAL_SECRET_HEADER] !== secret) return undefined;
      const handle = headers[INTERNAL_TX_HEADER];
      return typeof handle === 'string' ? openTransactions.get(handle) : undefined;
    },
    async call({ method, url, body, authorization, userId, headers = {} }) {
      const tx = txDb.current();
      const handle = tx ? randomBytes(12).toString('hex') : null;
      if (tx && handle) openTransactions.set(handle, tx);
      try {
        const response = await fetch(`${baseUrl()}${url}`, {
          method,
          headers: {
            ...headers,
            authorization,
            'content-type': 'application/json',
            [INTERNAL_SECRET_HEADER]: secret,
            [INTERNAL_USER_HEADER]: userId,
            ...(handle ? { [INTERNAL_TX_HEADER]: handle } : {})
          },
          ...(body === undefined || method === 'GET' ? {} : { body: JSON.stringify(body) })
        });
        return {
          status: response.status,
          body: parseBody(await response.text()),
          location: response.headers.get('location')
        };
      } finally {
        if (handle) openTransactions.delete(handle);
      }
    }
  };
}
