/**
 * sObject Collections (§1.6): create/update/delete/upsert up to 200 records, retrieve by ids.
 * Results come back in request order with HTTP 200 even when items fail; per-item errors use statusCode.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidIdFormat, to18 } from '../core/ids';
import type { OrgContext, SaveResult, SObjectRecord } from '../core/types';
import { ROLLED_BACK_MESSAGE } from '../faults/locking-store';
import { badRequest, notFound } from '../http/errors';
import { callerUserId } from '../http/request-scope';
import {
  apiRecord,
  apiVersionOf,
  DATA_PREFIX,
  objectOrThrow,
  parseFieldList,
  resource,
  saveResultJson,
  withoutAttributes
} from './shared';

export const MAX_COLLECTION_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;
/** Mixed-type create/update requests may hold at most 10 runs ("chunks") of the same type. */
const MAX_CHUNKS = 10;

interface CollectionBody {
  allOrNone: boolean;
  records: SObjectRecord[];
}

function tooMany(): never {
  throw badRequest(
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`
  );
}

function collectionBody(request: FastifyRequest): CollectionBody {
  const body = request.body as { allOrNone?: unknown; records?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.records)) {
    throw badRequest('JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  }
  if (body.records.length > MAX_COLLECTION_RECORDS) tooMany();
  if (body.records.some((record) => !record || typeof record !== 'object' || Array.isArray(record))) {
    throw badRequest('JSON_PARSER_ERROR', 'Each element of records must be a JSON object');
  }
  if (body.allOrNone !== undefined && typeof body.allOrNone !== 'boolean')
    throw badRequest('JSON_PARSER_ERROR', 'allOrNone must be a boolean');
  return { allOrNone: body.allOrNone === true, records: body.records as SObjectRecord[] };
}

function typeOf(record: SObjectRecord): string | null {
  const attributes = record.attributes as { type?: unknown } | undefined;
  return attributes && typeof attributes.type === 'string' ? attributes.type : null;
}

function itemError(statusCode: string, message: string, fields: string[] = []): SaveResult {
  return { id: null, success: false, errors: [{ statusCode, message, fields }] };
}

class RollbackSignal extends Error {}

/**
 * Runs create/update over mixed types in runs of the same type. With allOrNone the runs share one
 * transaction and any failure rolls all of them back; failed items keep their errors, the others get
 * ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
async function saveMixed(
  ctx: OrgContext,
  body: CollectionBody,
  userId: string,
  save: (type: string, records: SObjectRecord[], allOrNone: boolean) => Promise<SaveResult[]>
): Promise<SaveResult[]> {
  const results: Array<SaveResult | null> = body.records.map(() => null);
  const runs: Array<{ type: string; indexes: number[] }> = [];
  body.records.forEach((record, index) => {
    const type = typeOf(record);
    const object = type ? ctx.schema.get(type) : undefined;
    if (!type)
      return void (results[index] = itemError('INVALID_TYPE', 'sObject type is required in attributes.type'));
    if (!object)
      return void (results[index] = itemError('INVALID_TYPE', `sObject type '${type}' is not supported.`));
    const last = runs[runs.length - 1];
    if (last && last.type === object.name) last.indexes.push(index);
    else runs.push({ type: object.name, indexes: [index] });
  });
  if (runs.length > MAX_CHUNKS)
    throw badRequest(
      'INVALID_BATCH_REQUEST',
      `Too many chunks: a request may contain at most ${MAX_CHUNKS} runs of records of the same type`
    );

  const runAll = async (): Promise<void> => {
    for (const run of runs) {
      const saved = await save(
        run.type,
        run.indexes.map((i) => withoutAttributes(body.records[i] as SObjectRecord)),
        body.allOrNone
      );
      run.indexes.forEach(
        (recordIndex, k) => (results[recordIndex] = saved[k] ?? itemError('UNKNOWN_EXCEPTION', 'no result'))
      );
      if (body.allOrNone && saved.some((result) => !result.success)) throw new RollbackSignal();
    }
  };

  const anyPreFailure = results.some((result) => result !== null);
  if (!body.allOrNone) await runAll();
  else if (!anyPreFailure) {
    try {
      if (runs.length > 1) await ctx.records.transaction(runAll);
      else await runAll();
    } catch (error) {
      if (!(error instanceof RollbackSignal)) throw error;
    }
  }

  const failed = results.some((result) => result !== null && !result.success);
  return results.map((result) => {
    if (body.allOrNone && failed) {
      if (
        result &&
        !result.success &&
        result.errors.some((e) => e.statusCode !== 'ALL_OR_NONE_OPERATION_ROLLED_BACK')
      )
        return { ...result, id: result.id };
      return itemError('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK_MESSAGE);
    }
    return result ?? itemError('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK_MESSAGE);
  });
}

function parseIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : [];
  return list.map((id) => id.trim()).filter(Boolean);
}

export function registerCollectionRoutes(app: FastifyInstance, ctx: OrgContext): void {
  const userIdOf = (request: FastifyRequest) => callerUserId(request) ?? ctx.defaultUserId;

  resource(app, `${DATA_PREFIX}/composite/sobjects`, {
    POST: async (request) => {
      apiVersionOf(request);
      const body = collectionBody(request);
      const userId = userIdOf(request);
      const results = await saveMixed(ctx, body, userId, (type, records, allOrNone) => {
        // Ids are assigned by the server: a record carrying one is refused like Salesforce does.
        return ctx.records.insert(type, records, { allOrNone, userId });
      });
      return results.map((result) => saveResultJson(result, false));
    },
    PATCH: async (request) => {
      apiVersionOf(request);
      const body = collectionBody(request);
      const userId = userIdOf(request);
      const results = await saveMixed(ctx, body, userId, (type, records, allOrNone) =>
        ctx.records.update(
          type,
          records.map(({ id, Id, ...rest }) => ({ ...rest, Id: Id ?? id })),
          { allOrNone, userId }
        )
      );
      return results.map((result) => saveResultJson(result, false));
    },
    DELETE: async (request) => {
      apiVersionOf(request);
      const query = request.query as Record<string, unknown>;
      const ids = parseIds(query.ids);
      if (ids.length === 0) throw badRequest('MISSING_ARGUMENT', 'ids was not specified');
      if (ids.length > MAX_COLLECTION_RECORDS) tooMany();
      const allOrNone = query.allOrNone === 'true';
      const malformed = ids.map((id) => !isValidIdFormat(id));
      const valid = ids.filter((_, i) => !malformed[i]).map((id) => to18(id));
      let saved: SaveResult[] = [];
      if (!(allOrNone && malformed.some(Boolean)))
        saved =
          valid.length > 0 ? await ctx.records.delete(valid, { allOrNone, userId: userIdOf(request) }) : [];
      let next = 0;
      const results = ids.map((id, i) =>
        malformed[i]
          ? { ...itemError('MALFORMED_ID', `malformed id ${id}`), id }
          : (saved[next++] ?? itemError('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK_MESSAGE))
      );
      const failed = results.some((r) => !r.success);
      return results.map((result) =>
        saveResultJson(
          allOrNone && failed && result.success
            ? { ...itemError('ALL_OR_NONE_OPERATION_ROLLED_BACK', ROLLED_BACK_MESSAGE), id: result.id }
            : result,
          false
        )
      );
    }
  });

  const retrieve = async (request: FastifyRequest, idsRaw: unknown, fieldsRaw: unknown) => {
    const version = apiVersionOf(request);
    const object = objectOrThrow(ctx, (request.params as { type: string }).type);
    const ids = parseIds(idsRaw);
    if (ids.length === 0) throw badRequest('MISSING_ARGUMENT', 'ids was not specified');
    if (ids.length > MAX_RETRIEVE_IDS)
      throw badRequest('EXCEEDED_ID_LIMIT', `cannot retrieve more than ${MAX_RETRIEVE_IDS} records`);
    const fieldsText = Array.isArray(fieldsRaw) ? fieldsRaw.join(',') : fieldsRaw;
    const fields = parseFieldList(object, fieldsText);
    if (!fields) throw badRequest('MISSING_ARGUMENT', 'fields was not specified');
    const records = [];
    for (const id of ids) {
      const record =
        isValidIdFormat(id) && id.startsWith(object.keyPrefix)
          ? await ctx.records.retrieve(object.name, to18(id), fields)
          : null;
      records.push(record ? apiRecord(object, record, version) : null);
    }
    return records;
  };

  resource(app, `${DATA_PREFIX}/composite/sobjects/:type`, {
    GET: async (request) => {
      const query = request.query as Record<string, unknown>;
      return retrieve(request, query.ids, query.fields);
    },
    POST: async (request) => {
      const body = request.body as { ids?: unknown; fields?: unknown } | undefined;
      if (!body || typeof body !== 'object')
        throw badRequest('JSON_PARSER_ERROR', 'The request body must be an object with ids and fields');
      return retrieve(request, body.ids, body.fields);
    }
  });

  resource(app, `${DATA_PREFIX}/composite/sobjects/:type/:field`, {
    PATCH: async (request) => {
      apiVersionOf(request);
      const params = request.params as { type: string; field: string };
      const object = objectOrThrow(ctx, params.type);
      const field = object.fieldMap.get(params.field.toLowerCase());
      if (!field || !(field.externalId || field.idLookup))
        throw notFound(`Provided external ID field does not exist or is not accessible: ${params.field}`);
      const body = collectionBody(request);
      const mismatched = body.records.findIndex((record) => {
        const type = typeOf(record);
        return type !== null && ctx.schema.get(type)?.name !== object.name;
      });
      if (mismatched >= 0)
        throw badRequest(
          'INVALID_TYPE',
          `All records must be of type ${object.name} in an upsert collection`
        );
      const records = body.records.map(withoutAttributes);
      const results = await ctx.records.upsert(object.name, field.name, records, {
        allOrNone: body.allOrNone,
        userId: userIdOf(request)
      });
      // Every item is an UpsertResult, whose `created` is a non-nillable boolean (Partner WSDL):
      // a failed item carries created:false rather than leaving the key out.
      return results.map((result) => ({ ...saveResultJson(result, false), created: result.success && result.created === true }));
    }
  });
}
