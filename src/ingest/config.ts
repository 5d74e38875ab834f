/**
 * The `ingest` section of leadflow.config.json: lead sources, de-duplication policy, owner routing and
 * write tuning. Every option is documented in docs/ingest.md.
 */
import iconv from 'iconv-lite';
import { z } from 'zod';
import { PRESET_NAMES } from './presets';
import { CANONICAL_FIELDS } from './canonical';

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15 or 18 character Salesforce Id');

/** Header name(s) in the source file for one canonical field; the first header present wins. */
const mappingSchema = z.partialRecord(z.enum(CANONICAL_FIELDS), z.union([z.string(), z.array(z.string()).min(1)]));

export const sourceConfigSchema = z.object({
  /** Lower-case id; prefix of Source_External_Id__c (`<name>:<record id>`). */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (max 40)'),
  /** csv/json/ndjson files, or the web-form webhook inbox. Inferred from the file extension when omitted. */
  kind: z.enum(['csv', 'json', 'ndjson', 'webhook']).optional(),
  /** Default file for `leadflow ingest --source <name>` (relative to the working directory). */
  path: z.string().optional(),
  preset: z.enum(PRESET_NAMES).optional(),
  /** Overrides/extends the preset's column mapping. */
  mapping: mappingSchema.optional(),
  /** Source_System__c value (defaults to the source name). */
  sourceSystem: z.string().min(1).max(80).optional(),
  /** LeadSource (channel) for rows that don't carry one, e.g. "Web", "Trade Show", "LinkedIn". */
  leadSource: z.string().min(1).max(255).optional(),
  /** Campaign name every lead of this source joins (rows may name their own campaign column). */
  campaign: z.string().min(1).max(80).optional(),
  /** ISO 3166 alpha-2 used to parse national phone numbers when the row has no country. */
  defaultCountry: z.string().length(2).optional(),
  /** Company used when a row has none (Salesforce requires Lead.Company); without it such rows are rejected. */
  defaultCompany: z.string().min(1).max(255).optional(),
  /** CSV delimiter; detected (`,` `;` tab `|`) when omitted. */
  delimiter: z.string().min(1).max(2).optional(),
  /** CSV encoding (any iconv-lite name, e.g. "windows-1250", "utf-16le"); detected when omitted. */
  encoding: z
    .string()
    .refine((e) => iconv.encodingExists(e), { error: 'unknown encoding (e.g. "utf-8", "utf-16le", "windows-1250", "windows-1251", "windows-1252")' })
    .optional(),
  /** An invalid phone, mobile, website or country: "drop" the value and keep the lead, or "reject" the row. */
  onInvalidOptional: z.enum(['drop', 'reject']).default('drop'),
  /** Webhook: HMAC-SHA256 secret, or the name of the environment variable holding it (preferred). */
  secret: z.string().min(16).optional(),
  secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  /** Webhook: maximum body size in bytes. */
  bodyLimitBytes: z.number().int().positive().max(1_048_576).default(65_536),
  /** Webhook: accepted submissions per minute per client IP. */
  rateLimitPerMinute: z.number().int().positive().default(60),
  // Webhook hardening (defaults applied by webhookSettings() in webhook.ts, documented in docs/ingest.md):
  /** Webhook: allowed difference in seconds between the signature's `t=` and the server clock (default 300). */
  signatureToleranceSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Webhook: also accept the old body-only `sha256=<hex>` signature (no replay protection; logged once). */
  legacyBodySignature: z.boolean().optional(),
  /** Webhook: top-level body field with the sender's submission id, used without an Idempotency-Key header (default "submissionId"). */
  idempotencyKeyField: z.string().min(1).max(64).optional(),
  /** Webhook: deepest object/array nesting accepted in a JSON body (default 32; deeper gets 400 JSON_TOO_DEEP). */
  maxJsonDepth: z.number().int().min(1).max(256).optional()
});
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

const outOfOfficeSchema = z.union([
  z.boolean(),
  z.object({ from: z.iso.date(), to: z.iso.date() }).refine((r) => r.from <= r.to, 'from must not be after to')
]);

export const teamMemberSchema = z.object({
  userId: salesforceId,
  name: z.string().optional(),
  /** Maximum new leads leadflow assigns to this user per UTC day (counted in the store). */
  dailyCapacity: z.number().int().positive().optional(),
  /** true, or an inclusive date range (UTC) during which the user gets no new leads. */
  outOfOffice: outOfOfficeSchema.optional()
});
export type TeamMember = z.infer<typeof teamMemberSchema>;

