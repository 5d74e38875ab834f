/**
 * SOAP Partner endpoint `POST /services/Soap/u/XX.X` (an optional trailing org id, as in the
 * serverUrl login returns, is accepted). Implemented: login, logout, convertLead; other operations
 * get the fault Salesforce gives for an unknown operation. The session comes from the
 * SessionHeader only (jsforce sends no Authorization header on SOAP calls). Usage counting happens
 * centrally (emulator/http/api-guard.ts); the response's LimitInfoHeader reports it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgContext } from '../core/types';
import {
  convertLeads,
  leadConvertResultsXml,
  MAX_LEAD_CONVERTS_PER_CALL,
  parseLeadConvert
} from './convert-lead';
import {
  invalidSessionFault,
  parseSoapRequest,
  soapFaultXml,
  soapResponse,
  SoapFault,
  unknownOperationFault
} from './envelope';
import { LAST_LOGIN_API_VERSION, loginNotInVersionFault, soapLogin, soapLogout, type SoapSessionDeps } from './login';

type SoapContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'now' | 'usage' | 'auth' | 'orgId' | 'baseUrl'>;

const XML_CONTENT_TYPE = 'text/xml;charset=UTF-8';
/** Largest SOAP request accepted (Salesforce's SOAP request limit is 50 MB). */
const MAX_SOAP_BYTES = 50 * 1024 * 1024;

function sendFault(reply: FastifyReply, fault: SoapFault): FastifyReply {
  return reply.code(500).type(XML_CONTENT_TYPE).send(soapFaultXml(fault));
}

function leadConvertElements(payload: unknown): unknown[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const items = (payload as Record<string, unknown>).leadConverts;
  if (items === undefined) return [];
  return Array.isArray(items) ? items : [items];
}

export function registerSoapRoutes(app: FastifyInstance, ctx: SoapContext, sessions: SoapSessionDeps): void {
  app.register(async (scope) => {
    // SOAP bodies are parsed here, whatever XML content type the client declares.
    scope.addContentTypeParser(
      ['text/xml', 'application/xml', 'application/soap+xml'],
      { parseAs: 'string', bodyLimit: MAX_SOAP_BYTES },
      (_req, body, done) => done(null, body)
    );
    scope.setErrorHandler((error, _request, reply) => {
      const message = error instanceof Error ? error.message : String(error);
      return sendFault(
        reply,
        new SoapFault('sf:UNKNOWN_EXCEPTION', `UNKNOWN_EXCEPTION: ${message}`, {
          exceptionCode: 'UNKNOWN_EXCEPTION',
          exceptionMessage: message
        })
      );
    });

    const handler = async (request: FastifyRequest<{ Params: { version: string; orgId?: string } }>, reply: FastifyReply) => {
      const { version } = request.params;
      if (!/^\d+\.\d$/.test(version)) {
        return reply
          .code(404)
          .type('text/plain')
          .send(`No service available for /services/Soap/u/${version}`);
      }
      try {
        const soap = parseSoapRequest(typeof request.body === 'string' ? request.body : '');
        if (soap.operation === 'login') {
          if (Number(version.split('.')[0]) > LAST_LOGIN_API_VERSION) throw loginNotInVersionFault(version);
          const result = await soapLogin(ctx, sessions, version, soap.payload);
          return reply.code(200).type(XML_CONTENT_TYPE).send(soapResponse('login', result, null));
        }
        if (soap.operation !== 'convertLead' && soap.operation !== 'logout') throw unknownOperationFault(soap.operation);
        const tokenInfo = soap.sessionId ? await ctx.auth.validateToken(soap.sessionId) : null;
        if (!tokenInfo || !soap.sessionId) throw invalidSessionFault();
        if (soap.operation === 'logout') {
          await soapLogout(sessions, soap.sessionId);
          const xml = soapResponse('logout', '', { current: ctx.usage.used(), limit: ctx.usage.max() });
          return reply.code(200).type(XML_CONTENT_TYPE).send(xml);
        }
        const elements = leadConvertElements(soap.payload);
        if (elements.length > MAX_LEAD_CONVERTS_PER_CALL) {
          const message = `Cannot convert more than ${MAX_LEAD_CONVERTS_PER_CALL} leads in one call (got ${elements.length})`;
          throw new SoapFault('sf:LIMIT_EXCEEDED', `LIMIT_EXCEEDED: ${message}`, {
            exceptionCode: 'LIMIT_EXCEEDED',
            exceptionMessage: message
          });
        }
        const results = await convertLeads(ctx, elements.map(parseLeadConvert), tokenInfo.userId);
        const xml = soapResponse('convertLead', leadConvertResultsXml(results), {
          current: ctx.usage.used(),
          limit: ctx.usage.max()
        });
        return reply.code(200).type(XML_CONTENT_TYPE).send(xml);
      } catch (err) {
        if (err instanceof SoapFault) return sendFault(reply, err);
        throw err;
      }
    };
    scope.post('/services/Soap/u/:version', handler);
    scope.post('/services/Soap/u/:version/:orgId', handler);
  });
}
