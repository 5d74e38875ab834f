/**
 * Fault-injection configuration (zod-validated: it arrives from CLI flags and the admin endpoint).
 * A rule fires either by rate (0..1, from a seeded RNG so runs are reproducible) or on given call numbers
 * (1-based, counted over the calls the rule matches), optionally only for a path prefix and methods.
 */
import { z } from 'zod';

export const FAULT_KINDS = [
  'REQUEST_LIMIT_EXCEEDED',
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'DROP_CONNECTION',
  'INVALID_SESSION_ID'
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultRuleSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    /** Probability per matching call (or per record for UNABLE_TO_LOCK_ROW with scope 'record'). */
    rate: z.number().min(0).max(1).optional(),
    /** 1-based numbers of the matching calls (records, for scope 'record') that fail. */
    calls: z.array(z.number().int().positive()).optional(),
    /**
     * Only calls whose path starts with this prefix, either the full path (/services/Soap) or the part after
     * /services/data/vXX.X (/jobs/ingest, /composite, /sobjects/Lead).
     */
    pathPrefix: z.string().startsWith('/').optional(),
    /** Only these HTTP methods (default: all; UNABLE_TO_LOCK_ROW with scope 'call' defaults to writes). */
    methods: z.array(z.string().toUpperCase()).optional(),
    /** UNABLE_TO_LOCK_ROW only: fail the whole call (400) or individual records inside DML. */
    scope: z.enum(['call', 'record']).default('call')
  })
  .refine((rule) => rule.rate !== undefined || (rule.calls !== undefined && rule.calls.length > 0), {
    message: 'a fault rule needs a rate (0..1) or a non-empty list of call numbers'
  });

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export const faultConfigSchema = z.object({
  /** RNG seed for rate-based rules; the sequence restarts whenever the configuration is replaced. */
  seed: z.number().int().default(1),
  rules: z.array(faultRuleSchema).default([])
});

export type FaultConfig = z.infer<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

/** Body of PUT /__emulator/faults: the rule set plus one-shot actions. */
export const faultUpdateSchema = faultConfigSchema.partial().extend({
  /** DailyApiRequests Max (the limit after which every call gets 403 REQUEST_LIMIT_EXCEEDED). */
  dailyApiLimit: z.number().int().nonnegative().optional(),
  /** Set the used count directly (e.g. Max - 1 to hit the limit on the next call). */
  apiUsed: z.number().int().nonnegative().optional(),
  /** Expire every access token issued so far (refresh tokens keep working). */
  expireTokensNow: z.boolean().optional(),
  /** Lifetime of tokens issued from now on, in seconds (null = never expire). */
  tokenTtlSeconds: z.number().positive().nullable().optional()
});

export type FaultUpdate = z.infer<typeof faultUpdateSchema>;

export class FaultConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid fault configuration: ${issues.join('; ')}`);
    this.name = 'FaultConfigError';
  }
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

export function parseFaultConfig(input: unknown): FaultConfig {
  const parsed = faultConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw new FaultConfigError(issuesOf(parsed.error));
  return parsed.data;
}

export function parseFaultUpdate(input: unknown): FaultUpdate {
  const parsed = faultUpdateSchema.safeParse(input ?? {});
  if (!parsed.success) throw new FaultConfigError(issuesOf(parsed.error));
  return parsed.data;
}

/**
 * CLI shorthand for one rule: `KIND[:rate=0.1|calls=5,9][:path=/composite][:scope=record][:methods=POST,PATCH]`,
 * e.g. `UNABLE_TO_LOCK_ROW:calls=5,9:path=/composite` or `SERVER_UNAVAILABLE:rate=0.05`.
 */
export function parseFaultRuleSpec(spec: string): FaultRule {
  const [kind, ...options] = spec.split(':');
  const raw: Record<string, unknown> = { kind: kind?.trim().toUpperCase() };
  for (const option of options) {
    const eq = option.indexOf('=');
    if (eq < 0) throw new FaultConfigError([`"${option}" in "${spec}" is not key=value`]);
    const key = option.slice(0, eq).trim();
    const value = option.slice(eq + 1).trim();
    if (key === 'rate') raw.rate = Number(value);
    else if (key === 'calls') raw.calls = value.split(',').map((n) => Number(n));
    else if (key === 'path') raw.pathPrefix = value;
    else if (key === 'scope') raw.scope = value;
    else if (key === 'methods') raw.methods = value.split(',');
    else
      throw new FaultConfigError([
        `unknown option "${key}" in "${spec}" (use rate, calls, path, scope, methods)`
      ]);
  }
  const parsed = faultRuleSchema.safeParse(raw);
  if (!parsed.success) throw new FaultConfigError(issuesOf(parsed.error));
  return parsed.data;
}
