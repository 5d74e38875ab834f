/** Public API of the history capability. */
export { historyConfigSchema, parseHistoryConfig, type HistoryConfig } from './config';
export { historyMigrations } from './migrations';
export { runHistory, runReport, type HistoryRunOptions, type HistoryRunSummary, type ReportRunResult } from './run';
export { syncHistory } from './sync';
export { buildTimelines, toVisits, type TimelineSubject } from './timeline';
export { writeBack, stageChangeExternalId, milestone } from './writeback';
export { runSlaAndFollowUps } from './sla';
export { registerHistoryCommand } from './command';
