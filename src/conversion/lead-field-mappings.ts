/**
 * The org's custom lead field mapping as admins declare it in Lead_Field_Mapping__mdt (Setup > Lead > Map Lead
 * Fields is not readable through the API). The rep's Convert preview (Apex ConvertPreviewReasons) reads the same
 * records, so one definition drives both previews. `conversion.fieldMapping` in the JSON config is merged on top;
 * a target mapped differently by both is refused (docs/conversion.md, "One mapping definition").
 */
import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import { SalesforceError, type OrgClient } from '../salesforce/types';

export type MappingTarget = 'Account' | 'Contact' | 'Opportunity';

/** The rule of the validation rule Target_Field_Is_Object_Dot_Field (and of conversion.fieldMapping keys). */
export const TARGET_FIELD_PATTERN = /^(Account|Contact|Opportunity)\.[A-Za-z][A-Za-z0-9_]*$/;
export const TARGET_FIELD_MESSAGE = 'must be Account.Field, Contact.Field or Opportunity.Field';
export const LEAD_FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
export const LEAD_FIELD_MESSAGE = 'must be a Lead field API name';

/** Constant query: it has no values to escape. ORDER BY keeps warnings and conflicts in a stable order. */
export const LEAD_FIELD_MAPPING_SOQL =
  'SELECT DeveloperName, Target_Field__c, Lead_Field__c FROM Lead_Field_Mapping__mdt ORDER BY DeveloperName';

/** Where a mapping was declared: "Lead_Field_Mapping__mdt.Region" or "conversion.fieldMapping". */
export interface DeclaredMapping {
  target: MappingTarget;
  field: string;
  leadField: string;
  source: string;
}

export interface LeadFieldMappings {
  mappings: DeclaredMapping[];
  /** Records left out (with their DeveloperName and why), or why the type could not be read at all. */
  warnings: string[];
}

// Apex trims both values before reading them (ConvertPreviewReasons.declaredMappings); so does the service.
const trimmed = z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string());
const recordSchema = z.object({
  DeveloperName: z.string().min(1),
  Target_Field__c: trimmed.pipe(z.string().regex(TARGET_FIELD_PATTERN, TARGET_FIELD_MESSAGE)),
  Lead_Field__c: trimmed.pipe(z.string().regex(LEAD_FIELD_PATTERN, LEAD_FIELD_MESSAGE))
});

function split(targetField: string): { target: MappingTarget; field: string } {
  const [target, field] = targetField.split('.') as [MappingTarget, string];
  return { target, field };
}

/** Records as mappings; a record the validation rule would refuse is left out with a warning naming it. */
export function parseLeadFieldMappingRecords(rows: readonly Record<string, unknown>[]): LeadFieldMappings {
  const mappings: DeclaredMapping[] = [];
  const warnings: string[] = [];
  for (const row of rows) {
    const name = typeof row.DeveloperName === 'string' && row.DeveloperName ? row.DeveloperName : '(no DeveloperName)';
    const parsed = recordSchema.safeParse(row);
    if (!parsed.success) {
      const why = parsed.error.issues
        .map((i) => `${i.path.join('.')} ${JSON.stringify(row[String(i.path[0])] ?? null)} ${i.message}`)
        .join('; ');
      warnings.push(`Lead_Field_Mapping__mdt.${name} is left out of the preview: ${why}.`);
      continue;
    }
    const { target, field } = split(parsed.data.Target_Field__c);
    mappings.push({ target, field, leadField: parsed.data.Lead_Field__c, source: `Lead_Field_Mapping__mdt.${name}` });
  }
  return { mappings, warnings };
}

/**
 * One SOQL query per run. INVALID_TYPE (package not deployed, or the user lacks the type's access, which
 * Leadflow_Integration grants) gives a warning, not a failure: the standard mapping and the config still apply.
 */
export async function loadLeadFieldMappings(org: Pick<OrgClient, 'rest'>): Promise<LeadFieldMappings> {
  let rows: Record<string, unknown>[];
  try {
    rows = await org.rest.query(LEAD_FIELD_MAPPING_SOQL);
  } catch (err) {
    if (err instanceof SalesforceError && err.errorCode === 'INVALID_TYPE') {
      return {
        mappings: [],
        warnings: [
          'Lead_Field_Mapping__mdt is not deployed in this org or not readable by this user (INVALID_TYPE): the preview uses the standard lead field mapping and conversion.fieldMapping only. Deploy the leadflow package and assign Leadflow_Integration to the service user to declare custom mappings once for both previews.'
        ]
      };
    }
    throw err;
  }
  return parseLeadFieldMappingRecords(rows);
}

/** conversion.fieldMapping entries (already validated by the config schema) as mappings. */
export function configMappings(fieldMapping: Readonly<Record<string, string>>): DeclaredMapping[] {
  return Object.entries(fieldMapping).map(([targetField, leadField]) => ({
    ...split(targetField),
    leadField,
    source: `conversion.fieldMapping["${targetField}"]`
  }));
}

/**
 * Org records, then the config. The same target declared twice with the same lead field is one mapping; with
 * different lead fields it is refused, naming both declarations, so the two previews can never disagree silently.
 */
export function mergeFieldMappings(declared: readonly DeclaredMapping[], fromConfig: readonly DeclaredMapping[]): DeclaredMapping[] {
  const byTarget = new Map<string, DeclaredMapping>();
  const conflicts: { path: string; message: string }[] = [];
  for (const m of [...declared, ...fromConfig]) {
    const key = `${m.target}.${m.field}`.toLowerCase();
    const seen = byTarget.get(key);
    if (!seen) byTarget.set(key, m);
    else if (seen.leadField.toLowerCase() !== m.leadField.toLowerCase()) {
      conflicts.push({
        path: m.source,
        message: `maps ${m.target}.${m.field} from Lead.${m.leadField} but ${seen.source} maps it from Lead.${seen.leadField}; keep one (Lead_Field_Mapping__mdt is the one the rep's Convert preview reads too)`
      });
    }
  }
  if (conflicts.length > 0) throw new ConfigError(conflicts, 'lead field mapping');
  return [...byTarget.values()];
}
