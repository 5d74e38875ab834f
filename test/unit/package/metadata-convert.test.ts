import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './package-files';

// @salesforce/source-deploy-retrieve loads @salesforce/core, whose jsforce build creates an undici Agent at
// import time; the pinned undici 8 needs Node 22 APIs. Converting source to metadata format is offline and
// never makes an HTTP request, so a stand-in that only satisfies the import is enough here.
jest.mock('undici', () => ({
  Agent: class OfflineAgent {},
  ProxyAgent: class OfflineProxyAgent {}
}));

type Sdr = typeof import('@salesforce/source-deploy-retrieve');

describe('package conversion to metadata format', () => {
  let sdr: Sdr;
  let outputDir: string;
  let packageXml = '';
  let componentNames: string[] = [];

  beforeAll(async () => {
    sdr = await import('@salesforce/source-deploy-retrieve');
    outputDir = mkdtempSync(path.join(os.tmpdir(), 'leadflow-mdapi-'));
    const components = sdr.ComponentSet.fromSource(path.join(REPO_ROOT, 'force-app'));
    componentNames = components
      .getSourceComponents()
      .toArray()
      .map((c) => `${c.type.name}:${c.fullName}`);
    const result = await new sdr.MetadataConverter().convert(components, 'metadata', {
      type: 'directory',
      outputDirectory: outputDir
    });
    packageXml = readFileSync(path.join(result.packagePath ?? outputDir, 'package.xml'), 'utf8');
  }, 60_000);

  afterAll(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });

  it.each([
    'CustomObject:Funnel_Stage_Change__c',
    'CustomObject:Qualification_Criterion__mdt',
    'CustomObject:Scoring_Threshold__mdt',
    'CustomObject:Lead',
    'CustomMetadata:Qualification_Criterion.Budget_Confirmed',
    'CustomMetadata:Scoring_Threshold.Default',
    'PermissionSet:Leadflow_Sales_Rep',
    'PermissionSet:Leadflow_Admin',
    'PermissionSet:Leadflow_Integration',
    'QuickAction:Lead.Convert_Qualified_Lead',
    'StaticResource:QualificationVectors',
    'CustomLabels:CustomLabels',
    'ApexClass:QualificationEvaluator',
    'ApexClass:LeadConvertController',
    'ApexTrigger:LeadTrigger',
    'LightningComponentBundle:leadQualification',
    'LightningComponentBundle:convertLead',
    'LightningComponentBundle:stageTimeline',
    'LightningComponentBundle:ldsUtils',
    'LightningComponentBundle:errorPanel',
    'FlexiPage:Lead_Record_Page'
  ])('should include %s when the source is read', (expected) => {
    expect(componentNames).toContain(expected);
  });

  it.each([
    ['CustomField', 'Lead.Budget_Confirmed__c'],
    ['CustomField', 'Lead.Funnel_Stage__c'],
    ['CustomField', 'Lead.Status'],
    ['CustomField', 'Account.Website_Domain__c'],
    ['CustomField', 'Opportunity.Source_Lead_Id__c'],
    ['CustomField', 'Funnel_Stage_Change__c.External_Id__c'],
    ['ValidationRule', 'Lead.Require_Qualification_To_Convert']
  ])('should list %s %s in package.xml when converted', (type, member) => {
    expect(packageXml).toMatch(
      new RegExp(`<members>${member.replace('.', '\\.')}</members>[\\s\\S]*?<name>${type}</name>`)
    );
  });

  it('should produce an API 62.0 package', () => {
    expect(packageXml).toContain('<version>62.0</version>');
  });

  it('should leave jest tests and mocks out of the deploy', () => {
    expect(componentNames.some((n) => n.includes('__tests__'))).toBe(false);
  });
});
