/**
 * The service's Salesforce client contract: one module per API surface (REST + collections, Bulk API 2.0,
 * SOAP convertLead, describe), all on one jsforce Connection (@jsforce/jsforce-node) with an explicit API
 * version. Every call is counted so each command can report its API usage.
 * Implementation: src/salesforce/client.ts (createOrgClient). Capabilities use only this contract.
 */
import type { Connection } from '@jsforce/jsforce-node';
import type { CompositeGet, CompositeResults } from './composite';

export const DEFAULT_API_VERSION = '62.0';
/** sObject Collections maximum per call. */
export const COLLECTIONS_MAX = 200;
/** SOAP convertLead maximum leads per call. */
export const CONVERT_LEAD_MAX = 100;

export type SObjectRecord = Record<string, unknown> & { Id?: string };

/** Per-record error as Salesforce returns it (collections use statusCode; REST errors use errorCode). */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface RecordResult {
  /** Index of the record in the input array. */
  index: number;
  id: string | null;
  success: boolean;
  created?: boolean;
  errors: RecordError[];
}

export interface RestApi {
  /** Runs SOQL (all pages, following nextRecordsUrl). `includeDeleted` uses queryAll. */
  query<T extends SObjectRecord = SObjectRecord>(soql: string, opts?: { includeDeleted?: boolean }): Promise<T[]>;
  /** Streams records page by page for large result sets. */
  queryPages<T extends SObjectRecord = SObjectRecord>(
    soql: string,
    opts?: { includeDeleted?: boolean }
  ): AsyncIterable<T[]>;
  /** sObject Collections, chunked by 200, allOrNone=false; results in input order. */
  create(type: string, records: SObjectRecord[]): Promise<RecordResult[]>;
  update(type: string, records: SObjectRecord[]): Promise<RecordResult[]>;
  upsert(type: string, externalIdField: string, records: SObjectRecord[]): Promise<RecordResult[]>;
  delete(ids: string[]): Promise<RecordResult[]>;
}

export interface CompositeApi {
  get(requests: CompositeGet[]): Promise<CompositeResults>;
}

export type BulkOperation = 'insert' | 'update' | 'upsert' | 'delete';

export interface BulkIngestResult {
  jobId: string;
  /** Results mapped back to input indexes. */
  results: RecordResult[];
  /** Input indexes Salesforce did not process (retry them). */
  unprocessed: number[];
  /** Job status checks (GET jobs/ingest/:id) made until the job ended: 1 when the first check found it done. */
  statusChecks?: number;
}

export interface BulkApi {
  ingest(
    type: string,
    operation: BulkOperation,
    records: SObjectRecord[],
    opts?: {
      externalIdFieldName?: string;
      pollTimeoutMs?: number;
      /**
       * false: the caller needs no record ids, so when the job's final info says every row succeeded the
       * successful-results download (one API call) is skipped and each row is reported as a success without an id.
       */
      needIds?: boolean;
    }
  ): Promise<BulkIngestResult>;
  /** Bulk API 2.0 query job; yields records (string values as in the CSV, '' for null). */
  query(soql: string, opts?: { includeDeleted?: boolean }): AsyncIterable<Record<string, string>>;
}

export interface LeadConvertRequest {
  leadId: string;
  convertedStatus: string;
  accountId?: string | null;
  contactId?: string | null;
  ownerId?: string | null;
  opportunityName?: string | null;
  doNotCreateOpportunity?: boolean;
  overwriteLeadSource?: boolean;
  sendNotificationEmail?: boolean;
}

export interface LeadConvertResult {
  leadId: string | null;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: RecordError[];
}

export interface SoapApi {
  /** conn.soap.convertLead, chunked by CONVERT_LEAD_MAX; results in input order. */
  convertLead(requests: LeadConvertRequest[]): Promise<LeadConvertResult[]>;
}

export interface FieldDescribe {
  name: string;
  type: string;
  label: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  externalId: boolean;
  referenceTo: string[];
  picklistValues: { value: string; label: string; active: boolean; defaultValue: boolean }[];
  /** Text length (0 for non-text fields); used by the convert preview's length checks. */
  length?: number;
  /** false = required on create unless defaultedOnCreate. */
  nillable?: boolean;
  defaultedOnCreate?: boolean;
  /** Number fields: total digits and digits after the point (currency, double, percent); int: digits. */
  precision?: number;
  scale?: number;
  digits?: number;
}

export interface DescribeApi {
  /** Cached per client. Throws SalesforceError INVALID_TYPE/NOT_FOUND if the object does not exist. */
  sobject(type: string): Promise<{ name: string; fields: FieldDescribe[] }>;
  fieldNames(type: string): Promise<Set<string>>;
}

export interface ApiUsageCounter {
  /** Total API calls made by this client. */
  total(): number;
  /** Per surface: rest, collections, bulk, soap, describe, auth. */
  bySurface(): Record<string, number>;
}

export interface OrgTarget {
  kind: 'emulator' | 'sf-alias' | 'env';
  instanceUrl: string;
  username?: string;
  /** Human description for logs, never containing secrets. */
  label: string;
}

export interface OrgClient {
  readonly target: OrgTarget;
  readonly apiVersion: string;
  /** The underlying jsforce connection (escape hatch; prefer the surfaces below). */
  readonly connection: Connection;
  readonly rest: RestApi;
  /** Composite API: independent GET subrequests (queries, describes) in one call. */
  readonly composite: CompositeApi;
  readonly bulk: BulkApi;
  readonly soap: SoapApi;
  readonly describe: DescribeApi;
  readonly usage: ApiUsageCounter;
  /** The org's limits (/limits): DailyApiRequests {Max, Remaining}. */
  limits(): Promise<Record<string, { Max: number; Remaining: number }>>;
  close(): Promise<void>;
}

/** Error from Salesforce, keeping its errorCode and raw payload (jsforce HttpApiError style). */
export class SalesforceError extends Error {
  constructor(
    public readonly errorCode: string,
    message: string,
    public readonly raw?: unknown,
    public readonly httpStatus?: number
  ) {
    super(message);
    this.name = 'SalesforceError';
  }
  /** Errors worth retrying with backoff. */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.errorCode) || (this.httpStatus !== undefined && this.httpStatus >= 500);
  }
}

export const TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_TIMEOUT',
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ERROR_HTTP_500',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503'
]);
