/**
 * The SOAP framing checked against jsforce itself: requests built by jsforce's SOAP class are parsed,
 * and our responses are read back with the same xml2js settings and schema cast jsforce uses.
 */
import { Connection } from '@jsforce/jsforce-node';
import SOAP, { castTypeUsingSchema } from '@jsforce/jsforce-node/lib/soap';
import { ApiSchemas } from '@jsforce/jsforce-node/lib/api/soap/schema';
import {
  leadConvertResultsXml,
  parseLeadConvert,
  endOfQuarter,
  type LeadConvertResult
} from './convert-lead';
import {
  invalidSessionFault,
  parseSoapRequest,
  soapFaultXml,
  soapResponse,
  unknownOperationFault
} from './envelope';

// xml2js ships no types; this is the one call jsforce makes (http-api.ts parseXML).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xml2js = require('xml2js') as {
  parseStringPromise(xml: string, opts: { explicitArray: boolean }): Promise<unknown>;
};

const TOKEN = '00D000000000001!AQ0Emu.test';

function jsforceEnvelope(message: Record<string, unknown>): string {
  const conn = new Connection({ instanceUrl: 'http://127.0.0.1:1', accessToken: TOKEN, version: '62.0' });
  const soap = new SOAP(conn, {
    endpointUrl: 'http://127.0.0.1:1/services/Soap/u/62.0',
    xmlns: 'urn:partner.soap.sforce.com'
  });
  return (soap as unknown as { _createEnvelope(m: Record<string, unknown>): string })._createEnvelope(
    message
  );
}

/** What jsforce's SOAP.getResponseBody + invoke() would hand back for `xml`. */
async function readLikeJsforce(xml: string, schema: unknown): Promise<unknown> {
  const doc = (await xml2js.parseStringPromise(xml, { explicitArray: false })) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  const body = doc['soapenv:Envelope']?.['soapenv:Body'] ?? {};
  const first = body[Object.keys(body)[0] ?? ''] as Record<string, unknown>;
  return castTypeUsingSchema(first, { result: schema } as never, ApiSchemas as never);
}

describe('parseSoapRequest', () => {
  it('should read the session and every leadConvert of a jsforce request', () => {
    const xml = jsforceEnvelope({
      convertLead: {
        leadConverts: [
          {
            leadId: '00Q000000000001AAA',
            convertedStatus: 'Closed - Converted',
            doNotCreateOpportunity: false,
            accountId: null
          },
          {
            opportunityName: 'A & B <big>',
            leadId: '00Q000000000002AAA',
            convertedStatus: 'Closed - Converted',
            doNotCreateOpportunity: true,
            overwriteLeadSource: true
          }
        ]
      }
    });
    const req = parseSoapRequest(xml);
    expect(req.sessionId).toBe(TOKEN);
    expect(req.operation).toBe('convertLead');
    const items = (req.payload as { leadConverts: unknown[] }).leadConverts.map(parseLeadConvert);
    expect(items).toEqual([
      expect.objectContaining({
        leadId: '00Q000000000001AAA',
        accountId: null,
        doNotCreateOpportunity: false,
        overwriteLeadSource: false
      }),
      expect.objectContaining({
        leadId: '00Q000000000002AAA',
        opportunityName: 'A & B <big>',
        doNotCreateOpportunity: true,
        overwriteLeadSource: true
      })
    ]);
  });

  it('should read a single leadConverts element as a list of one', () => {
    const req = parseSoapRequest(
      jsforceEnvelope({
        convertLead: { leadConverts: { leadId: '00Q000000000001AAA', convertedStatus: 'X' } }
      })
    );
    expect((req.payload as { leadConverts: unknown[] }).leadConverts).toHaveLength(1);
  });

  it.each(['<soapenv:Envelope><soapenv:Body>', 'not xml at all <', ''])(
    'should raise a SOAP fault for malformed XML %j',
    (xml) => {
      expect(() => parseSoapRequest(xml)).toThrow(expect.objectContaining({ name: 'SoapFault' }));
    }
  );
});

describe('SOAP responses as jsforce reads them', () => {
  const ok: LeadConvertResult = {
    accountId: '001A',
    contactId: '003A',
    leadId: '00QA',
    opportunityId: null,
    success: true,
    errors: []
  };
  const bad: LeadConvertResult = {
    accountId: null,
    contactId: null,
    leadId: null,
    opportunityId: null,
    success: false,
    errors: [
      { statusCode: 'INVALID_STATUS', message: 'invalid convertedStatus: Nope & co', fields: ['Status'] }
    ]
  };

  it('should give jsforce a single LeadConvertResult with nulls and an empty errors list', async () => {
    const xml = soapResponse('convertLead', leadConvertResultsXml([ok]), { current: 3, limit: 15000 });
    await expect(readLikeJsforce(xml, ApiSchemas.LeadConvertResult)).resolves.toEqual({
      result: { ...ok, errors: [] }
    });
  });

  it('should give jsforce an array of results with typed errors', async () => {
    const xml = soapResponse('convertLead', leadConvertResultsXml([ok, bad]), { current: 3, limit: 15000 });
    await expect(readLikeJsforce(xml, [ApiSchemas.LeadConvertResult])).resolves.toEqual({
      result: [ok, bad]
    });
  });

  it('should frame INVALID_SESSION_ID so jsforce recognises session expiry', () => {
    const xml = soapFaultXml(invalidSessionFault());
    expect(xml).toMatch(/<faultcode>[a-zA-Z]+:INVALID_SESSION_ID<\/faultcode>/);
    expect(xml).toContain(
      '<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>'
    );
  });

  it('should name the unknown operation in its fault', () => {
    expect(soapFaultXml(unknownOperationFault('merge'))).toContain(
      'No operation available for request {urn:partner.soap.sforce.com}merge'
    );
  });
});

describe('endOfQuarter', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-03-31'],
    ['2026-05-15T12:00:00Z', '2026-06-30'],
    ['2026-09-30T23:59:59Z', '2026-09-30'],
    ['2026-11-24T10:00:00Z', '2026-12-31']
  ])('should end the quarter of %s on %s', (now, expected) => {
    expect(endOfQuarter(new Date(now))).toBe(expected);
  });
});
