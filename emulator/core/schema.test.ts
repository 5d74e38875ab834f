import path from 'node:path';
import { loadSchema, sqlTypeFor } from './schema';
import type { FieldType } from './types';

const fixtures = path.join(__dirname, '__fixtures__');

describe('sqlTypeFor', () => {
  it.each<[FieldType, string]>([
    ['id', 'text'],
    ['reference', 'text'],
    ['string', 'text'],
    ['picklist', 'text'],
    ['multipicklist', 'text'],
    ['boolean', 'boolean'],
    ['int', 'bigint'],
    ['double', 'numeric'],
    ['currency', 'numeric'],
    ['percent', 'numeric'],
    ['date', 'date'],
    ['datetime', 'timestamptz']
  ])('should store %s fields as %s', (type, sql) => {
    expect(sqlTypeFor({ type })).toBe(sql);
  });
});

describe('loadSchema on the fixture package', () => {
  let schema: Awaited<ReturnType<typeof loadSchema>>;
  beforeAll(async () => {
    schema = await loadSchema({ forceAppDir: path.join(fixtures, 'basic') });
  });

  it('should add custom fields to standard objects and keep their standard fields', () => {
    const lead = schema.get('lead');
    expect(lead?.name).toBe('Lead');
    expect(lead?.fieldMap.get('lastname')).toMatchObject({ type: 'string', length: 80, nillable: false, createable: true });
    expect(lead?.fieldMap.get('score__c')).toMatchObject({ type: 'double', precision: 3, scale: 0, custom: true, soapType: 'xsd:double' });
    expect(lead?.fieldMap.get('notes__c')).toMatchObject({ type: 'textarea', length: 4000 });
    expect(lead?.fieldMap.get('ext_key__c')).toMatchObject({ unique: true, externalId: true, idLookup: true, length: 20 });
    expect(lead?.fieldMap.get('qualified__c')).toMatchObject({ type: 'boolean', nillable: false, defaultValue: false, defaultedOnCreate: true });
    expect(lead?.fieldMap.get('review_date__c')).toMatchObject({ type: 'date', defaultValueFormula: 'TODAY() + 7' });
  });

  it('should map picklists with their values, default and restriction', () => {
    const tier = schema.get('Lead')?.fieldMap.get('tier__c');
    expect(tier).toMatchObject({ type: 'picklist', restrictedPicklist: true, defaultValue: 'Silver' });
    expect(tier?.picklistValues.map((p) => [p.value, p.defaultValue])).toEqual([
      ['Gold', false],
      ['Silver', true]
    ]);
    expect(schema.get('Widget__c')?.fieldMap.get('colors__c')).toMatchObject({ type: 'multipicklist', restrictedPicklist: false });
  });

  it('should map formula fields as calculated, read-only fields of their return type', () => {
    expect(schema.get('Lead')?.fieldMap.get('score_band__c')).toMatchObject({
      type: 'string',
      calculated: true,
      createable: false,
      updateable: false,
      calculatedFormula: 'IF(Score__c >= 70, "High", IF(Score__c >= 40, "Medium", "Low"))'
    });
  });

  it('should define custom objects with system fields, Name, OwnerId, lookups and auto numbers', () => {
    const widget = schema.get('widget__c');
    expect(widget).toMatchObject({ name: 'Widget__c', label: 'Widget', labelPlural: 'Widgets', custom: true, table: 'sobj_widget__c' });
    expect(widget?.keyPrefix).toMatch(/^a[0-9A-Za-z]{2}$/);
    const names = widget?.fields.map((f) => f.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'Name', 'OwnerId']));
    expect(widget?.fieldMap.get('lead__c')).toMatchObject({ type: 'reference', referenceTo: ['Lead'], relationshipName: 'Lead__r' });
    expect(widget?.relationshipMap.get('lead__r')?.name).toBe('Lead__c');
    expect(widget?.fieldMap.get('serial__c')).toMatchObject({ autoNumberFormat: 'W-{0000}', createable: false });
    expect(widget?.fieldMap.get('price__c')).toMatchObject({ type: 'currency', nillable: false, precision: 8, scale: 2 });
    expect(schema.get('Lead')?.childRelationships).toContainEqual({
      childSObject: 'Widget__c',
      field: 'Lead__c',
      relationshipName: 'Widgets__r',
      cascadeDelete: false
    });
    expect(schema.byKeyPrefix(widget?.keyPrefix ?? '')?.name).toBe('Widget__c');
  });

  it('should define custom metadata types as read-only objects with their records', () => {
    const setting = schema.get('Setting__mdt');
    expect(setting).toMatchObject({ createable: false, updateable: false, deletable: false });
    expect(setting?.keyPrefix).toMatch(/^m0/);
    expect(setting?.fieldMap.get('qualifiedapiname')).toBeDefined();
    expect(setting?.fieldMap.get('threshold__c')?.createable).toBe(false);
    expect(schema.customMetadataRecords).toMatchObject([
      { type: 'Setting__mdt', developerName: 'Default', label: 'Default setting', values: { Enabled__c: true, Threshold__c: 42.5, Mode__c: null } }
    ]);
  });

  it('should read validation rules and field history tracking (standard and custom fields)', () => {
    const lead = schema.get('Lead');
    expect(lead?.validationRules.map((r) => [r.fullName, r.active, r.errorDisplayField])).toEqual([
      ['Converted_Needs_Qualified', true, null],
      ['Gold_Is_Permanent', true, 'Tier__c'],
      ['Inactive_Rule', false, null],
      ['Score_In_Range', true, 'Score__c'],
      ['Score_Never_Decreases', true, 'Score__c']
    ]);
    expect(lead?.trackedFields).toEqual(['Status', 'Score__c']);
    expect(schema.get('Widget__History')?.fieldMap.get('parentid')?.referenceTo).toEqual(['Widget__c']);
    expect(schema.get('LeadHistory')?.fieldMap.get('leadid')?.referenceTo).toEqual(['Lead']);
  });
});

