/**
 * SOAP Metadata API endpoint `POST /services/Soap/m/XX.X` (namespace http://soap.sforce.com/2006/04/metadata),
 * the calls the sf CLI (source-deploy-retrieve over jsforce) makes: deploy, checkDeployStatus, cancelDeploy,
 * deployRecentValidation, retrieve, checkRetrieveStatus, listMetadata, describeMetadata. Responses are framed as
 * jsforce reads them: `<soapenv:Body><{op}Response><result>…</result></…Response>` with no attributes on Body.
 * The session comes from the SessionHeader (jsforce sends no Authorization header on SOAP calls).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { newId } from '../core/ids';
import type { OrgContext } from '../core/types';
import { SoapFault, escapeXml, invalidSessionFault, soapFaultXml } from '../soap/envelope';
import { APEX_NOT_RUN_MESSAGE, runsTests, type DeployJob, type DeployMessage, type DeployOptions, type DeployQueue } from './deploy';
import type { OrgMetadata } from './org-metadata';
import { METADATA_TYPES } from './registry';
import { METADATA_NS, buildRetrieveZip, type FileProperties, type RetrieveOutput } from './retrieve';

const XML_CONTENT_TYPE = 'text/xml;charset=UTF-8';
/** A deploy zip of Salesforce's maximum (39 MB) grows by a third in base64. */
const MAX_METADATA_SOAP_BYTES = 64 * 1024 * 1024;

export interface MetadataRouteContext {
  ctx: Pick<OrgContext, 'auth' | 'records' | 'orgId' | 'now'>;
  org: OrgMetadata;
  deploys: DeployQueue;
}

const REPEATED = new Set([
  'Envelope.Body.retrieve.request.unpackaged.types',
  'Envelope.Body.retrieve.request.unpackaged.types.members',
  'Envelope.Body.retrieve.request.specificFiles',
  'Envelope.Body.retrieve.request.packageNames',
  'Envelope.Body.listMetadata.queries',
  'Envelope.Body.deploy.DeployOptions.runTests'
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath))
});

type Xml = Record<string, unknown>;

function isRecord(value: unknown): value is Xml {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (isRecord(value) && typeof value['#text'] === 'string') return value['#text'];
  return null;
}

const bool = (value: unknown, fallback = false): boolean => {
  const t = text(value);
  return t === null ? fallback : t.trim().toLowerCase() === 'true';
};

