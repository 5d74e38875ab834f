/**
 * Loader for the shared vectors (force-app/main/default/staticresources/QualificationVectors.json), used
 * by the tests here and by the Apex QualificationVectorsTest through the same file.
 */
import { z } from 'zod';
import { criterionSchema, thresholdsSchema } from './types';

export const vectorSchema = z.object({
  name: z.string().min(1),
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  criteria: z.array(criterionSchema),
  thresholds: thresholdsSchema,
  lead: z.record(z.string(), z.unknown()),
  expected: z.object({
    met: z.array(z.string()),
    missing: z.array(z.string()),
    fitScore: z.number(),
    engagementScore: z.number(),
    totalScore: z.number(),
    grade: z.enum(['Hot', 'Warm', 'Cold']),
    convertible: z.boolean(),
    missingCriteriaText: z.string(),
    /** Optional: the exact reason text of every missing criterion, in order. */
    missingReasons: z.array(z.string()).optional()
  })
});
export type Vector = z.infer<typeof vectorSchema>;
export const vectorFileSchema = z.object({ version: z.literal(1), vectors: z.array(vectorSchema).min(1) });
