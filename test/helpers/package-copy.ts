/**
 * Copies of the project's package for deploy tests: an sfdx project (sfdx-project.json + force-app) in a temp
 * folder, optionally broken on purpose. Each break is one mistake an admin makes and Salesforce refuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_DIR = ['force-app', 'main', 'default'];

/** The component each break makes fail: [componentType, fullName]. */
export const BROKEN_COMPONENTS: Array<[string, string]> = [
  ['CustomMetadata', 'Qualification_Criterion.Budget_Amount'],
  ['CustomMetadata', 'Scoring_Threshold.Default'],
  ['CustomMetadata', 'Qualification_Criterion.Need_Identified'],
  ['PermissionSet', 'Leadflow_Sales_Rep'],
  ['CustomField', 'Lead.Partner_Account__c'],
  ['CustomMetadata', 'Lead_Field_Mapping.Region_Without_Object']
];

export function copyProject(into?: string): string {
  const dir = into ?? fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-project-'));
  fs.cpSync(path.join(REPO_ROOT, 'force-app'), path.join(dir, 'force-app'), {
    recursive: true,
    // Jest tests and mocks are not metadata (.forceignore keeps them out of deploys too).
    filter: (src) => !/__tests__|__mocks__|jest-mocks/.test(src)
  });
  for (const file of ['sfdx-project.json', '.forceignore']) {
    const from = path.join(REPO_ROOT, file);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(dir, file));
  }
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`package-copy: ${String(from)} not found in ${file}`);
  fs.writeFileSync(file, next);
}

/** Breaks a copied project in the ways listed in BROKEN_COMPONENTS. */
export function breakProject(projectDir: string): void {
  const d = path.join(projectDir, ...DEFAULT_DIR);
  const md = (name: string) => path.join(d, 'customMetadata', `${name}.md-meta.xml`);
  // A custom metadata record setting a field its type does not have.
  edit(md('Qualification_Criterion.Budget_Amount'), '<field>Weight__c</field>', '<field>Wieght__c</field>');
  // A value of the wrong type in a Number field.
  edit(md('Scoring_Threshold.Default'), /<value xsi:type="xsd:double">70<\/value>/, '<value xsi:type="xsd:string">seventy</value>');
  // A picklist value the field does not have.
  edit(md('Qualification_Criterion.Need_Identified'), '<value xsi:type="xsd:string">BANT</value>', '<value xsi:type="xsd:string">BANTT</value>');
  // A permission set entry for a field that does not exist.
  edit(
    path.join(d, 'permissionsets', 'Leadflow_Sales_Rep.permissionset-meta.xml'),
    '<fieldPermissions>',
    '<fieldPermissions>\n        <editable>false</editable>\n        <field>Lead.No_Such_Field__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n    <fieldPermissions>'
  );
  // A field mapping record that breaks its type's validation rule (Target Field must be Object.Field).
  fs.writeFileSync(
    md('Lead_Field_Mapping.Region_Without_Object'),
    `<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>Region Without Object</label>
    <protected>false</protected>
    <values>
        <field>Lead_Field__c</field>
        <value xsi:type="xsd:string">Region__c</value>
    </values>
    <values>
        <field>Target_Field__c</field>
        <value xsi:type="xsd:string">Region__c</value>
    </values>
</CustomMetadata>
`
  );
  // A lookup to an object that does not exist.
  fs.writeFileSync(
    path.join(d, 'objects', 'Lead', 'fields', 'Partner_Account__c.field-meta.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Partner_Account__c</fullName>
    <deleteConstraint>SetNull</deleteConstraint>
    <label>Partner Account</label>
    <referenceTo>Partner_Account__c</referenceTo>
    <relationshipName>Leads</relationshipName>
    <type>Lookup</type>
</CustomField>
`
  );
}
