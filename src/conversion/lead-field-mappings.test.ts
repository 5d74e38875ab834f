/**
 * The service reads the admin's Lead_Field_Mapping__mdt records (one query), merges conversion.fieldMapping on
 * top, and the preview's reasons follow the merged mapping. Fake org: describes + the custom metadata rows.
 */
import { ConfigError } from '../shared/errors';
import { SalesforceError, type FieldDescribe, type OrgClient } from '../salesforce/types';
import { parseConversionConfig } from './config';
import { LEAD_FIELD_MAPPING_SOQL } from './lead-field-mappings';
import { leadReasons, loadPreviewContext, orgReasons } from './preview';

const text = (name: string, opts: Partial<FieldDescribe> = {}): FieldDescribe => ({
  name,
  type: 'string',
  label: name,
  custom: name.endsWith('__c'),
  createable: true,
  updateable: true,
  externalId: false,
  referenceTo: [],
  picklistValues: [],
  length: 40,
  nillable: true,
  defaultedOnCreate: false,
  ...opts
});

const DESCRIBES: Record<string, FieldDescribe[]> = {
  Lead: [
    text('LastName', { nillable: false }),
    text('Company', { nillable: false }),
    text('Title'),
    text('Economic_Buyer__c')
  ],
  Account: [text('Name', { nillable: false })],
  // The required custom field only a Lead_Field_Mapping__mdt record fills.
  Contact: [text('LastName', { nillable: false }), text('Region__c', { nillable: false })],
  Opportunity: [text('Name', { nillable: false })]
};

function fakeOrg(mappingRows: Record<string, unknown>[] | Error) {
  const queries: string[] = [];
  const org = {
    rest: {
      query: async (soql: string) => {
        queries.push(soql);
        if (!soql.includes('FROM Lead_Field_Mapping__mdt')) throw new Error(`unexpected query ${soql}`);
        if (mappingRows instanceof Error) throw mappingRows;
        return mappingRows;
      }
    },
    describe: { sobject: async (type: string) => ({ name: type, fields: DESCRIBES[type]! }) }
  } as unknown as OrgClient;
  return { org, queries };
}

const record = (DeveloperName: string, Target_Field__c: unknown, Lead_Field__c: unknown) => ({
  DeveloperName,
  Target_Field__c,
  Lead_Field__c
});
const TARGETS = ['Account', 'Contact', 'Opportunity'] as const;

describe('Lead_Field_Mapping__mdt in the service preview', () => {
  it('should count a required Contact field mapped only by a Lead_Field_Mapping__mdt record as mapped, in one query', async () => {
    const { org, queries } = fakeOrg([record('Region', 'Contact.Region__c', 'Economic_Buyer__c')]);
    const ctx = await loadPreviewContext(org, parseConversionConfig({}));
    expect(queries).toEqual([LEAD_FIELD_MAPPING_SOQL]);
    expect(orgReasons(ctx, TARGETS).map((r) => r.field)).not.toContain('Contact.Region__c');
    // The lead field the record names is the one the per-lead checks read.
    expect(
      leadReasons(ctx, { LastName: 'Quinn', Company: 'Initech', Economic_Buyer__c: null }, TARGETS)
    ).toEqual([
      expect.objectContaining({
        code: 'REQUIRED_FIELD_EMPTY',
        field: 'Contact.Region__c',
        message: expect.stringContaining('Lead.Economic_Buyer__c')
      })
    ]);
    expect(leadReasons(ctx, { Economic_Buyer__c: 'x'.repeat(41) }, TARGETS)).toEqual([
      expect.objectContaining({ code: 'VALUE_TOO_LONG', field: 'Contact.Region__c' })
    ]);
    // Without the record the field is reported as unmapped (the reason the admin declared it).
    const without = await loadPreviewContext(fakeOrg([]).org, parseConversionConfig({}));
    expect(orgReasons(without, TARGETS).map((r) => r.code + ' ' + r.field)).toContain(
      'REQUIRED_FIELD_UNMAPPED Contact.Region__c'
    );
  });

  it('should leave out a record the validation rule would refuse, naming it by DeveloperName, and keep the others', async () => {
    const { org } = fakeOrg([
      record('Bad_Object', 'Lead.Region__c', 'Title'),
      record('No_Lead_Field', 'Contact.Region__c', null),
      record('Region', ' Contact.Region__c ', ' Title ')
    ]);
    const ctx = await loadPreviewContext(org, parseConversionConfig({}));
    expect(ctx.warnings).toEqual([
      'Lead_Field_Mapping__mdt.Bad_Object is left out of the preview: Target_Field__c "Lead.Region__c" must be Account.Field, Contact.Field or Opportunity.Field.',
      'Lead_Field_Mapping__mdt.No_Lead_Field is left out of the preview: Lead_Field__c null must be a Lead field API name.'
    ]);
    // The trimmed valid record maps Contact.Region__c from Title.
    expect(ctx.mapping.pairs).toContainEqual({ target: 'Contact', field: 'Region__c', leadField: 'Title' });
  });

  it('should warn and use conversion.fieldMapping when the org has no Lead_Field_Mapping__mdt (INVALID_TYPE)', async () => {
    const { org } = fakeOrg(
      new SalesforceError('INVALID_TYPE', "sObject type 'Lead_Field_Mapping__mdt' is not supported.")
    );
    const ctx = await loadPreviewContext(
      org,
      parseConversionConfig({ fieldMapping: { 'Contact.Region__c': 'Title' } })
    );
    expect(ctx.warnings).toEqual([
      expect.stringMatching(/^Lead_Field_Mapping__mdt is not deployed in this org or not readable by this user \(INVALID_TYPE\)/)
    ]);
    expect(ctx.mapping.pairs).toContainEqual({ target: 'Contact', field: 'Region__c', leadField: 'Title' });
    // Any other failure is not hidden.
    const down = fakeOrg(new SalesforceError('SERVER_UNAVAILABLE', 'down')).org;
    await expect(loadPreviewContext(down, parseConversionConfig({}))).rejects.toThrow('down');
  });

  it('should refuse a target the org records and the config map from different lead fields, naming both', async () => {
    const rows = [record('Region', 'Contact.Region__c', 'Economic_Buyer__c')];
    const conflict = loadPreviewContext(
      fakeOrg(rows).org,
      parseConversionConfig({ fieldMapping: { 'Contact.Region__c': 'Title' } })
    );
    await expect(conflict).rejects.toBeInstanceOf(ConfigError);
    await expect(conflict).rejects.toThrow(
      'conversion.fieldMapping["Contact.Region__c"]: maps Contact.Region__c from Lead.Title but Lead_Field_Mapping__mdt.Region maps it from Lead.Economic_Buyer__c'
    );
    // The same mapping declared in both places is one mapping, not a conflict.
    const same = await loadPreviewContext(
      fakeOrg(rows).org,
      parseConversionConfig({ fieldMapping: { 'Contact.Region__c': 'economic_buyer__c' } })
    );
    expect(same.mapping.pairs.filter((p) => p.field === 'Region__c')).toHaveLength(1);
    // Two records for one target disagreeing are refused the same way.
    const twice = [...rows, record('Region_Again', 'Contact.Region__c', 'Title')];
    await expect(loadPreviewContext(fakeOrg(twice).org, parseConversionConfig({}))).rejects.toThrow(
      'Lead_Field_Mapping__mdt.Region_Again: maps Contact.Region__c from Lead.Title but Lead_Field_Mapping__mdt.Region maps it'
    );
  });
});
