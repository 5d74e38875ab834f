import { z } from 'zod';

const funnelStageOrSide = z.enum(['Name', 'Engaged', 'Target', 'MQL', 'Recycled', 'SAL', 'SQL']);

/** `history` section of leadflow.config.json (documented in docs/history.md). */
export const historyConfigSchema = z.object({
  /** Re-read this many minutes before the last watermark so rows committed late are not missed. */
  overlapMinutes: z.number().int().min(0).max(1440).default(10),
  /** Lead Status -> funnel stage. Funnel_Stage__c changes are used as they are. */
  statusStages: z.record(z.string(), funnelStageOrSide).default({
    'Open - Not Contacted': 'Name',
    'Working - Contacted': 'SAL',
    'Closed - Not Converted': 'Recycled'
  }),
  /**
   * ISO currency code for amounts when the org does not say (Organization.DefaultCurrencyIsoCode wins when
   * the sync could read it).
   */
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR').optional(),
  report: z
    .object({
      /** An open lead pass with no stage change for this many days counts as dropped (docs/funnel-metrics.md). */
      stallDays: z.number().int().min(1).max(3650).default(30)
    })
    .prefault({}),
  writeBack: z
    .object({
      /** Upsert Funnel_Stage_Change__c rows (by External_Id__c). */
      stageChanges: z.boolean().default(true),
      /** Write MQL/SQL/won milestone dates onto Lead and Opportunity. */
      milestones: z.boolean().default(true),
      /** Use Bulk API 2.0 above this many rows, collections below. */
      bulkThreshold: z.number().int().positive().default(5000)
    })
    .prefault({}),
  sla: z
    .object({
      /** Days sales has to accept an MQL (SAL_Accepted_Date__c or Status 'Working - Contacted'). */
      acceptWithinDays: z.number().positive().default(7),
      /** flag: set SAL_Accept_By__c only; escalate: Task for the manager; recycle: back to nurture. */
      action: z.enum(['flag', 'escalate', 'recycle']).default('escalate'),
      /** Who gets escalation Tasks when the owner has no manager. */
      escalateToUserId: z.string().optional(),
      /** Campaign that recycled leads join (CampaignMember). */
      nurtureCampaignId: z.string().optional(),
      recycledStatus: z.string().default('Closed - Not Converted')
    })
    .prefault({}),
  followUp: z
    .object({
      /** Only leads that became SQL within this many days get the cadence (older SQLs are not "new"). */
      newWithinDays: z.number().int().positive().default(14),
      /** Tasks created for each new SQL: day offsets from the SQL date. */
      cadence: z
        .array(z.object({ afterDays: z.number().int().min(0).max(365), subject: z.string().min(1).max(255) }))
        .default([
          { afterDays: 0, subject: 'Intro call with new SQL' },
          { afterDays: 3, subject: 'Follow up: send proposal outline' }
        ])
    })
    .prefault({})
});

export type HistoryConfig = z.infer<typeof historyConfigSchema>;

export function parseHistoryConfig(raw: unknown): HistoryConfig {
  return historyConfigSchema.parse(raw ?? {});
}
