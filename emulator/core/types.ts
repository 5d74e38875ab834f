/**
 * Contracts shared by the emulator's modules (core, soql, bulk, soap).
 * The emulator is a local Salesforce org: it imports nothing from src/.
 *
 * Storage layout (PGlite, real Postgres SQL): one table per sObject named `sobj_<lowercase api name>`
 * (e.g. sobj_lead, sobj_funnel_stage_change__c), one column per field named by the lowercase field API name
 * (quoted identifiers, e.g. "lastname", "budget_amount__c"). Every table has "id" text primary key (18-char id),
 * "isdeleted" boolean, "createddate"/"lastmodifieddate"/"systemmodstamp" timestamptz, "createdbyid",
 * "lastmodifiedbyid" text. Column SQL types by field type: see sqlTypeFor() in core/schema.
 */
import type { PGlite } from '@electric-sql/pglite';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'anyType'
  /** Compound address field (BillingAddress ...): read-only, computed from its component fields. */
  | 'address';

export interface PicklistEntry {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  /** API name in canonical case, e.g. 'LastName', 'Budget_Amount__c'. */
  name: string;
  label: string;
  type: FieldType;
  /** e.g. 'xsd:string', 'tns:ID', 'xsd:boolean', 'xsd:double', 'xsd:int', 'xsd:date', 'xsd:dateTime' */
  soapType: string;
  length: number;
  precision: number;
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  unique: boolean;
  externalId: boolean;
  idLookup: boolean;
  calculated: boolean;
  custom: boolean;
  caseSensitive: boolean;
  /** Formula source for calculated fields (evaluated by the emulator). */
  calculatedFormula?: string | null;
  /** Default value applied on create when the field is not supplied (already typed). */
  defaultValue?: unknown;
  picklistValues: PicklistEntry[];
  restrictedPicklist: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  inlineHelpText?: string | null;
  /** SQL column name (lowercase api name). */
  column: string;
  /** AutoNumber fields: display format like 'FSC-{0000000}' (the record layer fills the number on insert). */
  autoNumberFormat?: string | null;
  /** Default value given as a formula that must be evaluated at insert time (e.g. TODAY()). */
  defaultValueFormula?: string | null;
  /** Component of a compound field (BillingCity -> 'BillingAddress'), as describe reports it. */
  compoundFieldName?: string | null;
}

export interface ValidationRuleDef {
  fullName: string;
  active: boolean;
  /** Salesforce formula; when it evaluates to true the save is refused. */
  errorConditionFormula: string;
  errorMessage: string;
  errorDisplayField?: string | null;
}

export interface ChildRelationshipDef {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
}

export interface SObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** SQL table name, e.g. sobj_lead. */
  table: string;
  fields: FieldDef[];
  /** lowercase field name -> def */
  fieldMap: Map<string, FieldDef>;
  /** lowercase relationship name -> reference field def (e.g. 'owner' -> OwnerId) */
  relationshipMap: Map<string, FieldDef>;
  childRelationships: ChildRelationshipDef[];
  validationRules: ValidationRuleDef[];
  /** Fields whose changes are written to <Object>History / LeadHistory (field history tracking). */
  trackedFields: string[];
}

export interface Schema {
  /** Case-insensitive lookup; undefined if the org has no such object. */
  get(name: string): SObjectDef | undefined;
  all(): SObjectDef[];
  /** Object for an 18- or 15-char id by key prefix. */
  byKeyPrefix(prefix: string): SObjectDef | undefined;
}

/** Salesforce's per-record error, as in collections and SOAP (`statusCode`, not errorCode). */
export interface SfError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id: string | null;
  success: boolean;
  errors: SfError[];
  /** Set for upserts only. */
  created?: boolean;
}

export type SObjectRecord = Record<string, unknown>;

export interface DmlOptions {
  /** Roll back the whole call when any record fails. */
  allOrNone: boolean;
  /** Id of the user the call runs as (CreatedById/LastModifiedById, default OwnerId). */
  userId: string;
}

/**
 * The record layer: every write path (REST, collections, bulk, SOAP) goes through it so defaults,
 * required fields, picklists, validation rules, formulas, unique/external ids, history rows
 * and converted-lead locking behave the same everywhere. Results are in input order.
 */
