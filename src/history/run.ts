/**
 * Library entry points of the history capability (used by `leadflow history`, `leadflow report`
 * and `npm start`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { computeFunnelReport, renderCsv, renderHtml, renderTerminal, type FunnelReport } from '../reports';
import type { Runtime } from '../runtime/types';
import { parseHistoryConfig } from './config';
import { readOrgFunnelMeta } from './org-meta';
import { runSlaAndFollowUps, type SlaSummary } from './sla';
import { syncHistory, type SyncSummary } from './sync';
import { buildTimelines } from './timeline';
import { writeBack, type WriteBackSummary } from './writeback';

export interface HistoryRunOptions {
  /** Ignore watermarks and re-read everything. */
  full?: boolean;
  /** Skip writing Funnel_Stage_Change__c rows and milestone dates. */
  writeBack?: boolean;
  /** Skip the SLA and follow-up job. */
  sla?: boolean;
}

export interface HistoryRunSummary {
  sync: SyncSummary;
  timelines: number;
  writeBack: WriteBackSummary | null;
  sla: SlaSummary | null;
}

export async function runHistory(runtime: Runtime, opts: HistoryRunOptions = {}): Promise<HistoryRunSummary> {
  const config = parseHistoryConfig(runtime.config.history);
  const org = await runtime.org();
  const sync = await syncHistory(org, runtime.store, config, { full: opts.full });
  runtime.logger.info({ sync }, 'history synced');
  const timelines = await buildTimelines(runtime.store, config);
  const wb = opts.writeBack === false ? null : await writeBack(org, runtime.store, timelines, config, { full: opts.full });
  const sla = opts.sla === false ? null : await runSlaAndFollowUps(org, runtime.store, config, runtime.now());
  return { sync, timelines: timelines.length, writeBack: wb, sla };
}

export type ReportFormat = 'table' | 'json' | 'csv' | 'html';

export interface ReportRunResult {
  report: FunnelReport;
  /** Files written (html and csv always; json too). */
  files: { html: string; csv: string; json: string };
  text: string;
}

/** Computes the funnel report from the store (run `history` first to refresh it) and writes html/csv/json. */
export async function runReport(runtime: Runtime, opts: { outDir?: string } = {}): Promise<ReportRunResult> {
  const config = parseHistoryConfig(runtime.config.history);
  const timelines = await buildTimelines(runtime.store, config);
  const meta = await readOrgFunnelMeta(runtime.store);
  const report = computeFunnelReport(timelines, runtime.now(), {
    opportunityStages: meta.opportunityStages ?? undefined,
    currency: meta.currency ?? config.currency ?? null,
    stallDays: config.report.stallDays
  });
  const outDir = opts.outDir ?? path.join(runtime.outputDir, 'reports');
  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    html: path.resolve(outDir, 'funnel-report.html'),
    csv: path.resolve(outDir, 'funnel-report.csv'),
    json: path.resolve(outDir, 'funnel-report.json')
  };
  fs.writeFileSync(files.html, renderHtml(report));
  fs.writeFileSync(files.csv, renderCsv(report));
  fs.writeFileSync(files.json, JSON.stringify(report, null, 2));
  return { report, files, text: renderTerminal(report) };
}
