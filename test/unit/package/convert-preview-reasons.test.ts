/**
 * The rep's Convert preview (Apex ConvertPreviewReasons) and `leadflow convert --dry-run` (src/conversion/reasons.ts)
 * must say the same thing: the same reason codes, the same message and fix templates, and the same standard lead
 * field mapping behind the required-field, length and type checks. Apex cannot run here, so its source is read.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REASON_TEMPLATES } from '../../../src/conversion/reasons';
import { STANDARD_MAPPING } from '../../../src/conversion/preview';
import { PACKAGE_ROOT } from './package-files';

const APEX = readFileSync(path.join(PACKAGE_ROOT, 'classes/ConvertPreviewReasons.cls'), 'utf8');

/** The value of an Apex string literal body: \' and \\ unescaped. */
function apexString(body: string): string {
  return body.replace(/\\(['\\])/g, '$1');
}

/** The source of one `static final ... NAME = new Map<...>{ ... };` initialiser. */
function initialiser(name: string): string {
  const start = APEX.indexOf(` ${name} = new Map`);
  expect(start).toBeGreaterThan(0);
  const end = APEX.indexOf('};', start);
  return APEX.slice(start, end);
}

function apexTemplates(): Record<string, { message: string; fix: string }> {
  const out: Record<string, { message: string; fix: string }> = {};
  const entry = /([A-Z_]+) => new List<String>\{\s*'((?:[^'\\]|\\.)*)',\s*'((?:[^'\\]|\\.)*)'\s*\}/g;
  for (const m of initialiser('TEMPLATES').matchAll(entry)) {
    out[m[1]!] = { message: apexString(m[2]!), fix: apexString(m[3]!) };
  }
  return out;
}

/** TARGET_ACCOUNT => new Map<String, String>{ 'Name' => 'Company', ... } as { Account: { Name: 'Company' } }. */
function apexStandardMapping(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const source = initialiser('STANDARD_MAPPING');
  const blocks = /TARGET_([A-Z]+) => new Map<String, String>\{([^}]*)\}/g;
  for (const block of source.matchAll(blocks)) {
    const target = block[1]!.charAt(0) + block[1]!.slice(1).toLowerCase();
    const pairs: Record<string, string> = {};
    for (const pair of block[2]!.matchAll(/'(\w+)' => '(\w+)'/g)) pairs[pair[1]!] = pair[2]!;
    out[target] = pairs;
  }
  return out;
}

/** A template as a pattern: {n} stands for any argument. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\d+\\\}/g, '.+');
  return new RegExp(`^${escaped}$`);
}

describe('Convert preview reasons: Apex and the service', () => {
  it('should word every reason code the same way in Apex as in src/conversion/reasons.ts', () => {
    const apex = apexTemplates();
    expect(Object.keys(apex).sort()).toEqual(Object.keys(REASON_TEMPLATES).sort());
    for (const [code, template] of Object.entries(REASON_TEMPLATES)) {
      expect({ code, ...apex[code] }).toEqual({ code, message: template.message, fix: template.fix });
    }
  });

  it('should declare a constant for every reason code, spelled as the code', () => {
    for (const code of Object.keys(REASON_TEMPLATES)) {
      expect(APEX).toContain(`public static final String ${code} = '${code}';`);
    }
  });

  it('should check against the same standard lead field mapping as the service', () => {
    expect(apexStandardMapping()).toEqual(STANDARD_MAPPING);
  });

  it('should fill placeholders itself: String.format would drop the apostrophe in the duplicate-contact fix', () => {
    // The fix of DUPLICATE_CONTACT contains "the contact's"; MessageFormat treats ' as a quote character.
    expect(REASON_TEMPLATES.DUPLICATE_CONTACT.fix).toContain("contact's");
    expect(APEX).not.toMatch(/String\.format\(/);
  });

  it('should test the convertLead component with reasons worded as the templates word them', () => {
    const fixture = JSON.parse(
      readFileSync(path.join(PACKAGE_ROOT, 'lwc/convertLead/__tests__/data/reasons.json'), 'utf8')
    ) as Record<string, { code: string; message: string; fix: string; blocking: boolean }>;
    expect(Object.keys(fixture).sort()).toEqual(Object.keys(REASON_TEMPLATES).sort());
    for (const [code, template] of Object.entries(REASON_TEMPLATES)) {
      const shown = fixture[code]!;
      expect(shown.code).toBe(code);
      expect(shown.message).toMatch(templatePattern(template.message));
      expect(shown.fix).toMatch(templatePattern(template.fix));
      expect(shown.blocking).toBe(code !== 'DUPLICATE_CONTACT');
    }
  });
});
