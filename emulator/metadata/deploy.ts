/**
 * Metadata API deploy in the local org: read the zip, merge its components over the org's, build the whole new
 * schema, validate, then apply everything in one transaction (OrgMetadata.apply) or nothing. The org behaves like
 * a production org: every deploy is all-or-nothing whatever rollbackOnError says, and checkOnly (`--dry-run`)
 * validates without applying. Apex and LWC are stored (retrievable), never compiled or run: a deploy that asks
 * for tests says so in runTestResult.codeCoverageWarnings and reports 0 tests, not invented coverage.
 */
import type { PGlite } from '@electric-sql/pglite';
import { newId } from '../core/ids';
import { packageFromComponents, type CustomMetadataRecord, type PackagePermissionSet } from '../core/metadata-loader';
import { SchemaError, buildOrgSchema, buildSchema, type LoadedSchema } from '../core/schema';
import { componentKey, problemFrom, readDeployZip, type DeployProblem, type OrgComponent } from './components';
import { OrgMetadata, type StoredComponent } from './org-metadata';
import { permissionObjects } from '../core/permission-objects';
import { standardObjects } from '../core/standard-objects';
import { FOLDER_TYPES, isKnownType } from './registry';
import { checkCustomMetadata, checkPermissionSet, checkReferencedObject } from './validate';

export type DeployStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed' | 'Canceling' | 'Canceled';

export interface DeployOptions {
  checkOnly: boolean;
  rollbackOnError: boolean;
  ignoreWarnings: boolean;
  testLevel: string | null;
  runTests: string[];
}

/** A DeployMessage as the Metadata API returns it (componentSuccesses / componentFailures). */
export interface DeployMessage {
  changed: boolean;
  columnNumber?: number;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  id?: string;
  lineNumber?: number;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  success: boolean;
}

export interface DeployJob {
  id: string;
  options: DeployOptions;
  status: DeployStatus;
  createdBy: string;
  createdByName: string;
  createdDate: string;
  startDate: string | null;
  completedDate: string | null;
  lastModifiedDate: string;
  successes: DeployMessage[];
  failures: DeployMessage[];
  numberComponentsTotal: number;
  numberComponentsDeployed: number;
  numberComponentErrors: number;
  errorMessage: string | null;
  errorStatusCode: string | null;
  /** For deployRecentValidation: the zip of a successful checkOnly deploy. */
  zip: Buffer | null;
}

/** Test levels that ask for Apex tests to run. */
const TEST_LEVELS_THAT_RUN_TESTS = new Set(['RunSpecifiedTests', 'RunLocalTests', 'RunAllTestsInOrg', 'RunRelevantTests']);

export const APEX_NOT_RUN_MESSAGE =
  'Apex tests were not run: the local org stores Apex classes and triggers but does not compile or run them, so no tests ran and no code coverage was computed. Run this deploy with the same test level against a sandbox or scratch org to run the tests.';

export const APEX_STORED_MESSAGE = 'Stored, not compiled: the local org keeps Apex for retrieve but does not compile or run it';

export function runsTests(options: DeployOptions): boolean {
  return options.testLevel !== null ? TEST_LEVELS_THAT_RUN_TESTS.has(options.testLevel) : options.runTests.length > 0;
}

export interface DeployContext {
  db: PGlite;
  org: OrgMetadata;
  orgId: string;
  now(): Date;
}

/** Folders are listed under their content type, as `Folder/` (sf) or `Folder`: Report members name a ReportFolder. */
function manifestEntryOf(c: Pick<OrgComponent, 'type' | 'fullName'>): { type: string; names: string[] } {
  const parent = Object.entries(FOLDER_TYPES).find(([, folder]) => folder === c.type)?.[0];
  return parent ? { type: parent, names: [`${c.fullName}/`, c.fullName] } : { type: c.type, names: [c.fullName] };
}

function isNamedInManifest(manifest: Map<string, Set<string>>, c: OrgComponent): boolean {
  const entry = manifestEntryOf(c);
  const members = manifest.get(entry.type);
  if (!members) return false;
  if (members.has('*')) return true;
  const wanted = entry.names.map((n) => n.toLowerCase());
  for (const m of members) if (wanted.includes(m.toLowerCase())) return true;
  return false;
}

function sameContent(a: OrgComponent, b: OrgComponent): boolean {
  return JSON.stringify(a.body ?? null) === JSON.stringify(b.body ?? null) && JSON.stringify(a.files ?? null) === JSON.stringify(b.files ?? null);
}

function failureMessage(p: DeployProblem, createdDate: string): DeployMessage {
  return {
    changed: false,
    componentType: p.componentType,
    created: false,
    createdDate,
    deleted: false,
    fileName: p.fileName,
    fullName: p.fullName,
    problem: p.problem,
    problemType: p.problemType,
    success: false,
    ...(p.lineNumber !== undefined ? { lineNumber: p.lineNumber, columnNumber: p.columnNumber ?? 1 } : {})
  };
}

