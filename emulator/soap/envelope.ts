/**
 * SOAP 1.1 envelopes of the Partner API (urn:partner.soap.sforce.com): request parsing, responses
 * and faults, framed exactly as jsforce reads them (prefixed soapenv:Envelope/Body, no attributes
 * on Body, xsi:nil for nulls).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const PARTNER_NS = 'urn:partner.soap.sforce.com';

export interface SoapRequest {
  sessionId: string | null;
  /** Local name of the Body's first element, e.g. 'convertLead'. */
  operation: string | null;
  /** The operation element's content, namespace prefixes removed, attributes under '@_'. */
  payload: unknown;
}

/** A whole-call SOAP fault (HTTP 500). */
export class SoapFault extends Error {
  constructor(
    public readonly faultcode: string,
    public readonly faultstring: string,
    /** exceptionCode/exceptionMessage for the sf:*Fault detail; omitted when null. */
    public readonly detail: { exceptionCode: string; exceptionMessage: string } | null = null,
    /** Fault element of the detail (Partner WSDL: UnexpectedErrorFault, LoginFault, InvalidSObjectFault ...). */
    public readonly detailType: string = 'UnexpectedErrorFault'
  ) {
    super(faultstring);
    this.name = 'SoapFault';
  }
}

/** Elements that may repeat in requests we understand; everything else stays a single value. */
const REPEATED = new Set(['Envelope.Body.convertLead.leadConverts']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath))
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseSoapRequest(xml: string): SoapRequest {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new SoapFault('UNKNOWN_EXCEPTION', `UNKNOWN_EXCEPTION: ${msg} (line ${line}, column ${col})`, {
      exceptionCode: 'UNKNOWN_EXCEPTION',
      exceptionMessage: `${msg} (line ${line}, column ${col})`
    });
  }
  const doc: unknown = parser.parse(xml);
  const envelope = isRecord(doc) ? doc.Envelope : undefined;
  const body = isRecord(envelope) ? envelope.Body : undefined;
  if (!isRecord(envelope) || !isRecord(body)) {
    throw new SoapFault(
      'soapenv:Client',
      'Element {http://schemas.xmlsoap.org/soap/envelope/}Envelope/Body not found in the request'
    );
  }
  const header = isRecord(envelope.Header) ? envelope.Header : {};
  const sessionHeader = isRecord(header.SessionHeader) ? header.SessionHeader : {};
  const sessionId =
    typeof sessionHeader.sessionId === 'string' && sessionHeader.sessionId !== ''
      ? sessionHeader.sessionId
      : null;
  const operation = Object.keys(body).find((k) => !k.startsWith('@_')) ?? null;
  return { sessionId, operation, payload: operation ? body[operation] : undefined };
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>value</name>`, or `<name xsi:nil="true"/>` for null. */
export function xmlElement(name: string, value: string | number | boolean | null): string {
  if (value === null) return `<${name} xsi:nil="true"/>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

export interface LimitInfo {
  current: number;
  limit: number;
}

/**
 * A successful response: `<soapenv:Body><{operation}Response>{inner}</…Response></soapenv:Body>`.
 * limitInfo null leaves out the header (login's response has none: it runs before there is a session).
 */
export function soapResponse(operation: string, innerXml: string, limitInfo: LimitInfo | null): string {
  const header = limitInfo
    ? '<soapenv:Header><LimitInfoHeader><limitInfo>' +
      `<current>${limitInfo.current}</current><limit>${limitInfo.limit}</limit><type>API REQUESTS</type>` +
      '</limitInfo></LimitInfoHeader></soapenv:Header>'
    : '';
  return (
    XML_DECL +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${PARTNER_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    header +
    `<soapenv:Body><${operation}Response>${innerXml}</${operation}Response></soapenv:Body></soapenv:Envelope>`
  );
}

export function soapFaultXml(fault: SoapFault): string {
  const detail = fault.detail
    ? `<detail><sf:${fault.detailType} xsi:type="sf:${fault.detailType}">` +
      `<sf:exceptionCode>${escapeXml(fault.detail.exceptionCode)}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(fault.detail.exceptionMessage)}</sf:exceptionMessage>` +
      `</sf:${fault.detailType}></detail>`
    : '';
  return (
    XML_DECL +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><soapenv:Fault><faultcode>${escapeXml(fault.faultcode)}</faultcode><faultstring>${escapeXml(fault.faultstring)}</faultstring>` +
    `${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

export function invalidSessionFault(): SoapFault {
  const message = 'Invalid Session ID found in SessionHeader: Illegal Session';
  return new SoapFault('sf:INVALID_SESSION_ID', `INVALID_SESSION_ID: ${message}`, {
    exceptionCode: 'INVALID_SESSION_ID',
    exceptionMessage: message
  });
}

/** What Salesforce answers for an operation the endpoint does not know (an Axis dispatch error). */
export function unknownOperationFault(operation: string | null): SoapFault {
  return new SoapFault(
    'soapenv:Client',
    `No operation available for request {${PARTNER_NS}}${operation ?? ''}, please check the WSDL for the service.`
  );
}

/** Reads an element that jsforce may send as text, as `{ '@_nil': 'true' }` or as an empty element. */
export function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value)) {
    if (value['@_nil'] === 'true') return null;
    const text = value['#text'];
    return typeof text === 'string' && text !== '' ? text : null;
  }
  return null;
}

export function booleanOf(value: unknown): boolean {
  return textOf(value)?.trim().toLowerCase() === 'true';
}
