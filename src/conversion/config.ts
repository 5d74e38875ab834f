import { z } from 'zod';
import { LEAD_FIELD_MESSAGE, LEAD_FIELD_PATTERN, TARGET_FIELD_MESSAGE, TARGET_FIELD_PATTERN } from './lead-field-mappings';

/** `conversion` section of leadflow.config.json (documented in docs/conversion.md). */
export const conversionConfigSchema = z.object({
  /** Only convert leads with one of these grades (empty = any grade). */
  onlyGrades: z.array(z.enum(['Hot', 'Warm', 'Cold'])).default([]),
  /** Extra equality filters on Lead fields, e.g. { "LeadSource": "Web" } (values are escaped). */
  filters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Lead field API name'), z.string()).default({}),
  /** Leads per SOAP convertLead call (the API maximum is 100). */
  batchSize: z.number().int().min(1).max(100).default(100),
  opportunity: z
    .object({
      create: z.boolean().default(true),
      /** {Field__c} placeholders are replaced by the lead's values. */
      nameTemplate: z.string().min(1).default('{Company} - {Product_Interest__c}'),
      /** Opportunity stage after conversion; default: the org's first open stage by SortOrder. */
      stage: z.string().optional(),
      /** Lead field that becomes the Opportunity Amount. */
      amountField: z.string().default('Budget_Amount__c'),
      /** Purchase_Timeline__c value -> days until CloseDate. */
      closeInDays: z.record(z.string(), z.number().int().min(0)).default({
        Immediate: 30,
        '1-3 Months': 90,
        '3-6 Months': 180,
        '6-12 Months': 365,
        '12+ Months': 540
      }),
      defaultCloseInDays: z.number().int().min(0).default(90)
    })
    .prefault({}),
  /** Lead Status the converted leads get; default: the org's first status marked Converted. */
  convertedStatus: z.string().min(1).optional(),
  /**
   * Extra custom lead field mappings (Setup > Lead > Map Lead Fields), "Object.Field" -> Lead field, e.g.
   * { "Contact.Champion__c": "Champion__c" }. The API does not expose Setup's mapping: the preview reads the org's
   * Lead_Field_Mapping__mdt records (as the rep's Convert preview does) and adds these; the same target mapped
   * from different lead fields in both places is refused (./lead-field-mappings.ts).
   */
  fieldMapping: z
    .record(z.string().regex(TARGET_FIELD_PATTERN, TARGET_FIELD_MESSAGE), z.string().regex(LEAD_FIELD_PATTERN, LEAD_FIELD_MESSAGE))
    .default({}),
  /** What to do when several existing accounts match: skip and report (default) or take the oldest. */
  ambiguousAccount: z.enum(['skip', 'oldest']).default('skip'),
  /** Extra free-mail domains that must never be used for account matching. */
  personalEmailDomains: z.array(z.string()).default([]),
  /** Retries for transient failures (UNABLE_TO_LOCK_ROW, 5xx, dropped connections). */
  maxRetries: z.number().int().min(0).max(10).default(4),
  retryBaseMs: z.number().int().min(0).default(500)
});

export type ConversionConfig = z.infer<typeof conversionConfigSchema>;

export function parseConversionConfig(raw: unknown): ConversionConfig {
  return conversionConfigSchema.parse(raw ?? {});
}
