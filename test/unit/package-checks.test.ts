/**
 * The package gates of `npm run check:package` (scripts/check-package): each one is shown failing on a seeded
 * defect (test/fixtures/package-defects/<gate>/, a small SFDX project per gate) and passing on the real package.
 * apex-ls and PMD need Java (CI installs default-jre-headless).
 */
import path from 'node:path';
import {
  runApexLs,
  runConvert,
  runCrossReference,
  runPmd,
  type Finding,
  type GateResult
} from '../../scripts/check-package';

const ROOT = path.resolve(__dirname, '../..');
const fixture = (gate: string) => path.join(ROOT, 'test/fixtures/package-defects', gate);
const brief = (findings: Finding[]) =>
  findings.map((f) => `${path.basename(f.file ?? '')}:${f.line ?? ''} [${f.rule}] ${f.message}`);

jest.setTimeout(120_000);

describe('apex-ls gate', () => {
  it('should report a type error and an unknown package field when the seeded class is analysed', async () => {
    const result = await runApexLs(fixture('apex-ls'));
    expect(brief(result.errors)).toEqual([
      "SeededTypeError.cls:4 [apex-ls:Error] Incompatible types in assignment, from 'System.String' to 'System.Integer'",
      "SeededTypeError.cls:5 [apex-ls:Missing] Unknown field 'Seeded_Missing_Field__c' on SObject 'Schema.Lead'"
    ]);
  });

  it('should report no errors when the package is analysed', async () => {
    expect(brief((await runApexLs(ROOT)).errors)).toEqual([]);
  });
});

describe('PMD gate', () => {
  it('should report SOQL injection, CRUD and DML-in-loop findings when the seeded class is scanned', async () => {
    const rules = (await runPmd(fixture('pmd'))).errors.map((f) => `${f.line} ${f.rule}`).sort();
    expect(rules).toEqual([
      '4 ApexSOQLInjection (Security)',
      '9 ApexCRUDViolation (Security)',
      '9 OperationWithLimitsInLoop (Performance)'
    ]);
  });

  let packageResult: GateResult;
  beforeAll(async () => {
    packageResult = await runPmd(ROOT);
  });

  it('should find no Security or Performance issue when the package is scanned', () => {
    expect(
      brief(packageResult.errors.filter((f) => /\((Security|Performance|AppExchange_apex)\)/.test(f.rule)))
    ).toEqual([]);
  });

  it('should find no unsuppressed Best Practices issue when the package is scanned', () => {
    expect(brief(packageResult.errors)).toEqual([]);
  });
});

describe('metadata cross-reference gate', () => {
  it('should report every seeded broken reference, each under its own rule', async () => {
    const rules = new Set((await runCrossReference(fixture('cross-reference'))).errors.map((f) => f.rule));
    expect([...rules].sort()).toEqual(
      [
        'apex-custom-permission',
        'apex-soql-field',
        'cmdt-field',
        'criterion-operator',
        'dashboard-report',
        'flexipage-component',
        'layout-field',
        'layout-quick-action',
        'layout-related-list',
        'lwc-apex',
        'lwc-label',
        'lwc-schema',
        'permissionset-class',
        'permissionset-custom-permission',
        'permissionset-field',
        'permissionset-object',
        'permissionsetgroup-member',
        'quick-action-component',
        'report-column',
        'report-formula',
        'report-type-column',
        'report-type-join',
        'validation-rule-field',
        'validation-rule-permission'
      ].sort()
    );
  });

  it('should refuse Task in objectPermissions and point at the Edit Tasks user permission', async () => {
    const findings = (await runCrossReference(fixture('cross-reference'))).errors.filter(
      (f) => f.rule === 'permissionset-object'
    );
    expect(findings.map((f) => f.message)).toEqual([
      'objectPermissions Task: Task access comes from the user permission "Edit Tasks" (userPermissions EditTask), not objectPermissions'
    ]);
  });

  it('should report nothing when the package is checked', async () => {
    expect(brief((await runCrossReference(ROOT)).errors)).toEqual([]);
  });
});

describe('sf project convert source gate', () => {
  it('should fail when a class has metadata but no source', async () => {
    const result = await runConvert(fixture('convert'));
    expect(result.errors.map((f) => f.rule)).toEqual(['ExpectedSourceFilesError']);
    expect(result.errors[0]?.message).toContain(
      "SeededMissingSource.cls-meta.xml: Expected source files for type 'ApexClass'"
    );
  });

  it('should convert the package', async () => {
    expect(brief((await runConvert(ROOT)).errors)).toEqual([]);
  });
});