export interface RecordStore {
  insert(type: string, records: SObjectRecord[], opts: DmlOptions): Promise<SaveResult[]>;
  /** Each record carries Id (or id). */
  update(type: string, records: SObjectRecord[], opts: DmlOptions): Promise<SaveResult[]>;
  upsert(type: string, externalIdField: string, records: SObjectRecord[], opts: DmlOptions): Promise<SaveResult[]>;
  delete(ids: string[], opts: DmlOptions): Promise<SaveResult[]>;
  /** Returns the record with the requested fields (all when omitted), or null when missing/deleted. */
  retrieve(type: string, id: string, fields?: string[]): Promise<SObjectRecord | null>;
  /**
   * Run fn in one database transaction (used by convertLead: account+contact+opportunity+lead update
   * commit together). Nested calls on the store inside fn join the transaction.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Update run by the org itself (e.g. convertLead), not by an API client: may set fields that are not
   * updateable through the API (IsConverted, ConvertedDate, Converted*Id, Status...) and may update a lead
   * that is being converted. Everything else applies as for update(): type checks, formulas, validation
   * rules (Lead Settings "Require Validation for Converted Leads" is on), history rows, SystemModstamp.
   */
  systemUpdate(type: string, records: SObjectRecord[], opts: DmlOptions): Promise<SaveResult[]>;
}

export interface QueryOptions {
  /** queryAll: include IsDeleted=true rows (and converted/merged ones). */
  includeDeleted: boolean;
  /** Sforce-Query-Options batchSize (200..2000, default 2000). */
  batchSize?: number;
  /** API version string like '62.0', used to build attributes.url and nextRecordsUrl. */
  apiVersion: string;
}

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SObjectRecord[];
}

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

export interface QueryEngine {
  /** Run SOQL and return the first page. Throws SoqlError (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE ...). */
  query(soql: string, opts: QueryOptions): Promise<QueryPage>;
  /** Next page by locator (last path segment of nextRecordsUrl). Throws SoqlError INVALID_QUERY_LOCATOR. */
  queryMore(locator: string, apiVersion: string): Promise<QueryPage>;
  /** Column metadata for `?columns=true`. */
  columns(soql: string): Promise<{ columnMetadata: ColumnMetadata[]; entityName: string; groupBy: boolean; idSelected: boolean; keyPrefix: string | null }>;
  /** All matching rows (for Bulk 2.0 query jobs): flattened records in SELECT order. */
  queryAllRows(soql: string, opts: { includeDeleted: boolean }): Promise<{ columns: string[]; rows: unknown[][] }>;
}

/** Error carrying Salesforce's REST error shape; the HTTP layer turns it into [{message,errorCode,fields}]. */
export class SalesforceApiError extends Error {
  constructor(
    public readonly errorCode: string,
    message: string,
    public readonly httpStatus = 400,
    public readonly fields: string[] = []
  ) {
    super(message);
    this.name = 'SalesforceApiError';
  }
}

export interface ApiUsage {
  /** Count one API call (REST/bulk/SOAP request) against the daily limit and per-endpoint counters. */
  record(endpoint: string): void;
  used(): number;
  max(): number;
  byEndpoint(): Record<string, number>;
}

/** What a valid access token stands for (see OrgContext.auth). */
export interface TokenInfo {
  userId: string;
  orgId: string;
  clientId: string;
  issuedAt: Date;
  /** null = never expires. */
  expiresAt: Date | null;
}

/** Token checks for routes that read the session themselves (SOAP SessionHeader). REST/bulk routes are checked centrally. */
export interface AuthService {
  /** The token's owner, or null when the token is unknown, revoked or expired. */
  validateToken(token: string): Promise<TokenInfo | null>;
}

export interface OrgContext {
  db: PGlite;
  schema: Schema;
  records: RecordStore;
  query: QueryEngine;
  usage: ApiUsage;
  orgId: string;
  /** The default (admin) user id: tokens issued by the emulator run as this user unless stated otherwise. */
  defaultUserId: string;
  /** Injectable clock (tests). */
  now(): Date;
  /** Base URL like http://127.0.0.1:4010 once listening. */
  baseUrl(): string;
  /** Access-token validation (added by the HTTP/auth layer). */
  auth: AuthService;
}
