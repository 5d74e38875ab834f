/** Public API of the reports capability: compute funnel metrics and render them. */
export * from './types';
export { computeFunnelReport, cohortKey, median, percentile, passesOf, rateOf, stageOrder, type Pass, type StageOrder } from './metrics';
export { renderCsv, renderHtml, renderTerminal, formatRate, formatRateWithN } from './render';
export { escapeCsvCell, escapeHtml } from './escape';
