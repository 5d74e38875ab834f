/**
 * Qualification data model and its zod schemas (docs/qualification-spec.md). One schema per external
 * input: criteria (org custom metadata or a local JSON file) and scoring thresholds.
 */
import { z } from 'zod';

export const OPERATORS = [
  'isSet',
  'isNotSet',
  'equals',
  'notEquals',
  'greaterThan',
  'greaterOrEqual',
  'lessThan',
  'lessOrEqual',
  'contains',
  'in',
  'notIn',
  'isTrue',
  'isFalse',
  'withinNextDays',
  'withinLastDays'
] as const;
export type Operator = (typeof OPERATORS)[number];

export const FRAMEWORKS = ['BANT', 'MEDDIC', 'ICP', 'Custom'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** Operators that ignore Value__c. */
export const UNARY_OPERATORS: ReadonlySet<Operator> = new Set(['isSet', 'isNotSet', 'isTrue', 'isFalse']);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const criterionSchema = z
  .object({
    developerName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an API-style name (letters, digits, _)'),
    label: z.string().min(1),
    framework: z.enum(FRAMEWORKS).default('Custom'),
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Lead field API name'),
    operator: z.enum(OPERATORS, {
      error: (issue) => `Unknown operator ${JSON.stringify(issue.input)} (expected one of ${OPERATORS.join(', ')})`
    }),
    value: z.string().nullable().default(null),
    weight: z.number().min(0, 'must be >= 0'),
    requiredForConversion: z.boolean().default(false),
    active: z.boolean().default(true),
    sortOrder: z.number().nullable().default(null)
  })
  .superRefine((c, ctx) => {
    // Operand checks catch mistakes at load time instead of silently never matching.
    const v = c.value?.trim() ?? '';
    const need = (ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message });
    };
    switch (c.operator) {
      case 'greaterThan':
      case 'greaterOrEqual':
      case 'lessThan':
      case 'lessOrEqual':
        need(DECIMAL.test(v) || ISO_DATE.test(v), `${c.operator} needs a decimal number or a YYYY-MM-DD date`);
        break;
      case 'withinNextDays':
      case 'withinLastDays':
        need(/^\d+$/.test(v), `${c.operator} needs a whole number of days`);
        break;
      case 'equals':
      case 'notEquals':
      case 'contains':
      case 'in':
      case 'notIn':
        need(v.length > 0, `${c.operator} needs a value`);
        break;
      default:
        break;
    }
  });
export type CriterionInput = z.input<typeof criterionSchema>;
export type Criterion = z.infer<typeof criterionSchema>;

export const thresholdsSchema = z.object({
  hotMinScore: z.number().min(0).default(70),
  warmMinScore: z.number().min(0).default(40),
  fitWeight: z.number().min(0).default(0.6),
  engagementWeight: z.number().min(0).default(0.4)
});
export type Thresholds = z.infer<typeof thresholdsSchema>;
export const DEFAULT_THRESHOLDS: Thresholds = { hotMinScore: 70, warmMinScore: 40, fitWeight: 0.6, engagementWeight: 0.4 };

export type Grade = 'Hot' | 'Warm' | 'Cold';
export type QualificationStatus = 'Qualified' | 'Not Qualified';

/** A lead as the engine sees it: field API name -> value as returned by the REST API. */
export type LeadValues = Readonly<Record<string, unknown>>;

export interface MissingCriterion {
  developerName: string;
  label: string;
  requiredForConversion: boolean;
  reason: string;
}

export interface EvaluationResult {
  met: string[];
  missing: string[];
  /** Reasons for every missing criterion, in evaluation order. */
  missingDetails: MissingCriterion[];
  fitScore: number;
  engagementScore: number;
  totalScore: number;
  grade: Grade;
  convertible: boolean;
  qualificationStatus: QualificationStatus;
  /** Labels of unmet required criteria. */
  missingRequired: string[];
  /** Value for Missing_Criteria__c: missingRequired joined by '; ' ('' when convertible). */
  missingCriteriaText: string;
}

/** Criteria plus thresholds: everything the engine needs besides the lead and today. */
export interface QualificationModel {
  criteria: Criterion[];
  thresholds: Thresholds;
}
