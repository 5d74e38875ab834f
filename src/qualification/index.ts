/** Public API of the qualification capability. */
export { registerQualifyCommand, summaryLines } from './command';
export { runQualify, changedFields, orgToday, OUTPUT_FIELDS, WATERMARK_NAME, type QualifyOptions, type QualifySummary } from './sweep';
export { evaluate, evaluateLead, compileModel, type CompiledModel } from './engine';
export { evaluateOperator, describeMissing, isBlank } from './operators';
export { totalScore, gradeFor, fitScoreFromScaled } from './scoring';
export { engagementScore, decayFactor, classifyTask, classifyCampaignResponse, classifyStoredEvent, DEFAULT_POINTS, ENGAGEMENT_TYPES, type EngagementActivity, type EngagementType } from './engagement';
export { nextFunnelStage, derivedStage, FUNNEL_STAGES, type FunnelStage } from './funnel';
export { loadCriteriaFile, loadCriteriaFromOrg, criteriaFileSchema } from './criteria';
export { qualificationConfigSchema, parseQualificationConfig, type QualificationConfig } from './config';
export { qualificationMigrations } from './migrations';
export { PRESETS } from './presets';
export * from './types';
