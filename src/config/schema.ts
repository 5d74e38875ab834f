/**
 * Root configuration schema (leadflow.config.json). Each capability owns its section's schema in
 * src/<cap>/config.ts and is composed here. Every option is documented in docs/configuration.md.
 */
import { z } from 'zod';
import { serveConfigSchema } from '../serve/config';
import { ingestConfigSchema } from '../ingest/config';
import { qualificationConfigSchema } from '../qualification/config';

export const orgConfigSchema = z
  .object({
    /** sf CLI alias or username; when unset, env credentials or the local emulator are used. */
    targetOrg: z.string().min(1).optional(),
    apiVersion: z.string().regex(/^\d{2}\.0$/, 'must look like 62.0').default('62.0'),
    /** Local emulator URL used when neither targetOrg nor SF_* env credentials are set (default http://127.0.0.1:4010). */
    emulatorUrl: z.string().url().optional(),
    /** Bulk API 2.0 job poll interval in milliseconds. */
    bulkPollIntervalMs: z.number().int().min(50).max(60000).default(1000)
  })
  .prefault({});

/** The service's own database (see src/store). */
export const storeConfigSchema = z
  .object({
    /** PGlite data directory, used when databaseUrl is not set. */
    dataDir: z.string().min(1).default('.leadflow/store'),
    /** postgres:// URL of a PostgreSQL server (env DATABASE_URL); several service instances may share it. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional()
  })
  .prefault({});

export const configSchema = z.object({
  org: orgConfigSchema,
  /** Where run artefacts (reject files, reports) are written. */
  outputDir: z.string().default('.leadflow/out'),
  store: storeConfigSchema,
  /** Log level on stderr (--verbose sets debug). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Capability sections (replace z.any() with the capability's own schema when it lands):
  qualification: qualificationConfigSchema,
  ingest: ingestConfigSchema.optional(),
  conversion: z.any().optional(),
  history: z.any().optional(),
  serve: serveConfigSchema
});

export type LeadflowConfig = z.infer<typeof configSchema>;
