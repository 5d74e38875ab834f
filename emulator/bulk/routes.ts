/**
 * Bulk API 2.0 routes: /services/data/vXX.X/jobs/ingest and /jobs/query.
 * Authentication, API usage counting and Sforce-Limit-Info are handled centrally by the HTTP layer
 * (emulator/http/api-guard.ts); these routes only read the token again to know which user the job runs as.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgContext } from '../core/types';
import { SalesforceApiError } from '../core/types';
import { formatCsvHeader, formatCsvLines, readCsvRows } from './csv';
import {
  createIngestJobBody,
  createQueryJobBody,
  describeBodyIssues,
  ingestJobInfo,
  patchJobBody,
  queryJobInfo
} from './job-info';
import { newBulkJobId } from './job-id';
import { BulkJobStore, type JobRecord, type JobType } from './job-store';
import { BulkJobProcessor, queryResultHeader } from './processor';

export interface BulkRouteOptions {
  /** Largest accepted upload (Salesforce: 150 MB per job). */
  maxUploadBytes?: number;
  /** Rows per record-layer call while processing. */
  chunkSize?: number;
  /** Rows per query-results page when the client sends no maxRecords (default: no limit, one page). */
  defaultQueryPageSize?: number;
}

export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 2000;
/**
 * Without maxRecords Salesforce "uses a default value based on the service", which in practice holds
 * far more rows than jsforce's bulk2.query can page through (its result() ends its stream after the
 * first page), so the default here is one page with every row.
 */
const DEFAULT_QUERY_PAGE_SIZE: number | null = null;
const JOB_LIST_PAGE_SIZE = 1000;

type BulkContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'query' | 'now' | 'defaultUserId' | 'auth'>;

interface VersionParams {
  version: string;
}
interface JobParams extends VersionParams {
  jobId: string;
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function apiVersionOf(version: string): string {
  const match = /^v(\d+\.\d)$/.exec(version);
  if (!match?.[1]) throw new SalesforceApiError('NOT_FOUND', 'The requested resource does not exist', 404);
  return match[1];
}

function notFound(): SalesforceApiError {
  return new SalesforceApiError('NOT_FOUND', 'The requested resource does not exist', 404);
}

function sendError(reply: FastifyReply, err: SalesforceApiError): FastifyReply {
  const body =
    err.fields.length > 0
      ? { message: err.message, errorCode: err.errorCode, fields: err.fields }
      : { message: err.message, errorCode: err.errorCode };
  return reply.code(err.httpStatus).type('application/json;charset=UTF-8').send([body]);
}

async function requestUserId(ctx: BulkContext, request: FastifyRequest): Promise<string> {
  const header = request.headers.authorization ?? '';
  const token = header.replace(/^(Bearer|OAuth)\s+/i, '').trim();
  if (!token) return ctx.defaultUserId;
  const info = await ctx.auth.validateToken(token);
  return info?.userId ?? ctx.defaultUserId;
}

/** Reads a text/csv body as a string, refusing more than `limit` bytes with Salesforce's error shape. */
function csvBodyParser(limit: number) {
  return (
    _request: FastifyRequest,
    payload: NodeJS.ReadableStream,
    done: (err: Error | null, body?: unknown) => void
  ): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        done(
          new SalesforceApiError(
            'INVALIDBATCH',
            `InvalidBatch : The upload exceeds the maximum of ${limit} bytes per job`,
            413
          )
        );
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) done(null, Buffer.concat(chunks).toString('utf8'));
    });
    payload.on('error', (err: Error) => {
      if (!failed) done(err);
    });
  };
}

function resultLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

