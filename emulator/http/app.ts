/**
 * The Fastify instance with Salesforce's wire conventions: tolerant body parsers (sfdx-core sends
 * content-type: application/json on bodiless GETs), Salesforce error bodies for every failure, and a
 * never-crash error handler.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { SalesforceApiError } from '../core/types';
import { isSalesforceApiError, NOT_FOUND_MESSAGE, restErrorBody } from './errors';
import { classifyPath, normalizeRequestUrl, redactUrl } from './paths';
import { trackRestResources, unsupportedMessageFor } from './rest-resources';
import { soapFaultXml } from './soap-fault';

/** Bulk API 2.0 accepts uploads up to 150 MB. */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
const JSON_BODY_LIMIT = 50 * 1024 * 1024;

export interface HttpAppOptions {
  /** Print one line per request (method, redacted URL, status, ms). */
  logRequests: boolean;
}

function jsonParserError(message: string): SalesforceApiError {
  return new SalesforceApiError('JSON_PARSER_ERROR', message, 400);
}

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: JSON_BODY_LIMIT,
    // Salesforce ids and SOQL in URLs can be long.
    routerOptions: { maxParamLength: 2000 },
    // One place for Salesforce's path leniency (duplicate and trailing slashes), before routing, so every
    // route, the API guard's path classification and the usage counters all see the canonical path.
    rewriteUrl: (req) => normalizeRequestUrl(req.url ?? '/'),
    forceCloseConnections: true
  });

  // Before any route exists: the version resource map lists what the registered routes serve.
  trackRestResources(app);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/vnd.api+json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        done(jsonParserError(`Unexpected character in JSON body: ${detail}`), undefined);
      }
    }
  );
  // Form posts (OAuth) and anything else reach routes as raw strings. CSV (bulk) and XML (SOAP) parsers are
  // registered by those modules in their own scopes (Fastify refuses a second parser for the same type).
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string', bodyLimit: MAX_UPLOAD_BYTES },
    (_request, body, done) => done(null, body)
  );
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) =>
    done(null, body)
  );

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const classified = classifyPath(request.url);
    let status: number;
    let errorCode: string;
    let message: string;
    let fields: string[] | undefined;
    if (isSalesforceApiError(error)) {
      status = error.httpStatus;
      errorCode = error.errorCode;
      message = error.message;
      fields = error.fields.length > 0 ? [...error.fields] : undefined;
    } else if ('code' in error && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      errorCode = 'REQUEST_ENTITY_TOO_LARGE';
      message = 'The request body is too large';
    } else if (
      'statusCode' in error &&
      typeof error.statusCode === 'number' &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      status = error.statusCode;
      errorCode = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST';
      message = error.message;
    } else {
      status = 500;
      errorCode = 'UNKNOWN_EXCEPTION';
      const errorId = randomUUID();
      message = `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`;
      // Shown on the console so the emulator's own bugs are visible; the client sees Salesforce's generic message.
      console.error(`[emulator] ${errorId} ${request.method} ${redactUrl(request.url)}:`, error);
    }
    if (reply.sent) return;
    if (classified.kind === 'soap') {
      return reply
        .code(status >= 500 ? status : 500)
        .type('text/xml;charset=UTF-8')
        .send(soapFaultXml(errorCode, message));
    }
    return reply
      .code(status)
      .type('application/json;charset=UTF-8')
      .send(restErrorBody(errorCode, message, fields));
  });

  // Nothing matched: a Salesforce resource the local org does not implement is named as such; anything
  // else gets Salesforce's plain 404.
  app.setNotFoundHandler((request, reply) => {
    const message = unsupportedMessageFor(request.url) ?? NOT_FOUND_MESSAGE;
    if (classifyPath(request.url).kind === 'soap') {
      return reply.code(404).type('text/xml;charset=UTF-8').send(soapFaultXml('NOT_FOUND', message));
    }
    return reply.code(404).type('application/json;charset=UTF-8').send(restErrorBody('NOT_FOUND', message));
  });

  if (options.logRequests) {
    app.addHook('onResponse', async (request, reply) => {
      process.stdout.write(
        `${request.method} ${redactUrl(request.url)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms\n`
      );
    });
  }
  return app;
}
