/**
 * sObject resources (§1.2, §1.3, §1.10): describe, create, retrieve, update, delete, upsert and
 * retrieve by external id, and the getUpdated/getDeleted replication resources.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidIdFormat, to18 } from '../core/ids';
import type { OrgContext, SObjectDef } from '../core/types';
import { badRequest, notFound } from '../http/errors';
import { callerUserId } from '../http/request-scope';
import { basicInfo, fullDescribe, globalDescribe } from './describe';
import {
  apiRecord,
  apiVersionOf,
  assertKnownFields,
  bodyObject,
  DATA_PREFIX,
  formatDateTime,
  objectOrThrow,
  parseFieldList,
  recordUrl,
  resource,
  sendSaveErrors,
  versionMajor,
  withoutAttributes
} from './shared';

type Params = { type: string; id: string; field: string; value: string };

/** How a row with this id stands: live, deleted (in the recycle bin), or absent. */
async function rowState(
  ctx: OrgContext,
  object: SObjectDef,
  id: string
): Promise<'live' | 'deleted' | 'missing'> {
  const result = await ctx.db.query<{ isdeleted: boolean }>(
    `SELECT "isdeleted" FROM "${object.table}" WHERE "id" = $1`,
    [id]
  );
  const row = result.rows[0];
  if (!row) return 'missing';
  return row.isdeleted ? 'deleted' : 'live';
}

/** An id path segment for this object: 15/18 chars with the object's key prefix, as 18 chars. */
function recordIdOrThrow(object: SObjectDef, raw: string): string {
  if (!isValidIdFormat(raw) || !raw.startsWith(object.keyPrefix)) {
    // Salesforce reads a non-id segment as an external id value of a missing field.
    throw notFound(`Provided external ID field does not exist or is not accessible: ${raw}`);
  }
  return to18(raw);
}

function externalIdFieldOrThrow(object: SObjectDef, name: string) {
  const field = object.fieldMap.get(name.toLowerCase());
  if (!field || !(field.externalId || field.idLookup)) {
    throw notFound(`Provided external ID field does not exist or is not accessible: ${name}`);
  }
  return field;
}

/** Ids of live rows whose external id equals value (text compared case-insensitively, like Salesforce). */
async function idsByExternalId(
  ctx: OrgContext,
  object: SObjectDef,
  column: string,
  value: string,
  caseSensitive: boolean
): Promise<string[]> {
  const compare = caseSensitive ? `"${column}"::text = $1` : `lower("${column}"::text) = lower($1)`;
  const result = await ctx.db.query<{ id: string }>(
    `SELECT "id" FROM "${object.table}" WHERE ${compare} AND NOT "isdeleted" LIMIT 50`,
    [value]
  );
  return result.rows.map((row) => row.id);
}

function userId(request: FastifyRequest, ctx: OrgContext): string {
  return callerUserId(request) ?? ctx.defaultUserId;
}

/** start/end query parameters of getUpdated/getDeleted. */
function replicationWindow(
  request: FastifyRequest,
  ctx: OrgContext,
  maxDays: number
): { start: Date; end: Date } {
  const query = request.query as Record<string, unknown>;
  const parse = (name: string): Date => {
    const raw = query[name];
    if (typeof raw !== 'string' || raw === '')
      throw badRequest('MISSING_ARGUMENT', `${name} was not specified`);
    const date = new Date(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isNaN(date.getTime()))
      throw badRequest('INVALID_DATE_FORMAT', `${name}: Invalid date format: ${raw}`);
    return date;
  };
  const start = parse('start');
  const end = parse('end');
  if (end.getTime() < start.getTime())
    throw badRequest('INVALID_REPLICATION_DATE', 'EndDate before StartDate');
  const earliest = ctx.now().getTime() - maxDays * 24 * 3600 * 1000;
  if (start.getTime() < earliest) {
    throw badRequest('INVALID_REPLICATION_DATE', `startDate cannot be more than ${maxDays} days ago`);
  }
  return { start, end };
}

/** Replication windows are reported to the minute. */
function floorToMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60000) * 60000);
}

