/**
 * Deploy validation and apply on an in-memory org, with hand-made metadata-format zips: the failures the
 * sf-driven integration tests do not produce (duplicate API names, unsupported directories, deletions, formulas
 * the org cannot evaluate), all-or-nothing, and retrieve of components loaded from force-app at start-up.
 */
import JSZip from 'jszip';
import { openDatabase } from '../core/database';
import { DEFAULT_ORG_ID } from '../core/reference-data';
import type { PGlite } from '@electric-sql/pglite';
import { openOrgMetadata, type OrgMetadataService } from './index';
import { runDeploy, type DeployJob, type DeployOptions } from './deploy';
import { buildRetrieveZip } from './retrieve';

jest.setTimeout(60_000);

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const now = () => new Date('2026-01-01T00:00:00Z');
const OPTIONS: DeployOptions = { checkOnly: false, rollbackOnError: true, ignoreWarnings: false, testLevel: null, runTests: [] };

function field(name: string, extra = '<type>Text</type><length>20</length>'): string {
  return `<fields><fullName>${name}</fullName><label>${name}</label>${extra}</fields>`;
}

async function zipOf(files: Record<string, string>, types: Record<string, string[]>): Promise<Buffer> {
  const zip = new JSZip();
  const manifest = Object.entries(types)
    .map(([name, members]) => `<types>${members.map((m) => `<members>${m}</members>`).join('')}<name>${name}</name></types>`)
    .join('');
  zip.file('package.xml', `<?xml version="1.0" encoding="UTF-8"?><Package ${NS}>${manifest}<version>62.0</version></Package>`);
  for (const [path, text] of Object.entries(files)) zip.file(path, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

function newJob(): DeployJob {
  const stamp = now().toISOString();
  return {
    id: '0Af000000000001AAA',
    options: OPTIONS,
    status: 'Pending',
    createdBy: 'u',
    createdByName: 'u',
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
}

describe('deploy validation on an empty org', () => {
  let db: PGlite;
  let service: OrgMetadataService;

  beforeAll(async () => {
    db = await openDatabase();
    service = await openOrgMetadata(db, { forceAppDir: null, orgId: DEFAULT_ORG_ID, now });
  });
  afterAll(async () => {
    await db.close();
  });

  async function deploy(zip: Buffer): Promise<DeployJob> {
    const job = newJob();
    await runDeploy({ db, org: service.org, orgId: DEFAULT_ORG_ID, now }, job, zip);
    return job;
  }

  it('should refuse two fields whose API names differ only in case, and apply neither', async () => {
    const job = await deploy(
      await zipOf(
        { 'objects/Lead.object': `<CustomObject ${NS}>${field('Budget__c')}${field('budget__c')}</CustomObject>` },
        { CustomField: ['Lead.Budget__c'] }
      )
    );
    expect(job.status).toBe('Failed');
    expect(job.failures).toEqual([
      expect.objectContaining({
        componentType: 'CustomField',
        fullName: 'Lead.budget__c',
        fileName: 'objects/Lead.object',
        problem: expect.stringMatching(/^Duplicate name 'Lead\.budget__c' specified/)
      })
    ]);
    expect(service.org.schema.get('Lead')?.fieldMap.has('budget__c')).toBe(false);
  });

  it('should name the directory of metadata the org does not support, and refuse deletions', async () => {
    const job = await deploy(
      await zipOf({ 'workflows/Lead.workflow': `<Workflow ${NS}/>`, 'destructiveChanges.xml': `<Package ${NS}/>` }, {})
    );
    expect(job.failures.map((f) => f.problem)).toEqual([
      expect.stringContaining('deleting components is not supported by the local org'),
      expect.stringContaining('The local org does not support the metadata in workflows/')
    ]);
  });

  it('should put a formula the org cannot evaluate on its field', async () => {
    const job = await deploy(
      await zipOf(
        { 'objects/Lead.object': `<CustomObject ${NS}>${field('Broken__c', '<type>Number</type><formula>NOPE(1)</formula>')}</CustomObject>` },
        { CustomField: ['Lead.Broken__c'] }
      )
    );
    expect(job.failures).toEqual([
      expect.objectContaining({ componentType: 'CustomField', fullName: 'Lead.Broken__c', problem: expect.stringContaining('Unknown function NOPE') })
    ]);
  });

  it("should refuse a custom metadata record that breaks its type's active validation rule, and apply nothing", async () => {
    const type = `<CustomObject ${NS}><label>Mapping</label><pluralLabel>Mappings</pluralLabel><visibility>Public</visibility>${field('Target__c', '<type>Text</type><length>80</length>')}<validationRules><fullName>Target_Is_Dotted</fullName><active>true</active><errorConditionFormula>NOT(CONTAINS(Target__c, "."))</errorConditionFormula><errorDisplayField>Target__c</errorDisplayField><errorMessage>Target must be Object.Field</errorMessage></validationRules></CustomObject>`;
    const record = (target: string) =>
      `<CustomMetadata ${NS} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><label>m</label><protected>false</protected><values><field>Target__c</field><value xsi:type="xsd:string">${target}</value></values></CustomMetadata>`;
    const job = await deploy(
      await zipOf(
        { 'objects/Mapping__mdt.object': type, 'customMetadata/Mapping.Good.md': record('Contact.Region__c'), 'customMetadata/Mapping.Bad.md': record('Region') },
        { CustomObject: ['Mapping__mdt'], CustomField: ['Mapping__mdt.Target__c'], ValidationRule: ['Mapping__mdt.Target_Is_Dotted'], CustomMetadata: ['Mapping.Good', 'Mapping.Bad'] }
      )
    );
    expect(job.status).toBe('Failed');
    expect(job.failures).toEqual([
      expect.objectContaining({ componentType: 'CustomMetadata', fullName: 'Mapping.Bad', problem: 'Target must be Object.Field' })
    ]);
    // All or nothing: neither the type nor the good record exists.
    expect(service.org.schema.get('Mapping__mdt')).toBeUndefined();
  });

  it('should apply a good deploy and report a redeploy of the same component as unchanged', async () => {
    const zip = await zipOf(
      {
        'objects/Gadget__c.object': `<CustomObject ${NS}><label>Gadget</label><pluralLabel>Gadgets</pluralLabel><nameField><label>Gadget Name</label><type>Text</type></nameField>${field('Size__c')}</CustomObject>`,
        'classes/Hello.cls': 'public class Hello {}',
        'classes/Hello.cls-meta.xml': `<ApexClass ${NS}><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>`
      },
      { CustomObject: ['Gadget__c'], CustomField: ['Gadget__c.Size__c'], ApexClass: ['Hello'] }
    );
    const first = await deploy(zip);
    expect(first.status).toBe('Succeeded');
    expect(first.successes).toContainEqual(expect.objectContaining({ fullName: 'Gadget__c.Size__c', created: true }));
    expect(service.org.schema.get('Gadget__c')?.fieldMap.get('size__c')?.length).toBe(20);
    const rows = await db.query<{ name: string; status: string }>('SELECT "name", "status" FROM "sobj_apexclass"');
    expect(rows.rows).toEqual([{ name: 'Hello', status: 'Active' }]);
    const again = await deploy(zip);
    expect(again.successes).toContainEqual(expect.objectContaining({ fullName: 'Gadget__c.Size__c', created: false, changed: false }));
  });
});

describe('retrieve from an org that loaded force-app at start-up', () => {
  it('should return the start-up components in metadata format', async () => {
    const db = await openDatabase();
    try {
      const service = await openOrgMetadata(db, { orgId: DEFAULT_ORG_ID, now });
      const out = await buildRetrieveZip(
        service.org.all(),
        new Map([
          ['CustomField', new Set(['Lead.Budget_Amount__c'])],
          ['ApexTrigger', new Set(['LeadTrigger'])],
          ['PermissionSet', new Set(['Leadflow_Admin'])]
        ]),
        { apiVersion: '62.0', userId: 'u', userName: 'u' }
      );
      expect(out.messages).toEqual([]);
      const zip = await JSZip.loadAsync(Buffer.from(out.zipFile, 'base64'));
      expect(await zip.file('unpackaged/objects/Lead.object')?.async('string')).toContain('<fullName>Budget_Amount__c</fullName>');
      expect(await zip.file('unpackaged/triggers/LeadTrigger.trigger')?.async('string')).toMatch(/trigger LeadTrigger on Lead/);
      expect(zip.file('unpackaged/permissionsets/Leadflow_Admin.permissionset')).not.toBeNull();
    } finally {
      await db.close();
    }
  });
});
