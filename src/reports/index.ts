/** Public API of the reports capability: compute funnel metrics and render them. */
export * from './types';
export { computeFunnelReport, cohortKey, median, percentile } from './metrics';
export { renderCsv, renderHtml, renderTerminal, formatRate } from './render';
export { escapeCsvCell, escapeHtml } from './escape';
