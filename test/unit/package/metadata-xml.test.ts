import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { listFiles, PACKAGE_ROOT, REPO_ROOT, xmlFiles } from './package-files';
import { standardObjects } from '../../../emulator/core/standard-objects';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const read = (file: string): Record<string, unknown> =>
  parser.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const rel = (file: string): string => path.relative(REPO_ROOT, file);
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const fieldFiles = listFiles(path.join(PACKAGE_ROOT, 'objects')).filter((f) => f.endsWith('.field-meta.xml'));
const customFieldFiles = fieldFiles.filter((f) => path.basename(f).includes('__c.'));

/** "Object.Field" for every field file in the package. */
const packageFields = new Set(
  fieldFiles.map(
    (f) => `${path.basename(path.dirname(path.dirname(f)))}.${path.basename(f, '.field-meta.xml')}`
  )
);

describe('package XML', () => {
  it.each(xmlFiles().map((f) => [rel(f), f]))('should be well-formed when %s is parsed', (_name, file) => {
    expect(XMLValidator.validate(readFileSync(file, 'utf8'))).toBe(true);
  });

  it('should detect malformed XML', () => {
    expect(XMLValidator.validate('<CustomField><label>Open</CustomField>')).not.toBe(true);
  });

  it.each(customFieldFiles.map((f) => [rel(f), f]))(
    'should have help text and a Snake_Case name when %s is read',
    (_name, file) => {
      const field = read(file).CustomField as Record<string, string>;
      expect(field.inlineHelpText?.trim().length ?? 0).toBeGreaterThan(10);
      expect(field.fullName).toBe(path.basename(file, '.field-meta.xml'));
      expect(field.fullName).toMatch(/^[A-Z][A-Za-z0-9]*(_[A-Z0-9][A-Za-z0-9]*)*__c$/);
    }
  );

  it.each([
    'Lead.Budget_Amount__c',
    'Lead.Authority_Level__c',
    'Lead.Missing_Criteria__c',
    'Lead.Funnel_Stage__c',
    'Lead.Source_External_Id__c',
    'Lead.Qualified_At__c',
    'Account.Website_Domain__c',
    'Opportunity.Won_Date__c',
    'Funnel_Stage_Change__c.Duration_Hours__c',
    'Qualification_Criterion__mdt.Operator__c',
    'Scoring_Threshold__mdt.Engagement_Weight__c'
  ])('should define %s from the team data model', (field) => {
    expect(packageFields.has(field)).toBe(true);
  });

  it('should track history on Lead Status and Funnel_Stage__c', () => {
    const objectMeta = read(path.join(PACKAGE_ROOT, 'objects/Lead/Lead.object-meta.xml'))
      .CustomObject as Record<string, string>;
    expect(objectMeta.enableHistory).toBe('true');
    for (const name of ['Status', 'Funnel_Stage__c']) {
      const field = read(path.join(PACKAGE_ROOT, `objects/Lead/fields/${name}.field-meta.xml`))
        .CustomField as Record<string, string>;
      expect(field.trackHistory).toBe('true');
    }
  });

  it('should define the conversion validation rule exactly as the team notes say', () => {
    const rule = read(
      path.join(
        PACKAGE_ROOT,
        'objects/Lead/validationRules/Require_Qualification_To_Convert.validationRule-meta.xml'
      )
    ).ValidationRule as Record<string, string>;
    expect(rule.active).toBe('true');
    expect(rule.errorConditionFormula).toBe(
      'AND(ISCHANGED(IsConverted), IsConverted, NOT(ISPICKVAL(Qualification_Status__c, "Qualified")), NOT($Permission.Leadflow_Bypass_Conversion_Guard))'
    );
    expect(rule.errorDisplayField).toBe('Missing_Criteria__c');
    expect(rule.errorMessage).toBe(
      'This lead cannot be converted: its required qualification criteria are not met. The missing criteria are listed in the Missing Criteria field.'
    );
  });

  describe('custom metadata records', () => {
    const recordFiles = readdirSync(path.join(PACKAGE_ROOT, 'customMetadata')).map((f) =>
      path.join(PACKAGE_ROOT, 'customMetadata', f)
    );

    it.each(recordFiles.map((f) => [rel(f), f]))(
      'should give every value a type matching its field when %s is read',
      (_name, file) => {
        const [type] = path.basename(file).split('.');
        const record = read(file).CustomMetadata as {
          values: Array<{ field: string; value: Record<string, string> }>;
        };
        for (const { field, value } of asArray(record.values)) {
          expect(packageFields.has(`${type}__mdt.${field}`)).toBe(true);
          if (value['@_xsi:nil'] === 'true') continue;
          const fieldType = (
            read(path.join(PACKAGE_ROOT, `objects/${type}__mdt/fields/${field}.field-meta.xml`))
              .CustomField as Record<string, string>
          ).type;
          const expected =
            fieldType === 'Checkbox' ? 'xsd:boolean' : fieldType === 'Number' ? 'xsd:double' : 'xsd:string';
          expect(`${field}:${value['@_xsi:type']}`).toBe(`${field}:${expected}`);
        }
      }
    );

    it('should ship the default criteria with the documented weights', () => {
      const weights: Record<string, string> = {};
      const active: string[] = [];
      for (const file of recordFiles.filter((f) => path.basename(f).startsWith('Qualification_Criterion.'))) {
        const name = path.basename(file).split('.')[1] as string;
        const values = asArray(
          (read(file).CustomMetadata as { values: Array<{ field: string; value: Record<string, string> }> })
            .values
        );
        const get = (field: string): string | undefined =>
          values.find((v) => v.field === field)?.value['#text'];
        weights[name] = get('Weight__c') ?? '';
        if (get('Active__c') === 'true') active.push(name);
      }
      expect(weights).toMatchObject({
        Budget_Confirmed: '25',
        Budget_Amount: '10',
        Authority_Decision_Maker: '20',
        Need_Identified: '20',
        Timeline_Within_Six_Months: '15',
        ICP_Company_Size: '5',
        ICP_Industry: '5'
      });
      expect(active.sort()).toEqual(
        [
          'Authority_Decision_Maker',
          'Budget_Amount',
          'Budget_Confirmed',
          'ICP_Company_Size',
          'ICP_Industry',
          'Need_Identified',
          'Timeline_Within_Six_Months'
        ].sort()
      );
    });
  });

  describe('permission sets', () => {
    const files = readdirSync(path.join(PACKAGE_ROOT, 'permissionsets')).map((f) =>
      path.join(PACKAGE_ROOT, 'permissionsets', f)
    );
    type PermissionSet = {
      fieldPermissions: Array<{ field: string; editable: string }>;
      userPermissions: Array<{ name: string }>;
      objectPermissions: Array<{
        object: string;
        allowRead?: string;
        allowCreate?: string;
        allowEdit?: string;
        allowDelete: string;
        modifyAllRecords: string;
        viewAllRecords: string;
      }>;
      classAccesses?: Array<{ apexClass: string }>;
      customMetadataTypeAccesses?: Array<{ name: string }>;
    };
    const load = (name: string): PermissionSet =>
      read(path.join(PACKAGE_ROOT, `permissionsets/${name}.permissionset-meta.xml`))
        .PermissionSet as PermissionSet;

    it.each(files.map((f) => [rel(f), f]))(
      'should only grant fields that exist when %s is read',
      (_name, file) => {
        const set = read(file).PermissionSet as PermissionSet;
        const custom = asArray(set.fieldPermissions).filter((p) => p.field.includes('__c'));
        expect(custom.filter((p) => !packageFields.has(p.field)).map((p) => p.field)).toEqual([]);
        for (const p of asArray(set.objectPermissions)) {
          expect(p.modifyAllRecords).toBe('false');
          expect(p.viewAllRecords).toBe('false');
        }
      }
    );

    it('should let sales reps convert and edit the qualification inputs but not the computed scores', () => {
      const rep = load('Leadflow_Sales_Rep');
      expect(asArray(rep.userPermissions).map((p) => p.name)).toEqual(['ConvertLeads']);
      const editable = (field: string): string | undefined =>
        asArray(rep.fieldPermissions).find((p) => p.field === field)?.editable;
      expect(editable('Lead.Budget_Confirmed__c')).toBe('true');
      expect(editable('Lead.Fit_Score__c')).toBe('false');
      expect(editable('Lead.Qualification_Status__c')).toBe('false');
      expect(
        asArray(rep.classAccesses)
          .map((c) => c.apexClass)
          .sort()
      ).toEqual([
        'LeadConvertController',
        'QualificationController',
        'SalHandoffController',
        'StageTimelineController'
      ]);
    });

    it('should let sales reps accept or return a lead but not move its acceptance deadline', () => {
      const rep = load('Leadflow_Sales_Rep');
      const permission = (field: string) => asArray(rep.fieldPermissions).find((p) => p.field === field);
      for (const field of [
        'Lead.Funnel_Stage__c',
        'Lead.SAL_Accepted_Date__c',
        'Lead.Recycle_Reason__c',
        'Lead.Recycle_Comment__c'
      ]) {
        expect([field, permission(field)?.editable]).toEqual([field, 'true']);
      }
      expect(permission('Lead.SAL_Accept_By__c')).toMatchObject({ readable: 'true', editable: 'false' });
      // The stage history is written by SalHandoffController for the rep, never edited by the rep.
      expect(asArray(rep.objectPermissions).find((p) => p.object === 'Funnel_Stage_Change__c')).toMatchObject(
        {
          allowRead: 'true',
          allowCreate: 'false',
          allowEdit: 'false'
        }
      );
    });

    it('should give the integration user API access and no delete anywhere', () => {
      const integration = load('Leadflow_Integration');
      expect(
        asArray(integration.userPermissions)
          .map((p) => p.name)
          .sort()
      ).toEqual(['ApiEnabled', 'ConvertLeads', 'EditTask']);
      expect(asArray(integration.objectPermissions).filter((p) => p.allowDelete === 'true')).toEqual([]);
      expect(
        asArray(integration.objectPermissions)
          .map((p) => p.object)
          .sort()
      ).toEqual([
        'Account',
        'Campaign',
        'Contact',
        'Funnel_Stage_Change__c',
        'Lead',
        'Opportunity',
        'Routing_Cursor__c',
        'Routing_Decision__c',
        'Routing_Out_Of_Office__c'
      ]);
    });

    it('should let the integration user read the routing definition and write only the ledger and cursors', () => {
      const access = (name: string, object: string) => {
        const p = asArray(load(name).objectPermissions).find((o) => o.object === object);
        return p ? [p.allowRead, p.allowCreate, p.allowEdit, p.allowDelete].map((v) => v === 'true') : null;
      };
      // [read, create, edit, delete]
      expect(access('Leadflow_Integration', 'Routing_Out_Of_Office__c')).toEqual([true, false, false, false]);
      expect(access('Leadflow_Integration', 'Routing_Decision__c')).toEqual([true, true, true, false]);
      expect(access('Leadflow_Integration', 'Routing_Cursor__c')).toEqual([true, true, true, false]);
      // Admins keep out-of-office and may reset cursors; the ledger is read-only for everyone but the writers.
      expect(access('Leadflow_Admin', 'Routing_Out_Of_Office__c')).toEqual([true, true, true, true]);
      expect(access('Leadflow_Admin', 'Routing_Decision__c')).toEqual([true, false, false, false]);
      expect(access('Leadflow_Sales_Rep', 'Routing_Decision__c')).toEqual([true, false, false, false]);
      expect(access('Leadflow_Sales_Rep', 'Routing_Cursor__c')).toBeNull();
      expect(access('Leadflow_Sales_Rep', 'Routing_Out_Of_Office__c')).toBeNull();
      for (const name of ['Leadflow_Admin', 'Leadflow_Integration']) {
        const types = asArray(load(name).customMetadataTypeAccesses).map((t) => t.name);
        expect(types).toEqual(expect.arrayContaining(['Routing_Member__mdt', 'Routing_Team__mdt']));
        // The service (leadflow convert) reads the admin's lead field mappings over the API as this user.
        expect(types).toContain('Lead_Field_Mapping__mdt');
      }
    });
  });

  it('should define every custom label the components import', () => {
    const labels = new Set(
      asArray(
        (
          read(path.join(PACKAGE_ROOT, 'labels/CustomLabels.labels-meta.xml')).CustomLabels as {
            labels: Array<{ fullName: string }>;
          }
        ).labels
      ).map((l) => l.fullName)
    );
    const imported = listFiles(path.join(PACKAGE_ROOT, 'lwc'))
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/@salesforce\/label\/c\.(\w+)/g)].map((m) => m[1] as string)
      );
    expect(imported.length).toBeGreaterThan(20);
    expect([...new Set(imported)].filter((name) => !labels.has(name))).toEqual([]);
  });

  it('should only import schema fields that exist', () => {
    // Standard fields come from the local org's standard object definitions, which follow the object reference.
    const standard = new Set(standardObjects().flatMap((o) => o.fields.map((f) => `${o.name}.${f.name}`)));
    const imported = listFiles(path.join(PACKAGE_ROOT, 'lwc'))
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/@salesforce\/schema\/(\w+\.\w+)/g)].map((m) => m[1] as string)
      );
    expect(imported.filter((f) => !packageFields.has(f) && !standard.has(f))).toEqual([]);
  });
});