interface Validated {
  problems: DeployProblem[];
  schema: LoadedSchema | null;
  components: StoredComponent[];
  messages: DeployMessage[];
}

/** Everything short of applying: the new schema and the components to store, or the problems. */
export async function validateDeploy(ctx: DeployContext, zipData: Buffer, job: Pick<DeployJob, 'createdDate'>): Promise<Validated> {
  const stamp = ctx.now().toISOString();
  const zip = await readDeployZip(zipData);
  const problems: DeployProblem[] = [...zip.problems];

  // Duplicate API names inside the deploy (API names are case-insensitive).
  const seen = new Map<string, OrgComponent>();
  const deployed: OrgComponent[] = [];
  for (const c of zip.components) {
    const key = componentKey(c.type, c.fullName);
    const first = seen.get(key);
    if (first) {
      problems.push({
        componentType: c.type,
        fullName: c.fullName,
        fileName: c.fileName,
        problem: `Duplicate name '${c.fullName}' specified: ${first.fileName} already defines a ${c.type} with this API name (API names are case-insensitive)`,
        problemType: 'Error'
      });
      continue;
    }
    seen.set(key, c);
    deployed.push(c);
  }

  // Every package.xml member must be in the zip, as Salesforce requires.
  for (const [type, members] of zip.manifest) {
    // Files of types the org does not know have already failed, one message per file.
    if (!isKnownType(type)) continue;
    for (const member of members) {
      if (member === '*') continue;
      const folderType = member.endsWith('/') ? FOLDER_TYPES[type] : undefined;
      const key = folderType ? componentKey(folderType, member.slice(0, -1)) : componentKey(type, member);
      if (!seen.has(key) && !(FOLDER_TYPES[type] && seen.has(componentKey(FOLDER_TYPES[type], member)))) {
        problems.push({
          componentType: type,
          fullName: member,
          fileName: 'package.xml',
          problem: `An object '${member}' of type ${type} was named in package.xml, but was not found in zipped directory`,
          problemType: 'Error'
        });
      }
    }
  }

  // The org after the deploy: stored components with the deployed ones on top.
  const merged = new Map(ctx.org.all().map((c) => [componentKey(c.type, c.fullName), c as OrgComponent]));
  for (const c of deployed) merged.set(componentKey(c.type, c.fullName), c);
  const fileOf = (type: string, fullName: string) => merged.get(componentKey(type, fullName))?.fileName ?? '';

  const { pkg, problems: loadProblems } = packageFromComponents(OrgMetadata.rawOf([...merged.values()]));
  for (const p of loadProblems) {
    const ref = p.component;
    problems.push(
      problemFrom(p, { componentType: ref?.type ?? '', fullName: ref?.fullName ?? '', fileName: ref ? fileOf(ref.type, ref.fullName) : '' })
    );
  }

  // Lookups to objects that will not exist: reported here for each field (the schema build stops at the first).
  const known = new Set([...standardObjects(), ...permissionObjects()].map((o) => o.name.toLowerCase()));
  for (const o of pkg.objects) if (o.definition) known.add(o.name.toLowerCase());
  for (const o of pkg.objects) {
    o.fields = o.fields.filter((f) => {
      const missing = f.type === 'reference' ? f.referenceTo.find((t) => !known.has(t.toLowerCase())) : undefined;
      if (!missing) return true;
      problems.push({
        componentType: 'CustomField',
        fullName: `${o.name}.${f.name}`,
        fileName: fileOf('CustomField', `${o.name}.${f.name}`),
        problem: `Field ${f.name} on ${o.name}: referenceTo value of '${missing}' does not resolve to a valid sObject type`,
        problemType: 'Error'
      });
      return false;
    });
  }

  let schema: LoadedSchema | null = null;
  if (loadProblems.length === 0) {
    try {
      // Records are checked below against the schema, each with its own message.
      const objectsOnly = buildOrgSchema({ ...pkg, customMetadataRecords: [] }, { keyPrefixes: ctx.org.keyPrefixes() });
      schema = buildSchema(objectsOnly.all(), pkg.customMetadataRecords, pkg.permissionSets);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      const ref = error.component;
      problems.push({
        componentType: ref?.type ?? '',
        fullName: ref?.fullName ?? '',
        fileName: ref ? fileOf(ref.type, ref.fullName) : '',
        problem: error.message.replace(/; refusing to start$/, ''),
        problemType: 'Error'
      });
    }
  }

  if (schema) {
    const recordsByName = new Map<string, CustomMetadataRecord>(
      pkg.customMetadataRecords.map((r) => [`${r.type.replace(/__mdt$/, '')}.${r.developerName}`.toLowerCase(), r])
    );
    const setsByName = new Map<string, PackagePermissionSet>(pkg.permissionSets.map((s) => [s.name.toLowerCase(), s]));
    for (const c of deployed) {
      if (c.type === 'CustomMetadata') {
        const record = recordsByName.get(c.fullName.toLowerCase());
        if (record) problems.push(...checkCustomMetadata(c, record, schema));
      } else if (c.type === 'PermissionSet') {
        const set = setsByName.get(c.fullName.toLowerCase());
        if (set) problems.push(...checkPermissionSet(c, set, schema));
      } else {
        problems.push(...checkReferencedObject(c, schema));
      }
    }
  }

  const components: StoredComponent[] = [];
  const messages: DeployMessage[] = [];
  for (const c of deployed) {
    const before = ctx.org.get(c.type, c.fullName);
    const created = !before;
    const changed = !created && !sameContent(before, c);
    const { text: _text, ...rest } = c;
    components.push({
      ...rest,
      id: before?.id ?? newId('000'),
      createdDate: before?.createdDate ?? stamp,
      lastModifiedDate: changed || created ? stamp : (before?.lastModifiedDate ?? stamp),
      origin: 'deploy'
    });
    if (!isNamedInManifest(zip.manifest, c)) continue;
    const apex = c.type === 'ApexClass' || c.type === 'ApexTrigger';
    messages.push({
      changed,
      componentType: c.type,
      created,
      createdDate: job.createdDate,
      deleted: false,
      fileName: c.fileName,
      fullName: c.fullName,
      success: true,
      ...(apex ? { problem: APEX_STORED_MESSAGE, problemType: 'Warning' as const } : {})
    });
  }
  messages.push({
    changed: true,
    componentType: '',
    created: false,
    createdDate: job.createdDate,
    deleted: false,
    fileName: 'package.xml',
    fullName: 'package.xml',
    success: true
  });
  return { problems, schema, components, messages };
}

