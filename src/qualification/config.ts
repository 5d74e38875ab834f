/**
 * `qualification` section of leadflow.config.json (documented in docs/qualification.md).
 */
import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import { ENGAGEMENT_TYPES } from './engagement';

export const qualificationConfigSchema = z
  .object({
    /** Criteria source: the org's custom metadata (default) or a local JSON file (set criteriaFile). */
    criteriaFile: z.string().min(1).optional(),
    /** The org's time zone for "today" in withinNextDays/withinLastDays (IANA name). */
    timeZone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as UTC or Europe/Paris')
      .default('UTC'),
    engagement: z
      .object({
        /** Days after which an activity counts half. */
        halfLifeDays: z.number().positive().default(30),
        /** Activity older than this is not read at all (its weight would be < 2^-(lookback/halfLife)). */
        lookbackDays: z.number().int().positive().default(180),
        /** Points per activity type before decay; overrides merge with the defaults. */
        points: z.partialRecord(z.enum(ENGAGEMENT_TYPES), z.number().min(0)).default({})
      })
      .prefault({}),
    funnel: z
      .object({
        /** Target stage: fit score at least this (inclusive). */
        targetFitMin: z.number().min(0).max(100).default(50),
        /** MQL stage: grade Hot/Warm, or total score at least this (inclusive). */
        mqlMinScore: z.number().min(0).max(100).default(40),
        /** Lead Status values that mean sales accepted the lead (SAL). */
        salStatuses: z.array(z.string().min(1)).default(['Working - Contacted'])
      })
      .prefault({}),
    sweep: z
      .object({
        /** Re-read this many seconds before the watermark (clock skew, late commits). */
        overlapSeconds: z.number().int().min(0).default(300),
        /** Leads per activity read (Task / CampaignMember IN lists); max 500 keeps the GET URL under the 16 KB REST URI limit. */
        readChunkSize: z.number().int().min(1).max(500).default(500),
        /** Use Bulk API 2.0 when more than this many leads changed; collections (200 per call) otherwise. */
        bulkThreshold: z.number().int().min(0).default(2000),
        /** Records per Bulk API job (one checkpoint per job). */
        bulkBatchSize: z.number().int().min(200).max(150000).default(10000)
      })
      .prefault({})
  })
  .prefault({});

export type QualificationConfig = z.infer<typeof qualificationConfigSchema>;

/** Parses the raw `qualification` section; errors carry key paths under `qualification.`. */
export function parseQualificationConfig(raw: unknown): QualificationConfig {
  const parsed = qualificationConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => ({ path: ['qualification', ...i.path.map(String)].join('.'), message: i.message })),
    'qualification config'
  );
}
