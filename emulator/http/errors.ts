/**
 * Salesforce's REST error shape and the helpers every route uses to produce it.
 * Body: `[{"message":"…","errorCode":"…","fields":[…]}]` (array; `fields` only when set), status per errorCode.
 */
import type { FastifyReply } from 'fastify';
import { SalesforceApiError } from '../core/types';

export interface RestErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';
export const INVALID_SESSION_MESSAGE = 'Session expired or invalid';

export function restErrorBody(errorCode: string, message: string, fields?: string[]): RestErrorBody[] {
  return [fields && fields.length > 0 ? { message, errorCode, fields } : { message, errorCode }];
}

export function sendRestError(
  reply: FastifyReply,
  status: number,
  errorCode: string,
  message: string,
  fields?: string[]
): FastifyReply {
  return reply
    .code(status)
    .type('application/json;charset=UTF-8')
    .send(restErrorBody(errorCode, message, fields));
}

export function notFound(message = NOT_FOUND_MESSAGE): SalesforceApiError {
  return new SalesforceApiError('NOT_FOUND', message, 404);
}

export function invalidSession(): SalesforceApiError {
  return new SalesforceApiError('INVALID_SESSION_ID', INVALID_SESSION_MESSAGE, 401);
}

export function badRequest(errorCode: string, message: string, fields: string[] = []): SalesforceApiError {
  return new SalesforceApiError(errorCode, message, 400, fields);
}

/** True for a SalesforceApiError, also when it crossed a module boundary (duck-typed on errorCode/httpStatus). */
export function isSalesforceApiError(error: unknown): error is SalesforceApiError {
  if (error instanceof SalesforceApiError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<SalesforceApiError>;
  return (
    typeof candidate.errorCode === 'string' &&
    typeof candidate.httpStatus === 'number' &&
    typeof candidate.message === 'string'
  );
}