function parseLocator(locator: string): number {
  const offset = Number(Buffer.from(locator, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0)
    throw new SalesforceApiError('INVALIDLOCATOR', `Invalid locator: ${locator}`, 400);
  return offset;
}

export interface BulkRoutesHandle {
  processor: BulkJobProcessor;
  store: BulkJobStore;
}

/** Registers the Bulk API 2.0 routes on `app` (in their own encapsulated scope for the CSV parser). */
export function registerBulkRoutes(
  app: FastifyInstance,
  ctx: BulkContext,
  options: BulkRouteOptions = {}
): BulkRoutesHandle {
  const maxUploadBytes = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const defaultPageSize =
    options.defaultQueryPageSize ?? envInt('EMULATOR_BULK_QUERY_PAGE_SIZE') ?? DEFAULT_QUERY_PAGE_SIZE;
  const store = new BulkJobStore(ctx.db, () => ctx.now());
  const processor = new BulkJobProcessor(ctx, store, {
    chunkSize: options.chunkSize ?? envInt('EMULATOR_BULK_CHUNK_SIZE') ?? DEFAULT_CHUNK_SIZE
  });

  async function loadJob(jobType: JobType, id: string): Promise<JobRecord> {
    const job = await store.get(id);
    if (!job || job.jobType !== jobType) throw notFound();
    return job;
  }

  app.register(async (scope) => {
    await store.migrate();
    scope.addContentTypeParser(
      ['text/csv', 'application/octet-stream'],
      { bodyLimit: maxUploadBytes + 1 },
      csvBodyParser(maxUploadBytes)
    );
    scope.setErrorHandler((error, _request, reply) => {
      if (error instanceof SalesforceApiError) return sendError(reply, error);
      const status =
        typeof (error as { statusCode?: unknown }).statusCode === 'number'
          ? (error as { statusCode: number }).statusCode
          : 500;
      const code = status === 413 ? 'INVALIDBATCH' : status < 500 ? 'INVALIDJOB' : 'UNKNOWN_EXCEPTION';
      const message = error instanceof Error ? error.message : String(error);
      return sendError(reply, new SalesforceApiError(code, message, status));
    });
    scope.addHook('onClose', async () => {
      await processor.stop();
    });

    // ---------- ingest ----------
    scope.post<{ Params: VersionParams }>('/services/data/:version/jobs/ingest', async (request, reply) => {
      const apiVersion = apiVersionOf(request.params.version);
      const parsed = createIngestJobBody.safeParse(request.body ?? {});
      if (!parsed.success)
        throw new SalesforceApiError('INVALIDJOB', `InvalidJob : ${describeBodyIssues(parsed.error)}`, 400);
      const body = parsed.data;
      const object = ctx.schema.get(body.object);
      if (!object)
        throw new SalesforceApiError('INVALIDENTITY', `sObject type '${body.object}' is not supported.`, 400);
      let externalIdFieldName: string | null = null;
      if (body.operation === 'upsert') {
        if (!body.externalIdFieldName) {
          throw new SalesforceApiError(
            'INVALIDJOB',
            `InvalidJob : External ID was blank for ${object.name}. An External ID must be specified for upsert.`,
            400
          );
        }
        const field = object.fieldMap.get(body.externalIdFieldName.toLowerCase());
        if (!field || !(field.externalId || field.idLookup || field.type === 'id')) {
          throw new SalesforceApiError(
            'INVALIDJOB',
            `InvalidJob : Field name provided, ${body.externalIdFieldName} does not match an External ID, Salesforce Id, or indexed field for ${object.name}`,
            400
          );
        }
        externalIdFieldName = field.name;
      }
      const job = await store.create({
        id: newBulkJobId(),
        jobType: 'V2Ingest',
        object: object.name,
        operation: body.operation,
        externalIdFieldName,
        query: null,
        state: 'Open',
        columnDelimiter: body.columnDelimiter ?? 'COMMA',
        lineEnding: body.lineEnding ?? 'LF',
        apiVersion,
        createdById: await requestUserId(ctx, request),
        createdDate: ctx.now()
      });
      return reply.code(200).send(ingestJobInfo(job, false));
    });

    scope.get<{ Params: VersionParams; Querystring: { queryLocator?: string; jobType?: string } }>(
      '/services/data/:version/jobs/ingest',
      async (request) =>
        listJobs('V2Ingest', request.params.version, request.query.queryLocator, request.query.jobType)
    );

    scope.get<{ Params: JobParams }>('/services/data/:version/jobs/ingest/:jobId', async (request) => {
      apiVersionOf(request.params.version);
      return ingestJobInfo(await loadJob('V2Ingest', request.params.jobId), true);
    });

    scope.put<{ Params: JobParams; Body: unknown }>(
      '/services/data/:version/jobs/ingest/:jobId/batches',
      async (request, reply) => {
        apiVersionOf(request.params.version);
        const job = await loadJob('V2Ingest', request.params.jobId);
        if (job.state !== 'Open') {
          throw new SalesforceApiError(
            'INVALIDJOBSTATE',
            `InvalidJobState : Data can be uploaded only to a job in the Open state; job ${job.id} is ${job.state}`,
            409
          );
        }
        if (job.dataUploaded)
          throw new SalesforceApiError(
            'INVALIDJOBSTATE',
            'InvalidJobState : Data can only be uploaded to a job once',
            409
          );
        if (typeof request.body !== 'string') {
          throw new SalesforceApiError('INVALIDBATCH', 'InvalidBatch : Upload the job data as text/csv', 400);
        }
        await store.saveData(job.id, request.body);
        await store.update(job.id, { dataUploaded: true });
        return reply.code(201).send();
      }
    );

    scope.patch<{ Params: JobParams }>('/services/data/:version/jobs/ingest/:jobId', async (request) => {
      apiVersionOf(request.params.version);
      const job = await loadJob('V2Ingest', request.params.jobId);
      const body = patchJobBody.safeParse(request.body ?? {});
      if (!body.success)
        throw new SalesforceApiError('INVALIDJOB', `InvalidJob : ${describeBodyIssues(body.error)}`, 400);
      if (body.data.state === 'UploadComplete') {
        if ((await store.transition(job.id, ['Open'], 'UploadComplete')) === null) {
          throw new SalesforceApiError(
            'INVALIDJOBSTATE',
            `InvalidJobState : Job ${job.id} is ${job.state}; only an Open job can be closed`,
            409
          );
        }
        processor.start(job.id);
      } else {
        const previous = await store.transition(job.id, ['Open', 'UploadComplete', 'InProgress'], 'Aborted');
        if (previous === null) {
          throw new SalesforceApiError(
            'INVALIDJOBSTATE',
            `InvalidJobState : Job ${job.id} is ${job.state} and can no longer be aborted`,
            409
          );
        }
        // Not started yet: every uploaded row is unprocessed. (A running job records its own remainder.)
        if (previous !== 'InProgress') await recordUnprocessedUpload(job);
      }
      return ingestJobInfo(await loadJob('V2Ingest', job.id), false);
    });

    scope.delete<{ Params: JobParams }>(
      '/services/data/:version/jobs/ingest/:jobId',
      async (request, reply) => {
        apiVersionOf(request.params.version);
        const job = await loadJob('V2Ingest', request.params.jobId);
        await store.delete(job.id);
        return reply.code(204).send();
      }
    );

    const resultKinds = {
      successfulResults: 'successful',
      failedResults: 'failed',
      unprocessedrecords: 'unprocessed'
    } as const;
    for (const [path, kind] of Object.entries(resultKinds)) {
      scope.get<{ Params: JobParams }>(
        `/services/data/:version/jobs/ingest/:jobId/${path}`,
        async (request, reply) => {
          apiVersionOf(request.params.version);
          const job = await loadJob('V2Ingest', request.params.jobId);
          const original = job.header ?? [];
          const header =
            kind === 'successful'
              ? ['sf__Id', 'sf__Created', ...original]
              : kind === 'failed'
                ? ['sf__Id', 'sf__Error', ...original]
                : original;
          const dialect = { columnDelimiter: job.columnDelimiter, lineEnding: job.lineEnding };
          const lines = await store.ingestResultLines(job.id, kind);
          return reply
            .code(200)
            .type('text/csv')
            .send((header.length > 0 ? formatCsvHeader(header, dialect) : '') + lines);
        }
      );
    }

    // ---------- query ----------
    scope.post<{ Params: VersionParams }>('/services/data/:version/jobs/query', async (request, reply) => {
      const apiVersion = apiVersionOf(request.params.version);
      const parsed = createQueryJobBody.safeParse(request.body ?? {});
      if (!parsed.success)
        throw new SalesforceApiError('INVALIDJOB', `InvalidJob : ${describeBodyIssues(parsed.error)}`, 400);
      const body = parsed.data;
      const object = await validateQuery(body.query);
      const job = await store.create({
        id: newBulkJobId(),
        jobType: 'V2Query',
        object,
        operation: body.operation,
        externalIdFieldName: null,
        query: body.query,
        state: 'UploadComplete',
        columnDelimiter: body.columnDelimiter ?? 'COMMA',
        lineEnding: body.lineEnding ?? 'LF',
        apiVersion,
        createdById: await requestUserId(ctx, request),
        createdDate: ctx.now()
      });
      processor.start(job.id);
      return reply.code(200).send(queryJobInfo(job, false));
    });

    scope.get<{ Params: VersionParams; Querystring: { queryLocator?: string } }>(
      '/services/data/:version/jobs/query',
      async (request) => listJobs('V2Query', request.params.version, request.query.queryLocator)
    );

    scope.get<{ Params: JobParams }>('/services/data/:version/jobs/query/:jobId', async (request) => {
      apiVersionOf(request.params.version);
      return queryJobInfo(await loadJob('V2Query', request.params.jobId), true);
    });

    scope.patch<{ Params: JobParams }>('/services/data/:version/jobs/query/:jobId', async (request) => {
      apiVersionOf(request.params.version);
      const job = await loadJob('V2Query', request.params.jobId);
      const body = patchJobBody.safeParse(request.body ?? {});
      if (!body.success || body.data.state !== 'Aborted') {
        throw new SalesforceApiError(
          'INVALIDJOB',
          'InvalidJob : A query job can only be set to the Aborted state',
          400
        );
      }
      if ((await store.transition(job.id, ['UploadComplete', 'InProgress'], 'Aborted')) === null) {
        throw new SalesforceApiError(
          'INVALIDJOBSTATE',
          `InvalidJobState : Job ${job.id} is ${job.state} and can no longer be aborted`,
          409
        );
      }
      return queryJobInfo(await loadJob('V2Query', job.id), false);
    });

    scope.delete<{ Params: JobParams }>(
      '/services/data/:version/jobs/query/:jobId',
      async (request, reply) => {
        apiVersionOf(request.params.version);
        const job = await loadJob('V2Query', request.params.jobId);
        await store.delete(job.id);
        return reply.code(204).send();
      }
    );

    scope.get<{ Params: JobParams; Querystring: { locator?: string; maxRecords?: string } }>(
      '/services/data/:version/jobs/query/:jobId/results',
      async (request, reply) => {
        apiVersionOf(request.params.version);
        const job = await loadJob('V2Query', request.params.jobId);
        if (job.state !== 'JobComplete') {
          throw new SalesforceApiError(
            'JOB_NOT_COMPLETE',
            `Job ${job.id} is ${job.state}; results are available once it is JobComplete`,
            412
          );
        }
        const offset = request.query.locator ? parseLocator(request.query.locator) : 0;
        const maxRecords =
          request.query.maxRecords === undefined ? defaultPageSize : Number(request.query.maxRecords);
        if (maxRecords !== null && (!Number.isInteger(maxRecords) || maxRecords < 1)) {
          throw new SalesforceApiError(
            'INVALIDJOB',
            `InvalidJob : maxRecords must be a positive integer, got ${request.query.maxRecords}`,
            400
          );
        }
        const lines = await store.queryRows(job.id, offset, maxRecords);
        const next = offset + lines.length;
        const lineEnding = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
        const body = queryResultHeader(job) + lines.map((l) => l + lineEnding).join('');
        return reply
          .code(200)
          .header('Sforce-NumberOfRecords', String(lines.length))
          .header('Sforce-Locator', next < job.numberRecordsProcessed ? resultLocator(next) : 'null')
          .type('text/csv')
          .send(body);
      }
    );

    await processor.resumeUnfinished();
  });

  async function recordUnprocessedUpload(job: JobRecord): Promise<void> {
    const content = await store.loadData(job.id);
    if (content === null) return;
    const dialect = { columnDelimiter: job.columnDelimiter, lineEnding: job.lineEnding };
    const rows: string[][] = [];
    let header: string[] | null = null;
    try {
      for await (const row of readCsvRows(content, dialect)) {
        if (header === null) header = row;
        else rows.push(row);
      }
    } catch {
      return; // unparseable upload: nothing can be listed as unprocessed
    }
    if (header) await store.update(job.id, { header });
    await store.saveIngestChunk(job.id, {
      chunkNo: 0,
      successful: '',
      failed: '',
      unprocessed: formatCsvLines(rows, dialect)
    });
    await store.dropData(job.id);
  }

  async function validateQuery(soql: string): Promise<string> {
    try {
      const meta = await ctx.query.columns(soql);
      return meta.entityName;
    } catch (err) {
      const e = err as { errorCode?: unknown; message?: unknown };
      if (typeof e.errorCode === 'string')
        throw new SalesforceApiError(e.errorCode, String(e.message ?? e.errorCode), 400);
      throw err;
    }
  }

  /** GET /jobs/ingest|query; a `jobType` filter other than this API's own (Classic, BigObjectIngest) matches nothing here. */
  async function listJobs(
    jobType: JobType,
    version: string,
    queryLocator: string | undefined,
    jobTypeFilter?: string
  ): Promise<Record<string, unknown>> {
    apiVersionOf(version);
    const offset = queryLocator ? parseLocator(queryLocator) : 0;
    const jobs =
      jobTypeFilter && jobTypeFilter !== jobType
        ? []
        : await store.list(jobType, offset, JOB_LIST_PAGE_SIZE + 1);
    const page = jobs.slice(0, JOB_LIST_PAGE_SIZE);
    const more = jobs.length > JOB_LIST_PAGE_SIZE;
    const kind = jobType === 'V2Ingest' ? 'ingest' : 'query';
    return {
      done: !more,
      records: page.map((job) => {
        const summary = jobType === 'V2Ingest' ? ingestJobInfo(job, false) : queryJobInfo(job, false);
        return { ...summary, jobType };
      }),
      nextRecordsUrl: more
        ? `/services/data/${version}/jobs/${kind}?queryLocator=${resultLocator(offset + JOB_LIST_PAGE_SIZE)}`
        : null
    };
  }

  return { processor, store };
}
