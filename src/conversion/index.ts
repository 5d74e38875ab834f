/** Public API of the conversion capability. */
export { conversionConfigSchema, parseConversionConfig, type ConversionConfig } from './config';
export { conversionMigrations } from './migrations';
export { runConvert, planTable, type ConvertOptions, type ConvertRunResult } from './run';
export { buildPlan, selectConvertibleSoql, type ConversionPlan, type LeadPlan } from './plan';
export { executePlan, type ExecuteSummary, type LeadOutcome } from './execute';
export { normaliseCompanyName, websiteDomain, emailDomain, PERSONAL_EMAIL_DOMAINS } from './matching-keys';
export { registerConvertCommand } from './command';
export { decideMatch, type MatchDecision } from './matching';
export { REASON_TEMPLATES, reasonLine, type PreviewReason, type ReasonCode } from './reasons';
