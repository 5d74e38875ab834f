/**
 * REST Metadata deploy: `POST /services/data/vXX.X/metadata/deployRequest` (multipart: a `file` part with the zip
 * and an `entity_content` JSON part `{deployOptions}`) and `GET …/deployRequest/:id[?includeDetails=true]`, as jsforce's
 * deployRest/checkDeployStatus(rest) send them; the sf CLI uses them when `org-metadata-rest-deploy` is true.
 * Same deploy queue and results as the SOAP endpoint, in JSON. Bearer auth is checked centrally (api-guard).
 */
import type { FastifyInstance } from 'fastify';
import { SalesforceApiError } from '../core/types';
import { requestScope } from '../http/request-scope';
import type { DeployJob, DeployOptions, DeployQueue } from './deploy';
import { APEX_NOT_RUN_MESSAGE, runsTests } from './deploy';

/** A deploy zip of Salesforce's maximum (39 MB) plus the multipart framing. */
const MAX_REST_DEPLOY_BYTES = 48 * 1024 * 1024;

interface Part {
  name: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its named parts (binary-safe). */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new SalesforceApiError('INVALID_MULTIPART_REQUEST', 'multipart/form-data request without a boundary');
  const delimiter = Buffer.from(`--${marker}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next one
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headers = chunk.subarray(0, headerEnd).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
    parts.push({ name, data: chunk.subarray(headerEnd + 4) });
    at = next;
  }
  return parts;
}

function deployOptions(raw: unknown): DeployOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const runTests = Array.isArray(o.runTests) ? o.runTests.map(String) : [];
  return {
    checkOnly: o.checkOnly === true,
    rollbackOnError: o.rollbackOnError !== false,
    ignoreWarnings: o.ignoreWarnings === true,
    testLevel: typeof o.testLevel === 'string' ? o.testLevel : null,
    runTests
  };
}

export function deployResultJson(job: DeployJob, includeDetails: boolean, orgId: string): Record<string, unknown> {
  const done = !['Pending', 'InProgress', 'Canceling'].includes(job.status);
  const testsRequested = runsTests(job.options);
  return {
    checkOnly: job.options.checkOnly,
    completedDate: job.completedDate,
    createdBy: job.createdBy,
    createdByName: job.createdByName,
    createdDate: job.createdDate,
    details: includeDetails
      ? {
          componentFailures: job.failures,
          componentSuccesses: job.successes,
          runTestResult: {
            codeCoverage: [],
            codeCoverageWarnings: testsRequested && done ? [{ id: orgId, message: APEX_NOT_RUN_MESSAGE, name: null, namespace: null }] : [],
            failures: [],
            numFailures: 0,
            numTestsRun: 0,
            successes: [],
            totalTime: 0
          }
        }
      : null,
    done,
    errorMessage: job.errorMessage,
    errorStatusCode: job.errorStatusCode,
    id: job.id,
    ignoreWarnings: job.options.ignoreWarnings,
    lastModifiedDate: job.lastModifiedDate,
    numberComponentErrors: job.numberComponentErrors,
    numberComponentsDeployed: job.numberComponentsDeployed,
    numberComponentsTotal: job.numberComponentsTotal,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: true,
    runTestsEnabled: testsRequested,
    startDate: job.startDate,
    stateDetail: testsRequested && done ? 'Apex tests not run by the local org' : null,
    status: job.status,
    success: job.status === 'Succeeded'
  };
}

export function registerMetadataRestRoutes(
  app: FastifyInstance,
  deps: { deploys: DeployQueue; orgId: string; userName(userId: string): Promise<string> }
): void {
  app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_REST_DEPLOY_BYTES }, (_req, body, done) =>
      done(null, body)
    );
    const path = '/services/data/:version/metadata/deployRequest';
    scope.post(path, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(typeof request.body === 'string' ? request.body : '');
      const parts = parseMultipart(body, String(request.headers['content-type'] ?? ''));
      const file = parts.find((p) => p.name === 'file');
      if (!file || file.data.length === 0) throw new SalesforceApiError('INVALID_MULTIPART_REQUEST', 'The deployRequest has no file part with the zip');
      const entity = parts.find((p) => p.name === 'entity_content');
      let options: DeployOptions = deployOptions({});
      if (entity) {
        try {
          options = deployOptions((JSON.parse(entity.data.toString('utf8')) as { deployOptions?: unknown }).deployOptions);
        } catch {
          throw new SalesforceApiError('JSON_PARSER_ERROR', 'entity_content is not JSON');
        }
      }
      const userId = requestScope.getStore()?.userId ?? '';
      const job = deps.deploys.start(file.data, options, { id: userId, name: await deps.userName(userId) });
      return reply.code(201).send({ id: job.id, validatedDeployRequestId: null, deployOptions: options, deployResult: deployResultJson(job, false, deps.orgId) });
    });
    scope.get<{ Params: { version: string; id: string }; Querystring: { includeDetails?: string } }>(`${path}/:id`, async (request) => {
      const job = deps.deploys.get(request.params.id);
      if (!job) throw new SalesforceApiError('NOT_FOUND', `No deploy request with id ${request.params.id}`, 404);
      return {
        id: job.id,
        validatedDeployRequestId: null,
        deployOptions: job.options,
        deployResult: deployResultJson(job, request.query.includeDetails === 'true', deps.orgId)
      };
    });
  });
}