function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** `<name>value</name>` for scalars, nested for objects, repeated for arrays; undefined is omitted. */
function toXml(name: string, value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Xml)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function envelope(operation: string, resultXml: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${METADATA_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Body><${operation}Response>${resultXml}</${operation}Response></soapenv:Body></soapenv:Envelope>`
  );
}

function fault(code: string, message: string): SoapFault {
  return new SoapFault(`sf:${code}`, `${code}: ${message}`, { exceptionCode: code, exceptionMessage: message });
}

function deployOptions(raw: unknown): DeployOptions {
  const o = isRecord(raw) ? raw : {};
  return {
    checkOnly: bool(o.checkOnly),
    rollbackOnError: bool(o.rollbackOnError, true),
    ignoreWarnings: bool(o.ignoreWarnings),
    testLevel: text(o.testLevel),
    runTests: list(o.runTests).map(text).filter((t): t is string => t !== null)
  };
}

function messageXml(m: DeployMessage): Xml {
  // Element order of the WSDL's DeployMessage; componentType is always present (SDR requires a string).
  return {
    changed: m.changed,
    columnNumber: m.columnNumber,
    componentType: m.componentType,
    created: m.created,
    createdDate: m.createdDate,
    deleted: m.deleted,
    fileName: m.fileName,
    fullName: m.fullName,
    id: m.id,
    lineNumber: m.lineNumber,
    problem: m.problem,
    problemType: m.problemType,
    success: m.success
  };
}

export function deployResultXml(job: DeployJob, includeDetails: boolean, orgId: string): string {
  const done = !['Pending', 'InProgress', 'Canceling'].includes(job.status);
  const testsRequested = runsTests(job.options);
  const details: Xml | undefined = includeDetails
    ? {
        componentFailures: job.failures.map(messageXml),
        componentSuccesses: job.successes.map(messageXml),
        runTestResult: {
          codeCoverage: [],
          codeCoverageWarnings:
            testsRequested && done
              ? [{ id: orgId, message: APEX_NOT_RUN_MESSAGE, name: null, namespace: null }]
              : [],
          failures: [],
          numFailures: 0,
          numTestsRun: 0,
          successes: [],
          totalTime: 0
        }
      }
    : undefined;
  return toXml('result', {
    checkOnly: job.options.checkOnly,
    completedDate: job.completedDate ?? undefined,
    createdBy: job.createdBy,
    createdByName: job.createdByName,
    createdDate: job.createdDate,
    details,
    done,
    errorMessage: job.errorMessage ?? undefined,
    errorStatusCode: job.errorStatusCode ?? undefined,
    id: job.id,
    ignoreWarnings: job.options.ignoreWarnings,
    lastModifiedDate: job.lastModifiedDate,
    numberComponentErrors: job.numberComponentErrors,
    numberComponentsDeployed: job.numberComponentsDeployed,
    numberComponentsTotal: job.numberComponentsTotal,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    // The org is production-like: every deploy is all-or-nothing.
    rollbackOnError: true,
    runTestsEnabled: testsRequested,
    startDate: job.startDate ?? undefined,
    stateDetail: testsRequested && done ? 'Apex tests not run by the local org' : undefined,
    status: job.status,
    success: job.status === 'Succeeded'
  });
}

interface RetrieveJob {
  id: string;
  done: boolean;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
  output: RetrieveOutput | null;
  errorMessage: string | null;
}

function fileProps(p: FileProperties): Xml {
  return { ...p };
}

async function userName(ctx: MetadataRouteContext['ctx'], userId: string): Promise<string> {
  const user = await ctx.records.retrieve('User', userId, ['Name']).catch(() => null);
  return typeof user?.Name === 'string' ? user.Name : userId;
}

export function registerMetadataSoapRoutes(app: FastifyInstance, deps: MetadataRouteContext): void {
  const retrieves = new Map<string, RetrieveJob>();
  const { ctx, org, deploys } = deps;

  const findDeploy = (id: string | null): DeployJob => {
    const job = id ? deploys.get(id) : undefined;
    if (!job) throw fault('INVALID_ID_FIELD', `Invalid or expired deploy id: ${id ?? '(none)'}`);
    return job;
  };

  const operations: Record<string, (payload: Xml, userId: string) => Promise<string>> = {
    async deploy(payload, userId) {
      const zipText = text(payload.ZipFile);
      if (!zipText) throw fault('INVALID_CROSS_REFERENCE_KEY', 'deploy needs a ZipFile (base64 zip of the package)');
      const job = deploys.start(Buffer.from(zipText, 'base64'), deployOptions(payload.DeployOptions), {
        id: userId,
        name: await userName(ctx, userId)
      });
      return toXml('result', { done: false, id: job.id, state: 'Queued' });
    },
    async checkDeployStatus(payload) {
      const job = findDeploy(text(payload.asyncProcessId));
      return deployResultXml(job, bool(payload.includeDetails), ctx.orgId);
    },
    async cancelDeploy(payload) {
      const job = findDeploy(text(payload.id ?? payload.String));
      deploys.cancel(job);
      return toXml('result', { done: !['Pending', 'InProgress'].includes(job.status), id: job.id });
    },
    async deployRecentValidation(payload, userId) {
      const validated = findDeploy(text(payload.validationId));
      if (!validated.options.checkOnly || validated.status !== 'Succeeded' || !validated.zip) {
        throw fault('INVALID_ID_FIELD', `${validated.id} is not a successful validation (a checkOnly deploy that succeeded)`);
      }
      const job = deploys.start(validated.zip, { ...validated.options, checkOnly: false }, { id: userId, name: await userName(ctx, userId) });
      return toXml('result', job.id);
    },
    async retrieve(payload, userId) {
      const request = isRecord(payload.request) ? payload.request : {};
      if (list(request.packageNames).length > 0) {
        throw fault('INVALID_CROSS_REFERENCE_KEY', 'The local org has no installed packages to retrieve by packageNames');
      }
      const unpackaged = isRecord(request.unpackaged) ? request.unpackaged : {};
      const types = new Map<string, Set<string>>();
      for (const t of list(unpackaged.types)) {
        if (!isRecord(t)) continue;
        const name = text(t.name);
        if (!name) continue;
        const members = types.get(name) ?? new Set<string>();
        for (const m of list(t.members)) {
          const member = text(m);
          if (member) members.add(member);
        }
        types.set(name, members);
      }
      const apiVersion = text(unpackaged.version) ?? text(request.apiVersion) ?? '62.0';
      const job: RetrieveJob = { id: newId('09S'), done: false, status: 'InProgress', output: null, errorMessage: null };
      retrieves.set(job.id, job);
      const name = await userName(ctx, userId);
      try {
        job.output = await buildRetrieveZip(org.all(), types, { apiVersion, userId, userName: name });
        job.status = 'Succeeded';
      } catch (error) {
        job.status = 'Failed';
        job.errorMessage = error instanceof Error ? error.message : String(error);
      }
      job.done = true;
      return toXml('result', { done: false, id: job.id, state: 'Queued' });
    },
    async checkRetrieveStatus(payload) {
      const id = text(payload.asyncProcessId);
      const job = id ? retrieves.get(id) : undefined;
      if (!job) throw fault('INVALID_ID_FIELD', `Invalid or expired retrieve id: ${id ?? '(none)'}`);
      const out = job.output;
      return toXml('result', {
        done: job.done,
        errorMessage: job.errorMessage ?? undefined,
        errorStatusCode: job.errorMessage ? 'UNKNOWN_EXCEPTION' : undefined,
        fileProperties: out ? out.fileProperties.map(fileProps) : [],
        id: job.id,
        messages: out ? out.messages : [],
        status: job.status,
        success: job.status === 'Succeeded',
        zipFile: out?.zipFile ?? undefined
      });
    },
    async listMetadata(payload) {
      const queries = list(payload.queries).filter(isRecord);
      const wanted = new Set(queries.map((q) => text(q.type)?.toLowerCase()).filter((t): t is string => Boolean(t)));
      const who = { createdById: ctx.orgId, createdByName: 'Leadflow Local' };
      const rows = org
        .all()
        .filter((c) => wanted.has(c.type.toLowerCase()))
        .map((c) => ({
          ...who,
          createdDate: c.createdDate,
          fileName: c.fileName,
          fullName: c.fullName,
          id: c.id,
          lastModifiedById: ctx.orgId,
          lastModifiedByName: 'Leadflow Local',
          lastModifiedDate: c.lastModifiedDate,
          manageableState: 'unmanaged',
          type: c.type
        }));
      return rows.map((r) => toXml('result', r)).join('');
    },
    async describeMetadata() {
      return toXml('result', {
        metadataObjects: METADATA_TYPES.map((x) => ({
          childXmlNames: x.childXmlNames,
          directoryName: x.directoryName,
          inFolder: x.inFolder,
          metaFile: x.metaFile,
          suffix: x.suffix ?? undefined,
          xmlName: x.xmlName
        })),
        organizationNamespace: '',
        partialSaveAllowed: false,
        testRequired: false
      });
    }
  };

  app.register(async (scope) => {
    scope.addContentTypeParser(
      ['text/xml', 'application/xml', 'application/soap+xml'],
      { parseAs: 'string', bodyLimit: MAX_METADATA_SOAP_BYTES },
      (_req, body, done) => done(null, body)
    );
    const sendFault = (reply: FastifyReply, f: SoapFault) => reply.code(500).type(XML_CONTENT_TYPE).send(soapFaultXml(f));

    scope.post<{ Params: { version: string } }>('/services/Soap/m/:version', async (request, reply) => {
      if (!/^\d+\.\d$/.test(request.params.version)) {
        return reply.code(404).type('text/plain').send(`No service available for /services/Soap/m/${request.params.version}`);
      }
      try {
        const xml = typeof request.body === 'string' ? request.body : '';
        const valid = XMLValidator.validate(xml);
        if (valid !== true) throw fault('UNKNOWN_EXCEPTION', `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
        const doc: unknown = parser.parse(xml);
        const env = isRecord(doc) && isRecord(doc.Envelope) ? doc.Envelope : {};
        const body = isRecord(env.Body) ? env.Body : {};
        const header = isRecord(env.Header) ? env.Header : {};
        const session = isRecord(header.SessionHeader) ? text(header.SessionHeader.sessionId) : null;
        const operation = Object.keys(body).find((k) => !k.startsWith('@_')) ?? '';
        const handler = operations[operation];
        if (!handler) {
          throw new SoapFault(
            'soapenv:Client',
            `No operation available for request {${METADATA_NS}}${operation}, please check the WSDL for the service.`
          );
        }
        const token = session ? await ctx.auth.validateToken(session) : null;
        if (!token) throw invalidSessionFault();
        const payload = isRecord(body[operation]) ? body[operation] : {};
        const result = await handler(payload, token.userId);
        return reply.code(200).type(XML_CONTENT_TYPE).send(envelope(operation, result));
      } catch (error) {
        if (error instanceof SoapFault) return sendFault(reply, error);
        const message = error instanceof Error ? error.message : String(error);
        return sendFault(reply, fault('UNKNOWN_EXCEPTION', message));
      }
    });
  });
}