export function registerSObjectRoutes(app: FastifyInstance, ctx: OrgContext): void {
  resource(app, `${DATA_PREFIX}/sobjects`, {
    GET: async (request) => globalDescribe(ctx.schema, apiVersionOf(request))
  });

  resource(app, `${DATA_PREFIX}/sobjects/:type`, {
    GET: async (request) => {
      const version = apiVersionOf(request);
      return basicInfo(objectOrThrow(ctx, (request.params as Params).type), version);
    },
    POST: async (request, reply) => {
      const version = apiVersionOf(request);
      const object = objectOrThrow(ctx, (request.params as Params).type);
      const body = withoutAttributes(bodyObject(request, object.name));
      assertKnownFields(object, body);
      const [result] = await ctx.records.insert(object.name, [body], {
        allOrNone: true,
        userId: userId(request, ctx)
      });
      if (!result || !result.success || !result.id) return sendSaveErrors(reply, result?.errors ?? []);
      return reply
        .code(201)
        .header('Location', recordUrl(version, object.name, result.id))
        .send({ id: result.id, success: true, errors: [] });
    }
  });

  resource(app, `${DATA_PREFIX}/sobjects/:type/describe`, {
    GET: async (request) => {
      const version = apiVersionOf(request);
      return fullDescribe(objectOrThrow(ctx, (request.params as Params).type), version);
    }
  });

  resource(app, `${DATA_PREFIX}/sobjects/:type/updated`, {
    GET: async (request) => {
      apiVersionOf(request);
      const object = objectOrThrow(ctx, (request.params as Params).type);
      const { start, end } = replicationWindow(request, ctx, 30);
      const result = await ctx.db.query<{ id: string }>(
        `SELECT "id" FROM "${object.table}" WHERE NOT "isdeleted" AND "systemmodstamp" >= $1 AND "systemmodstamp" < $2 ORDER BY "systemmodstamp", "id" LIMIT 600001`,
        [start.toISOString(), end.toISOString()]
      );
      if (result.rows.length > 600000)
        throw badRequest('EXCEEDED_ID_LIMIT', 'too many ids: narrow the start/end window');
      const covered = floorToMinute(new Date(Math.min(end.getTime(), ctx.now().getTime())));
      return { ids: result.rows.map((row) => row.id), latestDateCovered: formatDateTime(covered) };
    }
  });

  resource(app, `${DATA_PREFIX}/sobjects/:type/deleted`, {
    GET: async (request) => {
      apiVersionOf(request);
      const object = objectOrThrow(ctx, (request.params as Params).type);
      const { start, end } = replicationWindow(request, ctx, 15);
      // A deleted row's SystemModstamp is its deletion time.
      const result = await ctx.db.query<{ id: string; systemmodstamp: Date }>(
        `SELECT "id", "systemmodstamp" FROM "${object.table}" WHERE "isdeleted" AND "systemmodstamp" >= $1 AND "systemmodstamp" < $2 ORDER BY "systemmodstamp", "id" LIMIT 600001`,
        [start.toISOString(), end.toISOString()]
      );
      if (result.rows.length > 600000)
        throw badRequest('EXCEEDED_ID_LIMIT', 'too many ids: narrow the start/end window');
      const earliest = new Date(ctx.now().getTime() - 15 * 24 * 3600 * 1000);
      const covered = floorToMinute(new Date(Math.min(end.getTime(), ctx.now().getTime())));
      return {
        deletedRecords: result.rows.map((row) => ({
          id: row.id,
          deletedDate: formatDateTime(new Date(row.systemmodstamp))
        })),
        earliestDateAvailable: formatDateTime(floorToMinute(earliest)),
        latestDateCovered: formatDateTime(covered)
      };
    }
  });

  resource(app, `${DATA_PREFIX}/sobjects/:type/:id`, {
    GET: async (request) => {
      const version = apiVersionOf(request);
      const params = request.params as Params;
      const object = objectOrThrow(ctx, params.type);
      const id = recordIdOrThrow(object, params.id);
      const fields = parseFieldList(object, (request.query as Record<string, unknown>).fields);
      const record = await ctx.records.retrieve(object.name, id, fields);
      if (!record) throw notFound();
      return apiRecord(object, record, version);
    },
    PATCH: async (request, reply) => {
      apiVersionOf(request);
      const params = request.params as Params;
      const object = objectOrThrow(ctx, params.type);
      const id = recordIdOrThrow(object, params.id);
      const body = withoutAttributes(bodyObject(request, object.name));
      delete body.Id;
      delete body.id;
      assertKnownFields(object, body);
      const state = await rowState(ctx, object, id);
      if (state === 'missing') throw notFound();
      if (state === 'deleted') throw badRequest('ENTITY_IS_DELETED', 'entity is deleted');
      const [result] = await ctx.records.update(object.name, [{ ...body, Id: id }], {
        allOrNone: true,
        userId: userId(request, ctx)
      });
      if (!result || !result.success) return sendSaveErrors(reply, result?.errors ?? []);
      return reply.code(204).send();
    },
    DELETE: async (request, reply) => {
      apiVersionOf(request);
      const params = request.params as Params;
      const object = objectOrThrow(ctx, params.type);
      const id = recordIdOrThrow(object, params.id);
      const state = await rowState(ctx, object, id);
      if (state === 'missing') throw notFound();
      if (state === 'deleted') throw notFound('entity is deleted');
      const [result] = await ctx.records.delete([id], { allOrNone: true, userId: userId(request, ctx) });
      if (!result || !result.success) return sendSaveErrors(reply, result?.errors ?? []);
      return reply.code(204).send();
    }
  });

  const upsert = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const version = apiVersionOf(request);
    const params = request.params as Params;
    const object = objectOrThrow(ctx, params.type);
    const field = externalIdFieldOrThrow(object, params.field);
    const body = withoutAttributes(bodyObject(request, object.name));
    assertKnownFields(object, body);
    const opts = { allOrNone: true, userId: userId(request, ctx) };

    if (field.name === 'Id') {
      // PATCH /sobjects/X/Id/{id}: an update of that record (Salesforce answers like an upsert that matched).
      const id = recordIdOrThrow(object, params.value);
      if ((await rowState(ctx, object, id)) !== 'live') throw notFound();
      const [result] = await ctx.records.update(object.name, [{ ...body, Id: id }], opts);
      if (!result || !result.success) return sendSaveErrors(reply, result?.errors ?? []);
      return versionMajor(version) < 46
        ? reply.code(204).send()
        : reply.code(200).send({ id, success: true, errors: [], created: false });
    }

    const matches = await idsByExternalId(ctx, object, field.column, params.value, field.caseSensitive);
    if (matches.length > 1)
      return reply.code(300).send(matches.map((id) => recordUrl(version, object.name, id)));
    const bodyValue = body[field.name];
    if (bodyValue !== undefined && String(bodyValue) !== params.value) {
      throw badRequest(
        'INVALID_FIELD',
        `The value of the external id field in the body (${String(bodyValue)}) does not match the one in the URL (${params.value})`,
        [field.name]
      );
    }
    const [result] = await ctx.records.upsert(
      object.name,
      field.name,
      [{ ...body, [field.name]: params.value }],
      opts
    );
    if (!result || !result.success || !result.id) return sendSaveErrors(reply, result?.errors ?? []);
    const created = result.created ?? matches.length === 0;
    if (created) {
      return reply
        .code(201)
        .header('Location', recordUrl(version, object.name, result.id))
        .send({ id: result.id, success: true, errors: [], created: true });
    }
    return versionMajor(version) < 46
      ? reply.code(204).send()
      : reply.code(200).send({ id: result.id, success: true, errors: [], created: false });
  };

  resource(app, `${DATA_PREFIX}/sobjects/:type/:field/:value`, {
    GET: async (request, reply) => {
      const version = apiVersionOf(request);
      const params = request.params as Params;
      const object = objectOrThrow(ctx, params.type);
      const field = externalIdFieldOrThrow(object, params.field);
      const fields = parseFieldList(object, (request.query as Record<string, unknown>).fields);
      const matches =
        field.name === 'Id'
          ? [recordIdOrThrow(object, params.value)]
          : await idsByExternalId(ctx, object, field.column, params.value, field.caseSensitive);
      if (matches.length > 1)
        return reply.code(300).send(matches.map((id) => recordUrl(version, object.name, id)));
      const record = matches[0] ? await ctx.records.retrieve(object.name, matches[0], fields) : null;
      if (!record) throw notFound();
      return apiRecord(object, record, version);
    },
    PATCH: upsert,
    // Salesforce also accepts POST for upsert by external id.
    POST: upsert
  });
}
