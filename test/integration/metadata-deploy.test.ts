/**
 * The local org's Metadata API through jsforce (the library the sf CLI deploys with), zips built by
 * source-deploy-retrieve exactly as `sf project deploy start` builds them. One empty org (no force-app at
 * start-up) takes the package by deploy; a second org loads force-app at start-up (the fast path) and both
 * must describe the same schema. Broken packages fail with Salesforce-shaped component errors and change
 * nothing; a dry run validates only; test levels are answered without invented coverage; retrieve returns
 * what was deployed.
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import type { Connection } from '@jsforce/jsforce-node';
import type { DeployResult } from '@jsforce/jsforce-node/lib/api/metadata';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { BROKEN_COMPONENTS, breakProject, copyProject } from '../helpers/package-copy';

jest.setTimeout(60_000);

async function packageZip(projectDir: string): Promise<Buffer> {
  const cs = ComponentSet.fromSource(path.join(projectDir, 'force-app'));
  cs.sourceApiVersion = '62.0';
  const { zipBuffer } = await new MetadataConverter().convert(cs, 'metadata', { type: 'zip' });
  if (!zipBuffer) throw new Error('no zip');
  return zipBuffer;
}

async function deploy(conn: Connection, zip: Buffer, options: Record<string, unknown> = {}): Promise<DeployResult> {
  conn.metadata.pollInterval = 100;
  conn.metadata.pollTimeout = 30_000;
  return conn.metadata.deploy(zip, { rollbackOnError: true, singlePackage: true, ...options }).complete(true);
}

type Describe = Awaited<ReturnType<Connection['describe']>>;

/** What a client sees of an object's schema (field order and volatile bits aside). */
function shape(d: Describe): unknown {
  return {
    name: d.name,
    label: d.label,
    custom: d.custom,
    createable: d.createable,
    fields: [...d.fields]
      .map((f) => ({ ...f, picklistValues: f.picklistValues }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    childRelationships: [...d.childRelationships].sort((a, b) =>
      `${a.childSObject}.${a.field}`.localeCompare(`${b.childSObject}.${b.field}`)
    )
  };
}

describe('Metadata API deploy into an empty local org', () => {
  let empty: TestOrg;
  let fast: TestOrg;
  let conn: Connection;
  let project: string;
  let broken: string;
  let zip: Buffer;

  beforeAll(async () => {
    [empty, fast] = await Promise.all([startTestOrg({ forceAppDir: null }), startTestOrg()]);
    conn = empty.connection();
    project = copyProject();
    broken = copyProject();
    breakProject(broken);
    zip = await packageZip(project);
  });

  afterAll(async () => {
    await Promise.all([empty?.close(), fast?.close()]);
    for (const dir of [project, broken]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should start without the package: no custom fields, no custom objects', async () => {
    const lead = await conn.describe('Lead');
    expect(lead.fields.filter((f) => f.custom)).toEqual([]);
    await expect(conn.describe('Funnel_Stage_Change__c')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });

  it('should validate without applying when checkOnly (--dry-run)', async () => {
    const result = await deploy(conn, zip, { checkOnly: true });
    expect(result).toMatchObject({ status: 'Succeeded', success: true, checkOnly: true, done: true });
    expect(result.numberComponentErrors).toBe(0);
    expect((await conn.describe('Lead')).fields.some((f) => f.name === 'Budget_Amount__c')).toBe(false);
  });

  it('should refuse a broken package with one DeployMessage per mistake and apply nothing', async () => {
    const before = shape(await conn.describe('Lead'));
    const result = await deploy(conn, await packageZip(broken));
    expect(result).toMatchObject({ status: 'Failed', success: false, done: true, numberComponentsDeployed: 0 });
    const failures = [result.details?.componentFailures ?? []].flat();
    for (const [componentType, fullName] of BROKEN_COMPONENTS) {
      expect(failures).toContainEqual(
        expect.objectContaining({ componentType, fullName, success: false, problemType: 'Error', problem: expect.any(String) })
      );
    }
    const byName = Object.fromEntries(failures.map((f) => [f.fullName, f]));
    expect(byName['Qualification_Criterion.Budget_Amount']).toMatchObject({
      fileName: 'customMetadata/Qualification_Criterion.Budget_Amount.md',
      problem: "No such column 'Wieght__c' on entity 'Qualification_Criterion__mdt'",
      lineNumber: expect.any(Number)
    });
    expect(byName['Scoring_Threshold.Default']?.problem).toMatch(/"seventy" of Hot_Min_Score__c is not a valid number/);
    expect(byName['Qualification_Criterion.Need_Identified']?.problem).toMatch(/bad value for restricted picklist field: BANTT/);
    expect(byName['Leadflow_Sales_Rep']?.problem).toBe('In field: field - no CustomField named Lead.No_Such_Field__c found');
    expect(byName['Lead.Partner_Account__c']?.problem).toMatch(/referenceTo value of 'Partner_Account__c' does not resolve/);
    expect(byName['Lead_Field_Mapping.Region_Without_Object']?.problem).toMatch(/^Target Field must be Account\.Field, Contact\.Field or Opportunity\.Field/);
    expect(failures).toHaveLength(BROKEN_COMPONENTS.length);
    // Nothing from that deploy is in the org.
    expect(shape(await conn.describe('Lead'))).toEqual(before);
    await expect(conn.query('SELECT Id FROM PermissionSet')).resolves.toMatchObject({ totalSize: 0 });
  });

  it('should answer the REST deployRequest resource the same way (sf with org-metadata-rest-deploy=true)', async () => {
    const started = (await conn.metadata.deployRest(await packageZip(broken), { rollbackOnError: true, singlePackage: true })) as unknown as {
      id: string;
    };
    expect(started.id).toMatch(/^0Af/);
    let result = await conn.metadata.checkDeployStatus(started.id, true, true);
    for (let i = 0; i < 50 && !result.done; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await conn.metadata.checkDeployStatus(started.id, true, true);
    }
    expect(result).toMatchObject({ done: true, status: 'Failed', success: false });
    const failures = [result.details?.componentFailures ?? []].flat();
    expect(failures.map((f) => [f.componentType, f.fullName]).sort()).toEqual([...BROKEN_COMPONENTS].sort());
  });

  it('should deploy the package: new fields in describe and SOQL right away, Apex stored and reported as not run', async () => {
    const result = await deploy(conn, zip, { testLevel: 'RunLocalTests' });
    expect(result).toMatchObject({ status: 'Succeeded', success: true, numberComponentErrors: 0 });
    // Honest test answer: tests were asked for, none ran, no coverage was invented.
    expect(result).toMatchObject({ runTestsEnabled: true, numberTestsTotal: 0, numberTestsCompleted: 0, numberTestErrors: 0 });
    const runTestResult = result.details?.runTestResult;
    expect(runTestResult?.numTestsRun).toBe(0);
    expect([runTestResult?.codeCoverage ?? []].flat()).toEqual([]);
    expect([runTestResult?.codeCoverageWarnings ?? []].flat()).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Apex tests were not run: the local org stores Apex/) })
    ]);
    const successes = [result.details?.componentSuccesses ?? []].flat();
    expect(successes).toContainEqual(expect.objectContaining({ componentType: 'CustomField', fullName: 'Lead.Budget_Amount__c', created: true }));
    expect(successes).toContainEqual(
      expect.objectContaining({ componentType: 'ApexClass', fullName: 'LeadConvertService', created: true, problemType: 'Warning' })
    );
    expect(successes).toContainEqual(expect.objectContaining({ componentType: 'LightningComponentBundle', fullName: 'convertLead' }));

    const lead = await conn.describe('Lead');
    expect(lead.fields.find((f) => f.name === 'Authority_Level__c')?.picklistValues?.map((p) => p.value)).toEqual([
      'Decision Maker',
      'Influencer',
      'User',
      'Unknown'
    ]);
    await conn.sobject('Lead').create({ LastName: 'Deployed', Company: 'Acme', Budget_Amount__c: 25000, Source_External_Id__c: 'deploy:1' });
    const rows = await conn.query<{ Budget_Amount__c: number }>("SELECT Budget_Amount__c FROM Lead WHERE Source_External_Id__c = 'deploy:1'");
    expect(rows.records[0]?.Budget_Amount__c).toBe(25000);
    const criteria = await conn.query<{ DeveloperName: string; Framework__c: string }>(
      "SELECT DeveloperName, Framework__c FROM Qualification_Criterion__mdt WHERE DeveloperName = 'Budget_Amount'"
    );
    expect(criteria.records).toEqual([expect.objectContaining({ DeveloperName: 'Budget_Amount', Framework__c: 'BANT' })]);
    const perms = await conn.query<{ Name: string }>('SELECT Name FROM PermissionSet ORDER BY Name');
    const deployedSets = fs
      .readdirSync(path.join(project, 'force-app', 'main', 'default', 'permissionsets'))
      .map((f) => f.replace('.permissionset-meta.xml', ''))
      .sort();
    expect(perms.records.map((r) => r.Name)).toEqual(deployedSets);
    expect(deployedSets).toEqual(expect.arrayContaining(['Leadflow_Admin', 'Leadflow_Integration', 'Leadflow_Sales_Rep']));
    const fieldPerms = await conn.query(
      "SELECT Field FROM FieldPermissions WHERE Parent.Name = 'Leadflow_Admin' AND Field = 'Lead.Budget_Amount__c' AND PermissionsEdit = true"
    );
    expect(fieldPerms.totalSize).toBe(1);
  });

  it('should describe the same schema as the org that loaded force-app at start-up', async () => {
    const fastConn = fast.connection();
    const [deployedGlobal, fastGlobal] = await Promise.all([conn.describeGlobal(), fastConn.describeGlobal()]);
    const names = deployedGlobal.sobjects.map((o) => o.name).sort();
    expect(names).toEqual(fastGlobal.sobjects.map((o) => o.name).sort());
    for (const name of names) {
      const [a, b] = await Promise.all([conn.describe(name), fastConn.describe(name)]);
      expect({ name, shape: shape(a) }).toEqual({ name, shape: shape(b) });
    }
  });

  it('should keep the data when a later deploy adds a field, and report unchanged components as unchanged', async () => {
    const leadFields = path.join(project, 'force-app', 'main', 'default', 'objects', 'Lead', 'fields');
    fs.writeFileSync(
      path.join(leadFields, 'Referral_Code__c.field-meta.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Referral_Code__c</fullName>
    <inlineHelpText>Code of the partner who referred the lead.</inlineHelpText>
    <label>Referral Code</label>
    <length>20</length>
    <type>Text</type>
</CustomField>
`
    );
    const result = await deploy(conn, await packageZip(project));
    expect(result.status).toBe('Succeeded');
    const successes = [result.details?.componentSuccesses ?? []].flat();
    expect(successes).toContainEqual(expect.objectContaining({ fullName: 'Lead.Referral_Code__c', created: true }));
    expect(successes).toContainEqual(expect.objectContaining({ fullName: 'Lead.Budget_Amount__c', created: false, changed: false }));
    const rows = await conn.query<{ Budget_Amount__c: number; Referral_Code__c: string | null }>(
      "SELECT Budget_Amount__c, Referral_Code__c FROM Lead WHERE Source_External_Id__c = 'deploy:1'"
    );
    expect(rows.records).toEqual([expect.objectContaining({ Budget_Amount__c: 25000, Referral_Code__c: null })]);
  });

  it('should retrieve what was deployed', async () => {
    conn.metadata.pollInterval = 100;
    const result = await conn.metadata
      .retrieve({
        apiVersion: '62.0',
        singlePackage: false,
        unpackaged: {
          types: [
            { name: 'ApexClass', members: ['LeadConvertService'] },
            { name: 'CustomField', members: ['Lead.Referral_Code__c'] },
            { name: 'CustomMetadata', members: ['Scoring_Threshold.Default'] },
            { name: 'ApexClass', members: ['No_Such_Class'] }
          ],
          version: '62.0'
        }
      } as unknown as Parameters<Connection['metadata']['retrieve']>[0])
      .complete();
    expect(result).toMatchObject({ done: true, success: true, status: 'Succeeded' });
    const retrieved = await JSZip.loadAsync(Buffer.from(result.zipFile, 'base64'));
    const cls = await retrieved.file('unpackaged/classes/LeadConvertService.cls')?.async('string');
    expect(cls).toBe(fs.readFileSync(path.join(project, 'force-app/main/default/classes/LeadConvertService.cls'), 'utf8'));
    const lead = await retrieved.file('unpackaged/objects/Lead.object')?.async('string');
    expect(lead).toContain('<fullName>Referral_Code__c</fullName>');
    const md = await retrieved.file('unpackaged/customMetadata/Scoring_Threshold.Default.md')?.async('string');
    expect(md).toContain('<value xsi:type="xsd:double">70</value>');
    expect(retrieved.file('unpackaged/package.xml')).not.toBeNull();
  });

  it('should list and describe metadata', async () => {
    const classes = await conn.metadata.list([{ type: 'ApexClass' }]);
    expect([classes].flat().map((c) => c.fullName)).toContain('LeadConvertService');
    const described = await conn.metadata.describe('62.0');
    expect(described.metadataObjects).toContainEqual(expect.objectContaining({ xmlName: 'CustomObject', directoryName: 'objects' }));
  });

  it('should keep deployed metadata in the data dir: a restart rebuilds the same schema and keeps the rows', async () => {
    const dataDir = fs.mkdtempSync(path.join(project, '..', 'leadflow-md-data-'));
    try {
      const first = await startTestOrg({ forceAppDir: null, dataDir });
      const firstConn = first.connection();
      expect((await deploy(firstConn, zip)).status).toBe('Succeeded');
      await firstConn.sobject('Lead').create({ LastName: 'Kept', Company: 'Kept Co', Budget_Amount__c: 5 });
      const before = shape(await firstConn.describe('Lead'));
      await first.close();
      const second = await startTestOrg({ forceAppDir: null, dataDir });
      try {
        const conn2 = second.connection();
        expect(shape(await conn2.describe('Lead'))).toEqual(before);
        const kept = await conn2.query<{ Budget_Amount__c: number }>("SELECT Budget_Amount__c FROM Lead WHERE LastName = 'Kept'");
        expect(kept.records[0]?.Budget_Amount__c).toBe(5);
        expect((await conn2.query('SELECT Id FROM Scoring_Threshold__mdt')).totalSize).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
