/**
 * The pure qualification engine: criteria + thresholds + lead + today -> result.
 * `compileModel` sorts and pre-scales the criteria once so a sweep evaluates many leads cheaply.
 */
import { compileOperator, describeMissing, type CompiledTest } from './operators';
import { clampEngagement, fitScoreFromScaled, gradeFor, scaledWeight, totalScore } from './scoring';
import type { Criterion, EvaluationResult, LeadValues, MissingCriterion, QualificationModel, Thresholds } from './types';

export interface CompiledModel {
  /** Active criteria in evaluation order. */
  readonly criteria: readonly Criterion[];
  readonly scaledWeights: readonly number[];
  readonly totalScaledWeight: number;
  readonly thresholds: Thresholds;
  /** Lead fields the criteria read. */
  readonly fields: readonly string[];
  /** Compiled operator tests per org "today" (the date decides withinNext/LastDays). */
  readonly testsByDay: Map<string, readonly CompiledTest[]>;
}

function testsFor(model: CompiledModel, today: string): readonly CompiledTest[] {
  let tests = model.testsByDay.get(today);
  if (!tests) {
    tests = model.criteria.map((c) => compileOperator(c.operator, c.value, today));
    model.testsByDay.set(today, tests);
  }
  return tests;
}

/** Ascending Sort_Order__c (blank last), ties by DeveloperName (case-sensitive, like Apex String.compareTo). */
export function byEvaluationOrder(a: Criterion, b: Criterion): number {
  const sa = a.sortOrder ?? Number.POSITIVE_INFINITY;
  const sb = b.sortOrder ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.developerName < b.developerName ? -1 : a.developerName > b.developerName ? 1 : 0;
}

export function compileModel(model: QualificationModel): CompiledModel {
  const criteria = model.criteria.filter((c) => c.active).sort(byEvaluationOrder);
  const scaledWeights = criteria.map((c) => scaledWeight(c.weight));
  return {
    criteria,
    scaledWeights,
    totalScaledWeight: scaledWeights.reduce((s, w) => s + w, 0),
    thresholds: model.thresholds,
    fields: [...new Set(criteria.map((c) => c.field))],
    testsByDay: new Map()
  };
}

/** Evaluates one lead. `today` is the org's date (YYYY-MM-DD). */
export function evaluateLead(model: CompiledModel, lead: LeadValues, today: string): EvaluationResult {
  const met: string[] = [];
  const missing: string[] = [];
  const missingDetails: MissingCriterion[] = [];
  const missingRequired: string[] = [];
  let metScaled = 0;
  const tests = testsFor(model, today);
  for (let i = 0; i < model.criteria.length; i++) {
    const c = model.criteria[i] as Criterion;
    const v = lead[c.field];
    if ((tests[i] as CompiledTest)(v)) {
      met.push(c.developerName);
      metScaled += model.scaledWeights[i] as number;
    } else {
      missing.push(c.developerName);
      missingDetails.push({
        developerName: c.developerName,
        label: c.label,
        requiredForConversion: c.requiredForConversion,
        reason: describeMissing(c, v)
      });
      if (c.requiredForConversion) missingRequired.push(c.label);
    }
  }
  const fitScore = fitScoreFromScaled(metScaled, model.totalScaledWeight);
  const engagementScore = clampEngagement(lead['Engagement_Score__c']);
  const total = totalScore(fitScore, engagementScore, model.thresholds);
  const convertible = missingRequired.length === 0;
  return {
    met,
    missing,
    missingDetails,
    fitScore,
    engagementScore,
    totalScore: total,
    grade: gradeFor(total, model.thresholds),
    convertible,
    qualificationStatus: convertible ? 'Qualified' : 'Not Qualified',
    missingRequired,
    missingCriteriaText: missingRequired.join('; ')
  };
}

/** Convenience for one-off evaluations (compiles the model each call). */
export function evaluate(model: QualificationModel, lead: LeadValues, today: string): EvaluationResult {
  return evaluateLead(compileModel(model), lead, today);
}
