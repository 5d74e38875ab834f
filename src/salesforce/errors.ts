/**
 * Maps whatever jsforce throws (HttpApiError with errorCode/data, SOAP faults, network errors, polling
 * timeouts) to the contract's SalesforceError, keeping Salesforce's errorCode and the raw payload.
 */
import { SalesforceError, type RecordError } from './types';
import { scrubString } from '../shared/redact';

/** HTTP status implied by well-known error codes (jsforce's HttpApiError does not keep the status). */
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  NOT_FOUND: 404,
  MULTIPLE_CHOICES: 300
};

export function toSalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  if (err instanceof Error) {
    const e = err as Error & { errorCode?: unknown; code?: unknown; data?: unknown; jobId?: unknown };
    let code =
      typeof e.errorCode === 'string' && e.errorCode !== 'Error'
        ? e.errorCode
        : typeof e.code === 'string'
          ? e.code
          : e.name && e.name !== 'Error'
            ? e.name
            : 'UNKNOWN_ERROR';
    // SOAP faults come back as e.g. "sf:INVALID_SESSION_ID".
    code = code.replace(/^[a-z]+:/i, '');
    const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
    const status = http ? Number(http[1]) : STATUS_BY_CODE[code];
    return new SalesforceError(code, scrubString(e.message), e.data ?? (e.jobId ? { jobId: e.jobId } : undefined), status);
  }
  return new SalesforceError('UNKNOWN_ERROR', scrubString(String(err)), err);
}

/** Collections return `statusCode`, REST and jsforce's types say `errorCode`; accept both. */
export function normaliseRecordErrors(errors: unknown): RecordError[] {
  if (errors === undefined || errors === null) return [];
  const list = Array.isArray(errors) ? errors : [errors];
  return list.map((raw) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const fields = e.fields;
    return {
      statusCode: String(e.statusCode ?? e.errorCode ?? 'UNKNOWN_ERROR'),
      message: String(e.message ?? ''),
      fields: Array.isArray(fields) ? fields.map(String) : typeof fields === 'string' && fields ? [fields] : []
    };
  });
}

/** A record-level error built from a request-level failure, so callers still get one result per input. */
export function recordErrorFrom(err: SalesforceError): RecordError {
  return { statusCode: err.errorCode, message: err.message, fields: [] };
}

/** Errors that must abort the whole operation rather than be reported per record. */
export function isAuthFailure(err: SalesforceError): boolean {
  return err.errorCode === 'INVALID_SESSION_ID' || err.httpStatus === 401;
}
