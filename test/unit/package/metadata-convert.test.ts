import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './package-files';

// The project's own `sf project convert source` in a child process: loading source-deploy-retrieve inside
// jest pulls in @salesforce/core's network stack (undici), which the pinned versions cannot load here.
const SF = path.join(REPO_ROOT, 'node_modules/.bin/sf');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('package conversion to metadata format', () => {
  let outputDir: string;
  let packageXml = '';
  const componentNames: string[] = [];
  let convertedFiles: string[] = [];

  beforeAll(() => {
    outputDir = mkdtempSync(path.join(os.tmpdir(), 'leadflow-mdapi-'));
    const mdapi = path.join(outputDir, 'mdapi');
    execFileSync(
      SF,
      ['project', 'convert', 'source', '--source-dir', 'force-app', '--output-dir', mdapi, '--json'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true' }
      }
    );
    packageXml = readFileSync(path.join(mdapi, 'package.xml'), 'utf8');
    for (const types of packageXml.matchAll(/<types>([\s\S]*?)<\/types>/g)) {
      const body = types[1] as string;
      const type = /<name>([^<]+)<\/name>/.exec(body)?.[1];
      for (const member of body.matchAll(/<members>([^<]+)<\/members>/g))
        componentNames.push(`${type}:${member[1]}`);
    }
    convertedFiles = existsSync(mdapi) ? filesUnder(mdapi) : [];
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
    'StaticResource:SalSlaVectors',
    'ApexClass:SalHandoffController',
    'ApexClass:SalSlaExpiryJob',
    'LightningComponentBundle:salHandoff',
    'LightningComponentBundle:salHandoffList',
    'LightningComponentBundle:salClock',
    'CustomLabels:CustomLabels',
    'ApexClass:QualificationEvaluator',
    'ApexClass:LeadConvertController',
    'ApexTrigger:LeadTrigger',
    'LightningComponentBundle:leadQualification',
    'LightningComponentBundle:convertLead',
    'LightningComponentBundle:stageTimeline',
    'LightningComponentBundle:ldsUtils',
    'LightningComponentBundle:errorPanel',
    'FlexiPage:Lead_Record_Page',
    'Layout:Lead-Leadflow Lead Layout',
    'CustomPermission:Leadflow_Bypass_Conversion_Guard',
    'PermissionSet:Leadflow_Conversion_Guard_Bypass',
    'PermissionSetGroup:Leadflow_Sales_Reps',
    'PermissionSetGroup:Leadflow_Sales_Managers',
    'PermissionSetGroup:Leadflow_Integration_Users',
    'ReportType:Leadflow_Funnel_Stage_Changes',
    'ReportType:Leadflow_Leads',
    'ReportType:Leadflow_Leads_with_Stage_Changes',
    'ReportType:Leadflow_Opportunities',
    'Report:Leadflow_Reports/Lead_to_SQL_Rate_by_Channel',
    'Report:Leadflow_Reports/Recycles_by_Reason',
    'Dashboard:Leadflow_Dashboards/Lead_to_Cash'
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
    expect(convertedFiles.filter((f) => f.includes('__tests__') || f.includes('__mocks__'))).toEqual([]);
  });
});
