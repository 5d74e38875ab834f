/**
 * One mapping definition for both previews: `npx leadflow convert --dry-run` reads the admin's
 * Lead_Field_Mapping__mdt records from the org (the ones the rep's Convert preview reads), so a required custom
 * Contact field mapped only there is not reported as unmapped, and a record the validation rule would refuse is
 * named by its DeveloperName. The package deployed to the local org carries the records as customMetadata files,
 * the way an admin deploys them.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { cliEnv, runLeadflow, writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;

const requiredText = (name: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${name.replace('__c', '')}</label>
    <length>40</length>
    <required>true</required>
    <type>Text</type>
</CustomField>
`;

const mappingRecord = (
  label: string,
  target: string,
  leadField: string
) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>${label}</label>
    <protected>false</protected>
    <values>
        <field>Lead_Field__c</field>
        <value xsi:type="xsd:string">${leadField}</value>
    </values>
    <values>
        <field>Target_Field__c</field>
        <value xsi:type="xsd:string">${target}</value>
    </values>
</CustomMetadata>
`;

interface Reason {
  code: string;
  field: string;
  message: string;
}
interface DryRunJson {
  ok: boolean;
  summary: {
    plan: {
      warnings: string[];
      reasons: Reason[];
      leads: { leadId: string; reasons: Reason[]; skipReason: string | null }[];
    };
  };
  error?: { code: string; message: string };
}

describe('leadflow convert --dry-run with Lead_Field_Mapping__mdt', () => {
  let org: TestOrg;
  let conn: Connection;
  let packageDir: string;
  let workDir: string;
  const ids: Record<string, string> = {};
  const qualified = {
    Status: 'Open - Not Contacted',
    Qualification_Status__c: 'Qualified',
    Lead_Grade__c: 'Hot'
  };

  const dryRun = async (conversion: Record<string, unknown>, json: boolean) => {
    const configPath = writeLocalConfig(workDir, org.url, { conversion });
    return runLeadflow(['--config', configPath, ...(json ? ['--json'] : []), 'convert', '--dry-run'], {
      cwd: workDir,
      env: cliEnv()
    });
  };

  beforeAll(async () => {
    packageDir = mkdtempSync(path.join(tmpdir(), 'leadflow-mapping-pkg-'));
    workDir = mkdtempSync(path.join(tmpdir(), 'leadflow-mapping-run-'));
    cpSync(path.resolve(__dirname, '../../force-app/main/default'), packageDir, { recursive: true });
    mkdirSync(path.join(packageDir, 'objects/Contact/fields'), { recursive: true });
    writeFileSync(
      path.join(packageDir, 'objects/Contact/fields/Region__c.field-meta.xml'),
      requiredText('Region__c')
    );
    // Salesforce checks the validation rule when a record is deployed, so an invalid record exists only where the
    // rule was switched off (or the record predates it): this org's admin switched it off.
    const rule = path.join(
      packageDir,
      'objects/Lead_Field_Mapping__mdt/validationRules/Target_Field_Is_Object_Dot_Field.validationRule-meta.xml'
    );
    writeFileSync(
      rule,
      readFileSync(rule, 'utf8').replace('<active>true</active>', '<active>false</active>')
    );
    const cmdt = path.join(packageDir, 'customMetadata');
    // Region__c is mapped only here, not in conversion.fieldMapping.
    writeFileSync(
      path.join(cmdt, 'Lead_Field_Mapping.Contact_Region.md-meta.xml'),
      mappingRecord('Contact Region', 'Contact.Region__c', 'Economic_Buyer__c')
    );
    // Not one of the three objects a conversion creates: the rule would refuse it, the preview leaves it out.
    writeFileSync(
      path.join(cmdt, 'Lead_Field_Mapping.Lead_Title.md-meta.xml'),
      mappingRecord('Lead Title', 'Lead.Title', 'Title')
    );
    org = await startTestOrg({ seed: 'none', forceAppDir: packageDir });
    conn = org.connection();
    for (const [name, lead] of Object.entries({
      filled: { ...qualified, LastName: 'Filled', Company: 'Filled Co', Economic_Buyer__c: 'CFO' },
      empty: { ...qualified, LastName: 'Empty', Company: 'Empty Co' }
    })) {
      const res = (await conn.sobject('Lead').create(lead)) as {
        id: string;
        success: boolean;
        errors: unknown[];
      };
      if (!res.success) throw new Error(`lead ${name}: ${JSON.stringify(res.errors)}`);
      ids[name] = res.id;
    }
  });

  afterAll(async () => {
    await org?.close();
    rmSync(packageDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  it('should not report a required Contact field mapped only by a Lead_Field_Mapping__mdt record as unmapped', async () => {
    const run = await dryRun({}, true);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as DryRunJson;
    const lead = (name: string) => out.summary.plan.leads.find((l) => l.leadId === ids[name])!;
    const all = out.summary.plan.leads.flatMap((l) => l.reasons);
    expect(all.filter((r) => r.code === 'REQUIRED_FIELD_UNMAPPED')).toEqual([]);
    expect(lead('filled').reasons).toEqual([]);
    expect(lead('filled').skipReason).toBeNull();
    // The record's lead field is the one checked: a lead that leaves it empty is named with it.
    expect(lead('empty').reasons).toEqual([
      expect.objectContaining({
        code: 'REQUIRED_FIELD_EMPTY',
        field: 'Contact.Region__c',
        message:
          'Contact.Region__c is required and Lead.Economic_Buyer__c, which fills it, is empty on this lead.'
      })
    ]);
  });

  it('should report the invalid record by its DeveloperName and not let it stop the run', async () => {
    const human = await dryRun({}, false);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'WARNING - Lead_Field_Mapping__mdt.Lead_Title is left out of the preview: Target_Field__c "Lead.Title" must be Account.Field, Contact.Field or Opportunity.Field.'
    );
    const out = JSON.parse((await dryRun({}, true)).stdout) as DryRunJson;
    expect(out.summary.plan.warnings).toEqual([
      expect.stringContaining('Lead_Field_Mapping__mdt.Lead_Title')
    ]);
  });

  it('should refuse a config mapping that contradicts the org record, naming both', async () => {
    const run = await dryRun({ fieldMapping: { 'Contact.Region__c': 'Title' } }, true);
    expect(run.code).not.toBe(0);
    const out = JSON.parse(run.stdout) as DryRunJson;
    expect(out.ok).toBe(false);
    expect(out.error!.message).toContain(
      'conversion.fieldMapping["Contact.Region__c"]: maps Contact.Region__c from Lead.Title but Lead_Field_Mapping__mdt.Contact_Region maps it from Lead.Economic_Buyer__c'
    );
  });
});