const assignSchema = z.union([
  z.object({ ownerId: salesforceId, label: z.string().optional() }).strict(),
  z.object({ team: z.string().min(1) }).strict()
]);

export const routingRuleSchema = z.object({
  name: z.string().min(1),
  /** Every listed condition must hold; values compare case-insensitively. Countries are ISO alpha-2. */
  when: z
    .object({
      productInterest: z.array(z.string()).min(1).optional(),
      country: z.array(z.string()).min(1).optional(),
      state: z.array(z.string()).min(1).optional(),
      source: z.array(z.string()).min(1).optional()
    })
    .default({}),
  assign: assignSchema
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export const routingConfigSchema = z.object({
  rules: z.array(routingRuleSchema).default([]),
  teams: z
    .record(
      z.string(),
      z.object({
        members: z.array(teamMemberSchema).min(1),
        /** Owner (usually a queue) when every member is full or out of office. */
        overflowOwnerId: salesforceId.optional()
      })
    )
    .default({}),
  /** Owner when no rule matches (usually a queue). Unset: the lead keeps the integration user / org assignment rules. */
  defaultOwnerId: salesforceId.optional()
});
export type RoutingConfig = z.infer<typeof routingConfigSchema>;

export const dedupeConfigSchema = z.object({
  /** Match keys, tried in order: email, then website domain + normalised company + person name. */
  keys: z.array(z.enum(['email', 'domainAndName'])).default(['email', 'domainAndName']),
  /** Look for matches among the org's existing Leads and Contacts (costs one query per 200 values). */
  againstOrg: z.boolean().default(true),
  /** An existing (unconverted) Lead matched: update it with newer non-empty values, or skip the row. */
  onLeadMatch: z.enum(['update', 'skip']).default('update'),
  /** An existing Contact matched: attach the row's engagement to the contact, or skip the row. */
  onContactMatch: z.enum(['attach', 'skip']).default('attach')
});
export type DedupeConfig = z.infer<typeof dedupeConfigSchema>;

export const writeConfigSchema = z.object({
  /** Rows read, normalised, matched and written together. */
  batchSize: z.number().int().min(1).max(50_000).default(2_000),
  /** Upserts per batch at or above which Bulk API 2.0 is used instead of sObject Collections. */
  bulkThreshold: z.number().int().min(1).default(2_000),
  /** Retries of transient per-row failures (UNABLE_TO_LOCK_ROW, 5xx, ...). */
  maxRetries: z.number().int().min(0).max(10).default(4),
  retryBaseMs: z.number().int().min(0).default(500),
  /** Create a Campaign that a row names when it doesn't exist yet. */
  createMissingCampaigns: z.boolean().default(true),
  /** CampaignMember.Status for new members (must exist in the campaign's member statuses). */
  campaignMemberStatus: z.string().default('Responded')
});
export type WriteConfig = z.infer<typeof writeConfigSchema>;

export const ingestConfigSchema = z.object({
  sources: z.array(sourceConfigSchema).default([]),
  dedupe: dedupeConfigSchema.default(dedupeConfigSchema.parse({})),
  routing: routingConfigSchema.default(routingConfigSchema.parse({})),
  write: writeConfigSchema.default(writeConfigSchema.parse({}))
});
export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export class IngestConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid ingest configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'IngestConfigError';
  }
}

/** Parses the `ingest` section (unknown input from the config file) with precise, path-named errors. */
export function parseIngestConfig(raw: unknown): IngestConfig {
  const result = ingestConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new IngestConfigError(result.error.issues.map((i) => `ingest.${i.path.join('.')}: ${i.message}`));
  }
  const names = new Set<string>();
  for (const s of result.data.sources) {
    if (names.has(s.name)) throw new IngestConfigError([`ingest.sources: duplicate source name "${s.name}"`]);
    names.add(s.name);
  }
  return result.data;
}

export function findSource(config: IngestConfig, name: string): SourceConfig | undefined {
  return config.sources.find((s) => s.name === name);
}

/** The webhook secret: the env variable named by secretEnv wins over an inline secret. */
export function sourceSecret(source: SourceConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (source.secretEnv) {
    const v = env[source.secretEnv];
    if (v && v.length > 0) return v;
  }
  return source.secret;
}
