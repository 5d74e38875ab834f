/**
 * Where criteria come from: the org's custom metadata (Qualification_Criterion__mdt +
 * Scoring_Threshold__mdt 'Default') or a local JSON file (`qualification.criteriaFile`). Both are
 * validated with zod; a bad record or file fails with the path of the offending value and the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, ErrorCode, type ConfigIssue } from '../shared/errors';
import type { OrgClient } from '../salesforce/types';
import { PRESETS, PRESET_NAMES, type PresetName } from './presets';
import { DEFAULT_THRESHOLDS, criterionSchema, thresholdsSchema, type Criterion, type QualificationModel } from './types';

export const criteriaFileSchema = z
  .object({
    /** Shipped criteria sets to start from (all active). */
    presets: z.array(z.enum(PRESET_NAMES as [PresetName, ...PresetName[]])).default([]),
    /** Custom criteria; one with the same developerName as a preset criterion replaces it. */
    criteria: z.array(criterionSchema).default([]),
    thresholds: thresholdsSchema.partial().default({})
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.criteria.forEach((c, i) => {
      if (seen.has(c.developerName)) {
        ctx.addIssue({ code: 'custom', path: ['criteria', i, 'developerName'], message: `duplicate developerName ${c.developerName}` });
      }
      seen.add(c.developerName);
    });
    if (file.presets.length === 0 && file.criteria.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs "presets" or "criteria"' });
    }
  });
export type CriteriaFile = z.infer<typeof criteriaFileSchema>;

/** `criteria[2].operator` style paths, as a user finds them in their file. */
export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function issuesOf(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** Builds the model from a parsed criteria file (presets first, custom criteria override by name). */
export function modelFromCriteriaFile(file: CriteriaFile): QualificationModel {
  const byName = new Map<string, Criterion>();
  for (const preset of file.presets) {
    for (const c of PRESETS[preset]) byName.set(c.developerName, criterionSchema.parse(c));
  }
  for (const c of file.criteria) byName.set(c.developerName, c);
  return { criteria: [...byName.values()], thresholds: { ...DEFAULT_THRESHOLDS, ...file.thresholds } };
}

/** Reads and validates a criteria file; relative paths resolve against `cwd`. */
export function loadCriteriaFile(filePath: string, cwd = process.cwd()): QualificationModel {
  const abs = path.resolve(cwd, filePath);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: 'qualification.criteriaFile', message: `cannot read ${abs}: ${(err as Error).message}` }], 'qualification config', ErrorCode.ConfigUnreadable);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([{ path: '', message: `not valid JSON: ${(err as Error).message}` }], `criteria file ${abs}`, ErrorCode.ConfigUnreadable);
  }
  const parsed = criteriaFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(issuesOf(parsed.error), `criteria file ${abs}`);
  return modelFromCriteriaFile(parsed.data);
}

const CRITERION_SOQL =
  'SELECT DeveloperName, MasterLabel, Framework__c, Field__c, Operator__c, Value__c, Weight__c, Required_For_Conversion__c, Active__c, Sort_Order__c FROM Qualification_Criterion__mdt';
const THRESHOLD_SOQL =
  "SELECT DeveloperName, Hot_Min_Score__c, Warm_Min_Score__c, Fit_Weight__c, Engagement_Weight__c FROM Scoring_Threshold__mdt WHERE DeveloperName = 'Default'";

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : fallback);

/** Reads criteria and thresholds from the org's custom metadata (2 queries). */
export async function loadCriteriaFromOrg(org: Pick<OrgClient, 'rest'>): Promise<QualificationModel> {
  const [rows, thresholdRows] = await Promise.all([org.rest.query(CRITERION_SOQL), org.rest.query(THRESHOLD_SOQL)]);
  const issues: ConfigIssue[] = [];
  const criteria: Criterion[] = [];
  for (const r of rows) {
    const name = String(r['DeveloperName'] ?? '?');
    const parsed = criterionSchema.safeParse({
      developerName: r['DeveloperName'],
      label: r['MasterLabel'],
      framework: r['Framework__c'] ?? 'Custom',
      field: r['Field__c'],
      operator: r['Operator__c'],
      value: r['Value__c'] ?? null,
      weight: num(r['Weight__c'], 0),
      requiredForConversion: r['Required_For_Conversion__c'] === true,
      active: r['Active__c'] === true,
      sortOrder: r['Sort_Order__c'] == null ? null : num(r['Sort_Order__c'], 0)
    });
    if (parsed.success) criteria.push(parsed.data);
    // Inactive records are ignored entirely, so a mistake in one does not stop the sweep.
    else if (r['Active__c'] === true) {
      for (const i of parsed.error.issues) issues.push({ path: `Qualification_Criterion__mdt.${name}.${formatPath(i.path)}`, message: i.message });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues, 'org custom metadata');
  const t = thresholdRows[0];
  const thresholds = t
    ? thresholdsSchema.parse({
        hotMinScore: num(t['Hot_Min_Score__c'], DEFAULT_THRESHOLDS.hotMinScore),
        warmMinScore: num(t['Warm_Min_Score__c'], DEFAULT_THRESHOLDS.warmMinScore),
        fitWeight: num(t['Fit_Weight__c'], DEFAULT_THRESHOLDS.fitWeight),
        engagementWeight: num(t['Engagement_Weight__c'], DEFAULT_THRESHOLDS.engagementWeight)
      })
    : DEFAULT_THRESHOLDS;
  return { criteria, thresholds };
}
