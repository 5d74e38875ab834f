/**
 * Shared convert preview vectors (static resource ConvertPreviewVectors, docs/conversion.md "What the preview
 * checks"): the service's checks (src/conversion/preview.ts) give exactly the expected reasons for each case, and
 * the Apex test class ConvertPreviewVectorsTest runs the same file through ConvertPreviewReasons. A case is a
 * describe (the file's base fields, with the case's fields added or replacing them by name), a custom lead field
 * mapping on top of the standard one (fed in as Lead_Field_Mapping__mdt records on both sides, the way an admin
 * declares one), and a lead's values; the reasons are those about the three records a
 * conversion creates (a new account, a new contact, an opportunity).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseLeadFieldMappingRecords } from '../../../src/conversion/lead-field-mappings';
import {
  effectiveMapping,
  leadReasons,
  orgReasons,
  type PreviewContext
} from '../../../src/conversion/preview';
import type { PreviewReason } from '../../../src/conversion/reasons';
import type { FieldDescribe } from '../../../src/salesforce/types';
import { PACKAGE_ROOT } from './package-files';

const OBJECTS = ['Lead', 'Account', 'Contact', 'Opportunity'] as const;
const TARGETS = ['Account', 'Contact', 'Opportunity'] as const;

const field = z.object({
  name: z.string(),
  type: z.string(),
  length: z.number().int(),
  createable: z.boolean(),
  nillable: z.boolean(),
  defaultedOnCreate: z.boolean()
});
const fieldsByObject = z.partialRecord(z.enum(OBJECTS), z.array(field));
const reasonSchema = z.object({
  code: z.string(),
  field: z.string(),
  message: z.string(),
  fix: z.string(),
  blocking: z.boolean()
});
const vectorFile = z.object({
  base: fieldsByObject,
  cases: z.array(
    z.object({
      name: z.string(),
      fields: fieldsByObject,
      mapping: z.record(z.string(), z.string()),
      lead: z.record(z.string(), z.string()),
      expected: z.array(reasonSchema)
    })
  )
});
type VectorFile = z.infer<typeof vectorFile>;
type Case = VectorFile['cases'][number];

const FILE = path.join(PACKAGE_ROOT, 'staticresources/ConvertPreviewVectors.json');

function describeOf(base: VectorFile['base'], extra: Case['fields']): PreviewContext['describe'] {
  const out = {} as PreviewContext['describe'];
  for (const object of OBJECTS) {
    const byName = new Map<string, FieldDescribe>();
    for (const f of [...(base[object] ?? []), ...(extra[object] ?? [])]) {
      byName.set(f.name.toLowerCase(), {
        ...f,
        label: f.name,
        custom: f.name.endsWith('__c'),
        updateable: f.createable,
        externalId: false,
        referenceTo: [],
        picklistValues: []
      });
    }
    out[object] = byName;
  }
  return out;
}

/** What the service reports for a case, in the file's order (by field, then code). */
function serviceReasons(
  base: VectorFile['base'],
  vector: Pick<Case, 'fields' | 'mapping' | 'lead'>
): PreviewReason[] {
  const ctx: PreviewContext = {
    describe: describeOf(base, vector.fields),
    mapping: effectiveMapping(
      parseLeadFieldMappingRecords(
        Object.entries(vector.mapping).map(([target, lead], i) => ({
          DeveloperName: `Case_Mapping_${i + 1}`,
          Target_Field__c: target,
          Lead_Field__c: lead
        }))
      ).mappings
    ),
    warnings: []
  };
  return [...orgReasons(ctx, TARGETS), ...leadReasons(ctx, vector.lead, TARGETS)].sort(
    (a, b) => a.field.localeCompare(b.field) || a.code.localeCompare(b.code)
  );
}

describe('convert preview vectors (service side)', () => {
  const file = vectorFile.parse(JSON.parse(readFileSync(FILE, 'utf8')));

  it('should hold a case for each field-level reason and for each rule that keeps a field out', () => {
    const codes = new Set(file.cases.flatMap((c) => c.expected.map((r) => r.code)));
    expect([...codes].sort()).toEqual([
      'REQUIRED_FIELD_EMPTY',
      'REQUIRED_FIELD_UNMAPPED',
      'TYPE_MISMATCH',
      'VALUE_TOO_LONG'
    ]);
    expect(file.cases.filter((c) => c.expected.length === 0).length).toBeGreaterThanOrEqual(5);
  });

  it.each(file.cases.map((c) => [c.name, c] as const))(
    'should give the expected reasons when %s',
    (_name, vector) => {
      expect(serviceReasons(file.base, vector)).toEqual(vector.expected);
    }
  );
});