describe('loadSchema refusals', () => {
  it.each([
    ['bad-formula', /Lead\.Broken__c: formula "FOOBAR\(LastName\)" cannot be evaluated by the emulator \(NoFunctionError: Unknown function FOOBAR/],
    ['cross-object', /Lead\.Owner_Name__c: formula "Owner\.LastName" cannot be evaluated.*cross-object and global references/],
    ['context-in-field', /Lead\.Renamed__c: formula "ISCHANGED\(LastName\)" cannot be evaluated.*Unknown function ISCHANGED/],
    ['bad-rule', /Lead\.validationRule Unknown_Field: formula "ISPICKVAL\(Nope__c, \\"x\\"\)" cannot be evaluated.*field Nope__c does not exist/]
  ])('should refuse to start when package %s has a formula formulon cannot evaluate', async (dir, message) => {
    await expect(loadSchema({ forceAppDir: path.join(fixtures, dir) })).rejects.toThrow(message);
  });
});

describe('loadSchema on the repository package (force-app)', () => {
  it('should load the leadflow data model from README-TEAM', async () => {
    const schema = await loadSchema();
    const lead = schema.get('Lead');
    for (const name of ['Budget_Amount__c', 'Funnel_Stage__c', 'Source_External_Id__c', 'Missing_Criteria__c', 'Qualification_Status__c']) {
      expect(lead?.fieldMap.get(name.toLowerCase())?.name).toBe(name);
    }
    expect(lead?.fieldMap.get('source_external_id__c')).toMatchObject({ unique: true, externalId: true });
    expect(lead?.trackedFields).toEqual(expect.arrayContaining(['Status', 'Funnel_Stage__c']));
    expect(lead?.validationRules.find((r) => r.fullName === 'Require_Qualification_To_Convert')?.errorDisplayField).toBe('Missing_Criteria__c');
    expect(schema.get('Funnel_Stage_Change__c')?.fieldMap.get('name')?.autoNumberFormat).toBe('FSC-{0000000}');
    expect(schema.get('Account')?.fieldMap.get('website_domain__c')?.externalId).toBe(true);
    expect(schema.customMetadataRecords.filter((r) => r.type === 'Scoring_Threshold__mdt').map((r) => r.developerName)).toEqual(['Default']);
  });
});
