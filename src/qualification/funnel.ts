/**
 * Funnel_Stage__c derivation (docs/qualification.md). Stages only move forward here: demoting a lead is
 * the recycle job's decision (it sets Recycled, which this keeps), never a side effect of decay.
 */
import type { EvaluationResult } from './types';

export const FUNNEL_STAGES = ['Name', 'Engaged', 'Target', 'MQL', 'SAL', 'SQL'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number] | 'Recycled';

export interface FunnelRules {
  targetFitMin: number;
  mqlMinScore: number;
  salStatuses: readonly string[];
}

export interface FunnelInput {
  currentStage: string | null | undefined;
  status: string | null | undefined;
  salAcceptedDate: unknown;
}

/** The highest stage the lead's data supports. */
export function derivedStage(
  r: Pick<EvaluationResult, 'fitScore' | 'engagementScore' | 'totalScore' | 'grade' | 'convertible'>,
  lead: Pick<FunnelInput, 'status' | 'salAcceptedDate'>,
  rules: FunnelRules
): (typeof FUNNEL_STAGES)[number] {
  if (r.convertible) return 'SQL';
  const accepted = (lead.status != null && rules.salStatuses.includes(lead.status)) || (lead.salAcceptedDate != null && lead.salAcceptedDate !== '');
  if (accepted) return 'SAL';
  if (r.grade === 'Hot' || r.grade === 'Warm' || r.totalScore >= rules.mqlMinScore) return 'MQL';
  if (r.fitScore >= rules.targetFitMin) return 'Target';
  if (r.engagementScore > 0) return 'Engaged';
  return 'Name';
}

/** The stage to store: Recycled is kept; otherwise the later of the current and the derived stage. */
export function nextFunnelStage(
  r: Pick<EvaluationResult, 'fitScore' | 'engagementScore' | 'totalScore' | 'grade' | 'convertible'>,
  lead: FunnelInput,
  rules: FunnelRules
): FunnelStage {
  if (lead.currentStage === 'Recycled') return 'Recycled';
  const derived = derivedStage(r, lead, rules);
  const current = FUNNEL_STAGES.indexOf(lead.currentStage as (typeof FUNNEL_STAGES)[number]);
  return current > FUNNEL_STAGES.indexOf(derived) ? (lead.currentStage as FunnelStage) : derived;
}