/** Runs a deploy job to completion (the SOAP/REST layer polls the job). */
export async function runDeploy(ctx: DeployContext, job: DeployJob, zipData: Buffer): Promise<void> {
  job.status = 'InProgress';
  job.startDate = ctx.now().toISOString();
  try {
    const result = await validateDeploy(ctx, zipData, job);
    if (result.problems.length > 0 || !result.schema) {
      job.failures = result.problems.map((p) => failureMessage(p, job.createdDate));
      job.numberComponentErrors = job.failures.length;
      job.numberComponentsTotal = result.messages.length - 1 + job.failures.length;
      job.numberComponentsDeployed = 0;
      job.status = 'Failed';
      return;
    }
    if (!job.options.checkOnly) {
      await ctx.org.apply(ctx.db, result.schema, result.components, { orgId: ctx.orgId, now: ctx.now() });
    } else {
      job.zip = zipData;
    }
    job.successes = result.messages;
    job.numberComponentsTotal = result.messages.length - 1;
    job.numberComponentsDeployed = job.numberComponentsTotal;
    job.status = 'Succeeded';
  } catch (error) {
    job.status = 'Failed';
    job.errorStatusCode = 'UNKNOWN_EXCEPTION';
    job.errorMessage = `The local org could not apply the deploy (nothing was applied): ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    job.completedDate = ctx.now().toISOString();
    job.lastModifiedDate = job.completedDate;
  }
}

/** Deploy jobs of this org run one at a time, in the order they were requested. */
export class DeployQueue {
  private readonly jobs = new Map<string, DeployJob>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: DeployContext) {}

  start(zipData: Buffer, options: DeployOptions, user: { id: string; name: string }): DeployJob {
    const stamp = this.ctx.now().toISOString();
    const job: DeployJob = {
      id: newId('0Af'),
      options,
      status: 'Pending',
      createdBy: user.id,
      createdByName: user.name,
      createdDate: stamp,
      startDate: null,
      completedDate: null,
      lastModifiedDate: stamp,
      successes: [],
      failures: [],
      numberComponentsTotal: 0,
      numberComponentsDeployed: 0,
      numberComponentErrors: 0,
      errorMessage: null,
      errorStatusCode: null,
      zip: null
    };
    this.jobs.set(job.id, job);
    this.tail = this.tail.then(() => (job.status === 'Canceled' ? undefined : runDeploy(this.ctx, job, zipData)));
    return job;
  }

  get(id: string): DeployJob | undefined {
    return this.jobs.get(id) ?? this.jobs.get(id.slice(0, 15)) ?? [...this.jobs.values()].find((j) => j.id.startsWith(id.slice(0, 15)));
  }

  /** Cancels a job that has not started; a running or finished deploy is not interrupted (it takes well under a second). */
  cancel(job: DeployJob): void {
    if (job.status === 'Pending') {
      job.status = 'Canceled';
      job.completedDate = this.ctx.now().toISOString();
    }
  }

  /** Waits for every queued deploy (tests). */
  idle(): Promise<void> {
    return this.tail;
  }
}
