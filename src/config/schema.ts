/**
 * Root configuration schema (leadflow.config.json). Each capability owns its section's schema in
 * src/<cap>/config.ts and is composed here. Every option is documented in docs/configuration.md.
 */
import { z } from 'zod';

export const orgConfigSchema = z
  .object({
    /** sf CLI alias or username; when unset, env credentials or the local emulator are used. */
    targetOrg: z.string().min(1).optional(),
    apiVersion: z.string().regex(/^\d{2}\.0$/, 'must look like 62.0').default('62.0')
  })
  .default({ apiVersion: '62.0' });

export const configSchema = z.object({
  org: orgConfigSchema,
  /** Where run artefacts (reject files, reports) are written. */
  outputDir: z.string().default('.leadflow/out'),
  // Capability sections (replace z.any() with the capability's own schema when it lands):
  qualification: z.any().optional(),
  ingest: z.any().optional(),
  conversion: z.any().optional(),
  history: z.any().optional(),
  serve: z.any().optional()
});

export type LeadflowConfig = z.infer<typeof configSchema>;
