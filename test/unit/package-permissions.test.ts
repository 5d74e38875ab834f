/**
 * Leadflow_Sales_Rep must give exactly the field access lead conversion needs (issue 16): LeadConvertService
 * converts in user mode, which enforces field-level security on every field conversion writes, so a rep whose
 * profile lacks them could not convert. "Exactly": no edit access on Account/Contact/Opportunity beyond that.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const PERMISSION_SETS = path.resolve(__dirname, '../../force-app/main/default/permissionsets');

interface FieldPermission {
  field: string;
  editable: string;
  readable: string;
}

function permissionSet(name: string): Record<string, unknown> {
  const xml = readFileSync(path.join(PERMISSION_SETS, `${name}.permissionset-meta.xml`), 'utf8');
  return new XMLParser({ parseTagValue: false }).parse(xml).PermissionSet as Record<string, unknown>;
}
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Salesforce's standard lead field mapping (Lead field -> fields conversion copies it into), for the Lead
 * fields a rep can read through Leadflow_Sales_Rep. Name, Company and the required fields (LastName,
 * Account.Name, Opportunity.Name/StageName/CloseDate) carry no field-level security.
 */
const STANDARD_LEAD_MAPPING: Record<string, string[]> = {
  'Lead.AnnualRevenue': ['Account.AnnualRevenue'],
  'Lead.Email': ['Contact.Email'],
  'Lead.Industry': ['Account.Industry'],
  'Lead.LeadSource': ['Contact.LeadSource', 'Opportunity.LeadSource'],
  'Lead.NumberOfEmployees': ['Account.NumberOfEmployees'],
  'Lead.Phone': ['Account.Phone', 'Contact.Phone'],
  'Lead.Rating': ['Account.Rating'],
  'Lead.Title': ['Contact.Title'],
  'Lead.Website': ['Account.Website']
};
/** Lookups conversion sets, and what LeadConvertService.completeOpportunity() writes on the new opportunity. */
const CONVERSION_LOOKUPS = ['Contact.AccountId', 'Opportunity.AccountId'];
const OPPORTUNITY_COMPLETION = [
  'Opportunity.Amount',
  'Opportunity.MQL_Date__c',
  'Opportunity.SQL_Date__c',
  'Opportunity.Source_Lead_Id__c'
];

describe('Leadflow_Sales_Rep field access for lead conversion', () => {
  const fields = asArray(
    permissionSet('Leadflow_Sales_Rep').fieldPermissions as FieldPermission[] | FieldPermission
  );
  const editable = new Set(fields.filter((f) => f.editable === 'true').map((f) => f.field));
  const readable = new Set(fields.filter((f) => f.readable === 'true').map((f) => f.field));
  const needed = new Set([
    ...Object.entries(STANDARD_LEAD_MAPPING)
      .filter(([source]) => readable.has(source))
      .flatMap(([, targets]) => targets),
    ...CONVERSION_LOOKUPS,
    ...OPPORTUNITY_COMPLETION
  ]);

  it.each([...needed].sort())('should let a rep edit %s, which conversion writes', (field) => {
    expect(editable.has(field)).toBe(true);
  });

  it('should give edit access on no other Account, Contact or Opportunity field', () => {
    const extra = [...editable].filter((f) => /^(Account|Contact|Opportunity)\./.test(f) && !needed.has(f));
    expect(extra).toEqual([]);
  });

  it('should keep fields the service owns read-only for reps', () => {
    for (const field of [
      'Opportunity.Won_Date__c',
      'Account.Website_Domain__c',
      'Lead.Qualification_Status__c',
      'Lead.Total_Score__c'
    ]) {
      expect({ field, editable: editable.has(field), readable: readable.has(field) }).toEqual({
        field,
        editable: false,
        readable: true
      });
    }
  });

  it('should grant the Convert Leads user permission', () => {
    const perms = asArray(
      permissionSet('Leadflow_Sales_Rep').userPermissions as Array<{ name: string; enabled: string }>
    );
    expect(perms).toContainEqual({ enabled: 'true', name: 'ConvertLeads' });
  });
});

describe('conversion guard bypass', () => {
  const grants = (name: string) =>
    asArray(permissionSet(name).customPermissions as Array<{ name: string; enabled: string }>)
      .filter((p) => p.enabled === 'true')
      .map((p) => p.name);

  it('should be granted by Leadflow_Integration', () => {
    expect(grants('Leadflow_Integration')).toContain('Leadflow_Bypass_Conversion_Guard');
  });

  it('should be the only grant of Leadflow_Conversion_Guard_Bypass', () => {
    expect(grants('Leadflow_Conversion_Guard_Bypass')).toEqual(['Leadflow_Bypass_Conversion_Guard']);
  });

  it('should leave the integration user with exactly the conversion guard and routing bypasses', () => {
    // The service routes its own leads at ingest; the Lead trigger routing them again would count them twice.
    expect(grants('Leadflow_Integration').sort()).toEqual(['Leadflow_Bypass_Conversion_Guard', 'Leadflow_Bypass_Routing']);
  });

  it.each(['Leadflow_Sales_Rep', 'Leadflow_Admin'])('should not be granted by %s', (name) => {
    expect(grants(name)).toEqual([]);
  });

  it('should give the integration user Edit Tasks for the SLA escalation tasks it creates', () => {
    const perms = asArray(
      permissionSet('Leadflow_Integration').userPermissions as Array<{ name: string; enabled: string }>
    );
    expect(perms).toContainEqual({ enabled: 'true', name: 'EditTask' });
  });
});
