/**
 * Score arithmetic. Apex computes with Decimal (exact); JavaScript doubles would turn 0.6 * 75 into
 * 45.00000000000001 or 62.5 into 62.49999999, flipping a half-up rounding. So weights are scaled to
 * integers first and every division is done once, on integers, with explicit half-up rounding.
 */
import type { Grade, Thresholds } from './types';

/** Scale for weights: Weight__c has 2 decimals, Fit/Engagement weights 2 (we allow up to 6). */
const WEIGHT_SCALE = 100;
const RATIO_SCALE = 1_000_000;

/** Integer n/d rounded half-up (n >= 0, d > 0). */
function divHalfUp(n: number, d: number): number {
  return Math.floor((2 * n + d) / (2 * d));
}

/** Round half-up of a non-negative number (Math.round; Apex RoundingMode.HALF_UP). */
export function roundHalfUp(x: number): number {
  return Math.round(x);
}

export function scaledWeight(weight: number): number {
  return Math.round(weight * WEIGHT_SCALE);
}

/** round(100 * met / total), 0 when total is 0; inputs are scaled weights (integers). */
export function fitScoreFromScaled(metScaled: number, totalScaled: number): number {
  if (totalScaled <= 0) return 0;
  return divHalfUp(100 * metScaled, totalScaled);
}

/** Engagement used for scoring: blank or unparsable -> 0, clamped to 0..100, rounded half-up (the field is Number(3,0)). */
export function clampEngagement(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : 0;
  if (!Number.isFinite(n)) return 0;
  return Math.round(Math.min(100, Math.max(0, n)));
}

/** round(fitWeight * fit + engagementWeight * engagement), half-up, computed exactly. */
export function totalScore(fit: number, engagement: number, t: Pick<Thresholds, 'fitWeight' | 'engagementWeight'>): number {
  const fw = Math.round(t.fitWeight * RATIO_SCALE);
  const ew = Math.round(t.engagementWeight * RATIO_SCALE);
  // fit and engagement are integers in practice; scale them too so fractional engagement stays exact enough.
  const fitS = Math.round(fit * WEIGHT_SCALE);
  const engS = Math.round(engagement * WEIGHT_SCALE);
  return divHalfUp(fw * fitS + ew * engS, RATIO_SCALE * WEIGHT_SCALE);
}

/** Hot / Warm / Cold; both thresholds inclusive. */
export function gradeFor(total: number, t: Pick<Thresholds, 'hotMinScore' | 'warmMinScore'>): Grade {
  if (total >= t.hotMinScore) return 'Hot';
  if (total >= t.warmMinScore) return 'Warm';
  return 'Cold';
}
