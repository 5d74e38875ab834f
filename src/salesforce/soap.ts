/**
 * SOAP surface: Partner API convertLead via jsforce (conn.soap.convertLead), CONVERT_LEAD_MAX leads per call,
 * results in input order. A request-level failure (other than auth) fails just that chunk's leads.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { CONVERT_LEAD_MAX, type LeadConvertRequest, type LeadConvertResult, type SoapApi } from './types';
import { isAuthFailure, normaliseRecordErrors, recordErrorFrom, toSalesforceError } from './errors';

/** Element order as in the WSDL's LeadConvert sequence; unset/null optional values are left out. */
const FIELD_ORDER: (keyof LeadConvertRequest)[] = [
  'accountId',
  'contactId',
  'convertedStatus',
  'doNotCreateOpportunity',
  'leadId',
  'opportunityName',
  'overwriteLeadSource',
  'ownerId',
  'sendNotificationEmail'
];

export function toSoapLeadConvert(req: LeadConvertRequest): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const key of FIELD_ORDER) {
    const v = req[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function createSoapApi(conn: Connection): SoapApi {
  return {
    async convertLead(requests) {
      const out: LeadConvertResult[] = [];
      for (let offset = 0; offset < requests.length; offset += CONVERT_LEAD_MAX) {
        const chunk = requests.slice(offset, offset + CONVERT_LEAD_MAX);
        let raw: unknown;
        try {
          raw = await conn.soap.convertLead(chunk.map(toSoapLeadConvert) as never);
        } catch (err) {
          const sfErr = toSalesforceError(err);
          if (isAuthFailure(sfErr)) throw sfErr;
          for (const req of chunk) {
            out.push({ leadId: req.leadId, accountId: null, contactId: null, opportunityId: null, success: false, errors: [recordErrorFrom(sfErr)] });
          }
          continue;
        }
        // jsforce returns an object (not an array) when the response holds a single <result>.
        const list = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
        chunk.forEach((req, i) => {
          const r = list[i] ?? {};
          const success = r.success === true || r.success === 'true';
          out.push({
            // A failed item has leadId nil; keep the input's id so callers can tell which lead failed.
            leadId: str(r.leadId) ?? req.leadId,
            accountId: str(r.accountId),
            contactId: str(r.contactId),
            opportunityId: str(r.opportunityId),
            success,
            errors: list[i] ? normaliseRecordErrors(r.errors) : [{ statusCode: 'UNEXPECTED_RESPONSE', message: 'No result returned for this lead', fields: [] }]
          });
        });
      }
      return out;
    }
  };
}
