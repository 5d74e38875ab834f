import fc from 'fast-check';
import { clampEngagement, fitScoreFromScaled, gradeFor, scaledWeight, totalScore } from './scoring';
import { evaluate } from './engine';
import { DEFAULT_THRESHOLDS } from './types';

const weightsArb = fc.record({
  fitWeight: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
  engagementWeight: fc.integer({ min: 0, max: 100 }).map((n) => n / 100)
});

describe('scoring properties', () => {
  it('should make totalScore monotonic (non-decreasing) in engagement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), weightsArb, (fit, e1, e2, w) => {
        const [lo, hi] = e1 <= e2 ? [e1, e2] : [e2, e1];
        expect(totalScore(fit, lo, w)).toBeLessThanOrEqual(totalScore(fit, hi, w));
      })
    );
  });

  it('should make the evaluated totalScore monotonic in the lead engagement score', () => {
    const model = { criteria: [{ developerName: 'A', label: 'A', framework: 'Custom' as const, field: 'Champion__c', operator: 'isSet' as const, value: null, weight: 10, requiredForConversion: false, active: true, sortOrder: 1 }], thresholds: DEFAULT_THRESHOLDS };
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 200 }), fc.integer({ min: -50, max: 200 }), fc.boolean(), (e1, e2, set) => {
        const [lo, hi] = e1 <= e2 ? [e1, e2] : [e2, e1];
        const lead = (e: number) => ({ Champion__c: set ? 'x' : null, Engagement_Score__c: e });
        expect(evaluate(model, lead(lo), '2026-01-01').totalScore).toBeLessThanOrEqual(evaluate(model, lead(hi), '2026-01-01').totalScore);
      })
    );
  });

  it('should grade with inclusive thresholds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (total, a, b) => {
        const t = { hotMinScore: Math.max(a, b), warmMinScore: Math.min(a, b) };
        const grade = gradeFor(total, t);
        if (total >= t.hotMinScore) expect(grade).toBe('Hot');
        else if (total >= t.warmMinScore) expect(grade).toBe('Warm');
        else expect(grade).toBe('Cold');
        expect(gradeFor(t.hotMinScore, t)).toBe('Hot');
      })
    );
  });

  it('should keep fitScore within 0..100 and equal to the exact half-up ratio', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 }), (a, b) => {
        const [met, total] = a <= b ? [a, b] : [b, a];
        const fit = fitScoreFromScaled(met, total);
        expect(fit).toBeGreaterThanOrEqual(0);
        expect(fit).toBeLessThanOrEqual(100);
        if (total > 0) {
          // |fit - exact| <= 0.5 and ties go up.
          expect(Math.abs(fit * total - 100 * met) * 2).toBeLessThanOrEqual(total);
          if ((200 * met) % total === 0 && ((200 * met) / total) % 2 === 1) expect(fit * total).toBeGreaterThan(100 * met);
        }
      })
    );
  });

  it.each([
    [null, 0],
    [undefined, 0],
    ['', 0],
    ['55', 55],
    [55.5, 56],
    ['99.4', 99],
    [-1, 0],
    [101, 100],
    [Number.NaN, 0]
  ])('should clamp engagement %j to %j', (v, expected) => expect(clampEngagement(v)).toBe(expected));

  it('should scale weights with two decimals exactly', () => {
    expect(scaledWeight(0.29) + scaledWeight(0.11)).toBe(40);
    expect(scaledWeight(25)).toBe(2500);
  });
});
