import fs from 'node:fs';
import path from 'node:path';
import { evaluate } from './engine';
import { OPERATORS } from './types';
import { vectorFileSchema } from './vectors';

const VECTOR_FILE =
  process.env.QUALIFICATION_VECTORS ??
  path.join(__dirname, '../../force-app/main/default/staticresources/QualificationVectors.json');
const file = vectorFileSchema.parse(JSON.parse(fs.readFileSync(VECTOR_FILE, 'utf8')));

describe('shared qualification vectors', () => {
  it('should cover every operator, rounding, thresholds, inactive criteria and zero weight', () => {
    expect(file.vectors.length).toBeGreaterThanOrEqual(20);
    const used = new Set(file.vectors.flatMap((v) => v.criteria.map((c) => c.operator)));
    expect([...OPERATORS].filter((op) => !used.has(op))).toEqual([]);
    expect(file.vectors.some((v) => v.criteria.some((c) => !c.active))).toBe(true);
    expect(file.vectors.some((v) => v.criteria.length > 0 && v.criteria.every((c) => c.weight === 0 || !c.active))).toBe(true);
    expect(new Set(file.vectors.map((v) => v.name)).size).toBe(file.vectors.length);
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    const result = evaluate({ criteria: vector.criteria, thresholds: vector.thresholds }, vector.lead, vector.today);
    const { missingReasons, ...expected } = vector.expected;
    expect({
      met: result.met,
      missing: result.missing,
      fitScore: result.fitScore,
      engagementScore: result.engagementScore,
      totalScore: result.totalScore,
      grade: result.grade,
      convertible: result.convertible,
      missingCriteriaText: result.missingCriteriaText
    }).toEqual(expected);
    expect(result.qualificationStatus).toBe(result.convertible ? 'Qualified' : 'Not Qualified');
    if (missingReasons) expect(result.missingDetails.map((m) => m.reason)).toEqual(missingReasons);
  });
});
