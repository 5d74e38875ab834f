/**
 * SOAP Partner endpoint `POST /services/Soap/u/XX.X`. Only convertLead is implemented; other
 * operations get the fault Salesforce gives for an unknown operation. The session comes from the
 * SessionHeader only (jsforce sends no Authorization header on SOAP calls). Usage counting happens
 * centrally (emulator/http/api-guard.ts); the response's LimitInfoHeader reports it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
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

type SoapContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'now' | 'usage' | 'auth'>;

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

export function registerSoapRoutes(app: FastifyInstance, ctx: SoapContext): void {
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

    scope.post<{ Params: { version: string } }>('/services/Soap/u/:version', async (request, reply) => {
      if (!/^\d+\.\d$/.test(request.params.version)) {
        return reply
          .code(404)
          .type('text/plain')
          .send(`No service available for /services/Soap/u/${request.params.version}`);
      }
      try {
        const soap = parseSoapRequest(typeof request.body === 'string' ? request.body : '');
        if (soap.operation !== 'convertLead') throw unknownOperationFault(soap.operation);
        const tokenInfo = soap.sessionId ? await ctx.auth.validateToken(soap.sessionId) : null;
        if (!tokenInfo) throw invalidSessionFault();
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
    });
  });
}
