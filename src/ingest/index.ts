/** Public API of the ingest capability. */
export { registerIngestCommand } from './command';
export { runIngest, runIngestSource, resolveSource, IngestError, type IngestOptions, type IngestSummary, type IngestAllSummary } from './run';
export { registerWebhookRoutes, createRateLimiter } from './webhook';
export { ingestMigrations } from './migrations';
export { ingestConfigSchema, parseIngestConfig, type IngestConfig, type SourceConfig } from './config';
export { listEngagementEvents, type EngagementEventRow } from './ledger';
export { signBody, verifySignature, SIGNATURE_HEADER } from './signature';
export { PRESETS, PRESET_NAMES, type PresetName } from './presets';
export { normaliseCountry, normaliseEmail, normalisePhone, normaliseWebsite, normaliseText, splitFullName } from './normalize';
export { registerRouteCommand, simulateRouting, type SimulateSummary } from './route-command';
export { routeWithDefinition, routeAll, fairnessReport, emptyRoutingState, routingDefinitionSchema, type RoutingDefinition, type RoutingDecision, type RoutingEngineState } from './routing-engine';
export { loadRoutingDefinition } from './routing-definition';
