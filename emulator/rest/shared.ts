/** Helpers shared by the REST routes: versions, 405 handling, record shaping, DML error mapping. */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { FieldDef, OrgContext, SaveResult, SfError, SObjectDef, SObjectRecord } from '../core/types';
import { SalesforceApiError } from '../core/types';
import { badRequest, notFound, restErrorBody } from '../http/errors';

export const DATA_PREFIX = '/services/data/:version';
const MIN_VERSION = 31;
export const MAX_VERSION = 66;

/** Release label of an API version: v20.0 was Winter '11, then three releases a year. */
export function releaseLabel(major: number): string {
  const index = major - 20;
  const season = ['Winter', 'Spring', 'Summer'][((index % 3) + 3) % 3];
  const year = 11 + Math.floor(index / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function supportedVersions(): Array<{ label: string; url: string; version: string }> {
  const list = [];
  for (let major = MIN_VERSION; major <= MAX_VERSION; major++) {
    list.push({ label: releaseLabel(major), url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return list;
}

/** '62.0' from the :version route param 'v62.0'; throws NOT_FOUND for an unknown version. */
export function apiVersionOf(request: FastifyRequest): string {
  const raw = (request.params as { version?: string }).version ?? '';
  const match = /^v(\d+)\.0$/.exec(raw);
  const major = match ? Number(match[1]) : NaN;
  if (!(major >= MIN_VERSION && major <= MAX_VERSION)) throw notFound();
  return `${major}.0`;
}

export function versionMajor(version: string): number {
  return Number(version.split('.')[0]);
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const ALL_METHODS: Method[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/** Registers handlers for a URL and answers 405 METHOD_NOT_ALLOWED (Salesforce's wording) for the other methods. */
export function resource(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<Method, RouteHandlerMethod>>
): void {
  const allowed = Object.keys(handlers) as Method[];
  for (const method of allowed) app.route({ method, url, handler: handlers[method] as RouteHandlerMethod });
  const others = ALL_METHODS.filter((method) => !allowed.includes(method));
  if (others.length === 0) return;
  const allowList = [...(allowed.includes('GET') ? ['HEAD'] : []), ...allowed].join(',');
  app.route({
    method: others,
    url,
    handler: async (request, reply) =>
      reply
        .code(405)
        .send(
          restErrorBody(
            'METHOD_NOT_ALLOWED',
            `HTTP Method '${request.method}' not allowed. Allowed are ${allowList}`
          )
        )
  });
}

export function objectOrThrow(ctx: Pick<OrgContext, 'schema'>, type: string): SObjectDef {
  const object = ctx.schema.get(type);
  if (!object) throw notFound(`The requested resource does not exist`);
  return object;
}

/** Salesforce's datetime wire format: 2024-05-20T20:49:32.000+0000. */
export function formatDateTime(value: Date): string {
  return value.toISOString().replace('Z', '+0000');
}

function formatFieldValue(field: FieldDef | undefined, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date)
    return field?.type === 'date' ? value.toISOString().slice(0, 10) : formatDateTime(value);
  if (typeof value === 'string' && field?.type === 'datetime' && /Z$/.test(value)) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : formatDateTime(parsed);
  }
  return value;
}

export function recordUrl(version: string, type: string, id: string): string {
  return `/services/data/v${version}/sobjects/${type}/${id}`;
}

/** A record as the REST API returns it: attributes first, then fields in the store's order, wire-formatted. */
export function apiRecord(object: SObjectDef, record: SObjectRecord, version: string): SObjectRecord {
  const id = typeof record.Id === 'string' ? record.Id : '';
  const out: SObjectRecord = { attributes: { type: object.name, url: recordUrl(version, object.name, id) } };
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    out[key] = formatFieldValue(object.fieldMap.get(key.toLowerCase()), value);
  }
  return out;
}

/** Comma-separated ?fields= into canonical field names; unknown names -> 400 INVALID_FIELD. */
export function parseFieldList(object: SObjectDef, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const names = (Array.isArray(raw) ? raw.join(',') : String(raw))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return names.map((name) => {
    const field = object.fieldMap.get(name.toLowerCase());
    if (!field)
      throw badRequest(
        'INVALID_FIELD',
        `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
      );
    return field.name;
  });
}

/** The JSON body of a write, as a plain object (arrays, scalars and empty bodies are JSON_PARSER_ERROR). */
export function bodyObject(request: FastifyRequest, typeName: string): SObjectRecord {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    const found = Array.isArray(body)
      ? 'START_ARRAY'
      : body === undefined || body === null
        ? 'no content'
        : 'VALUE_STRING';
    throw badRequest('JSON_PARSER_ERROR', `Cannot deserialize instance of ${typeName} from ${found}`);
  }
  return body as SObjectRecord;
}

/** Field names the object lacks -> 400 INVALID_FIELD, as Salesforce does before any DML. Relationship keys (ext-id lookups) pass. */
export function assertKnownFields(object: SObjectDef, record: SObjectRecord): void {
  for (const key of Object.keys(record)) {
    if (key === 'attributes') continue;
    const lower = key.toLowerCase();
    if (object.fieldMap.has(lower)) continue;
    if (object.relationshipMap.has(lower) && typeof record[key] === 'object') continue;
    throw badRequest('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]);
  }
}

/** Record body without `attributes` (clients may send it). */
export function withoutAttributes(record: SObjectRecord): SObjectRecord {
  const { attributes: _attributes, ...rest } = record;
  return rest;
}

/** Status code for a failed single-record DML, by the first error's code. */
export function statusForErrors(errors: SfError[]): number {
  const code = errors[0]?.statusCode;
  if (code === 'ENTITY_IS_DELETED' || code === 'NOT_FOUND') return 404;
  if (code === 'UNKNOWN_EXCEPTION') return 500;
  return 400;
}

/** [{message, errorCode, fields}] for a failed single-record REST DML (the collections shape uses statusCode instead). */
export function sendSaveErrors(reply: FastifyReply, errors: SfError[]): FastifyReply {
  const body = errors.map((error) => ({
    message: error.message,
    errorCode: error.statusCode,
    fields: error.fields ?? []
  }));
  return reply
    .code(statusForErrors(errors))
    .send(body.length > 0 ? body : restErrorBody('UNKNOWN_EXCEPTION', 'The save failed without an error'));
}

/** SaveResult in the collections wire shape: id omitted when null, `created` only for upserts. */
export function saveResultJson(result: SaveResult, includeCreated: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result.id) out.id = result.id;
  out.success = result.success;
  out.errors = result.errors.map((error) => ({
    statusCode: error.statusCode,
    message: error.message,
    fields: error.fields ?? []
  }));
  if (includeCreated && result.success) out.created = result.created ?? false;
  return out;
}

export function assertApiError(
  condition: unknown,
  errorCode: string,
  message: string,
  status = 400
): asserts condition {
  if (!condition) throw new SalesforceApiError(errorCode, message, status);
}
