/**
 * Cross-cutting behaviour of every API call (REST incl. bulk under /services/data/vXX.X, and SOAP):
 * bearer-token check (401 INVALID_SESSION_ID), the daily API limit (403 REQUEST_LIMIT_EXCEEDED),
 * usage counting, injected faults, the Sforce-Limit-Info header, and the per-request scope.
 * SOAP carries its session in the SessionHeader, so SOAP routes check the token themselves (ctx.auth).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenService } from '../auth/tokens';
import type { FaultController } from '../faults/controller';
import type { FaultRule } from '../faults/config';
import { INVALID_SESSION_MESSAGE, restErrorBody } from './errors';
import { INTERNAL_USER_HEADER, type InternalDispatcher } from './internal-dispatch';
import { classifyPath, endpointKey, type ClassifiedPath } from './paths';
import { requestScope, type RequestScope } from './request-scope';
import { soapFaultXml } from './soap-fault';
import type { TransactionAwareDb } from './tx-aware-db';
import type { MutableApiUsage } from './usage';

export const REQUEST_LIMIT_MESSAGE = 'TotalRequests Limit exceeded.';

export interface ApiGuardDeps {
  tokens: TokenService;
  usage: MutableApiUsage;
  faults: FaultController;
  /** Composite subrequests: authenticated by the outer call, neither counted nor faulted. */
  internal: InternalDispatcher;
  txDb: TransactionAwareDb;
}

export function bearerFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^(?:bearer|oauth)\s+(.+)$/i.exec(header.trim());
  return match?.[1] ? match[1].trim() : null;
}

function refuse(
  reply: FastifyReply,
  classified: ClassifiedPath,
  status: number,
  errorCode: string,
  message: string
): FastifyReply {
  if (classified.kind === 'soap') {
    // SOAP faults are HTTP 500 except for plain HTTP-level refusals like 503.
    return reply
      .code(status === 503 ? 503 : 500)
      .type('text/xml;charset=UTF-8')
      .send(soapFaultXml(errorCode, message));
  }
  return reply.code(status).type('application/json;charset=UTF-8').send(restErrorBody(errorCode, message));
}

function injectCallFault(
  rule: FaultRule,
  reply: FastifyReply,
  classified: ClassifiedPath,
  drops: WeakSet<FastifyRequest>,
  request: FastifyRequest
): FastifyReply | null {
  switch (rule.kind) {
    case 'REQUEST_LIMIT_EXCEEDED':
      return refuse(reply, classified, 403, 'REQUEST_LIMIT_EXCEEDED', REQUEST_LIMIT_MESSAGE);
    case 'SERVER_UNAVAILABLE':
      return refuse(
        reply,
        classified,
        503,
        'SERVER_UNAVAILABLE',
        'Server temporarily unavailable. Please try again later.'
      );
    case 'INVALID_SESSION_ID':
      return refuse(reply, classified, 401, 'INVALID_SESSION_ID', INVALID_SESSION_MESSAGE);
    case 'UNABLE_TO_LOCK_ROW':
      return refuse(
        reply,
        classified,
        400,
        'UNABLE_TO_LOCK_ROW',
        'unable to obtain exclusive access to this record'
      );
    case 'DROP_CONNECTION':
      // The call runs (it may commit!) and the connection dies while the response is being written.
      drops.add(request);
      return null;
  }
}

export function installApiGuard(app: FastifyInstance, deps: ApiGuardDeps): void {
  const { tokens, usage, faults } = deps;
  const drops = new WeakSet<FastifyRequest>();
  app.decorateRequest('emulatorScope', null);

  app.addHook('onRequest', async (request, reply) => {
    const classified = classifyPath(request.url);
    if (classified.kind !== 'rest' && classified.kind !== 'soap') return;
    const call = { method: request.method, path: classified.path, apiPath: classified.apiPath };
    const scope: RequestScope = { call, userId: null, apiVersion: classified.apiVersion };
    request.emulatorScope = scope;

    if (deps.internal.isInternal(request.headers)) {
      // The outer composite call already checked the session; no DB access here (its transaction may be open).
      const user = request.headers[INTERNAL_USER_HEADER];
      scope.userId = typeof user === 'string' ? user : null;
      return;
    }
    if (classified.kind === 'rest') {
      const token = bearerFrom(request);
      const info = token ? await tokens.validateToken(token) : null;
      if (!info) return refuse(reply, classified, 401, 'INVALID_SESSION_ID', INVALID_SESSION_MESSAGE);
      scope.userId = info.userId;
    }

    if (usage.exhausted())
      return refuse(reply, classified, 403, 'REQUEST_LIMIT_EXCEEDED', REQUEST_LIMIT_MESSAGE);
    usage.record(endpointKey(request.method, request.routeOptions.url));
    const rule = faults.forCall(call);
    if (rule) {
      const refused = injectCallFault(rule, reply, classified, drops, request);
      if (refused) return refused;
    }
  });

  // Run the handler inside the request scope (preHandler runs after body parsing, right before the handler).
  // An internal subrequest of an allOrNone composite also continues the outer call's transaction.
  app.addHook('preHandler', (request, _reply, done) => {
    const scope = request.emulatorScope;
    if (!scope) return done();
    const tx = deps.internal.transactionFor(request.headers);
    if (tx) deps.txDb.runWith(tx, () => requestScope.run(scope, done));
    else requestScope.run(scope, done);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.emulatorScope || deps.internal.isInternal(request.headers)) return payload;
    reply.header('Sforce-Limit-Info', `api-usage=${usage.used()}/${usage.max()}`);
    if (drops.has(request)) {
      const socket = request.raw.socket;
      // Headers promise more bytes than ever arrive, then the socket is torn down: a mid-response drop.
      socket.write(
        `HTTP/1.1 ${reply.statusCode} OK\r\ncontent-type: application/json\r\ncontent-length: 65536\r\n\r\n{"partial":`
      );
      socket.destroy();
    }
    return payload;
  });
}
