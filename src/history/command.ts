import { Command, InvalidArgumentError } from 'commander';
import { runCommand } from '../cli';
import { formatRateWithN } from '../reports';
import { runHistory, runReport } from './run';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('Sync lead/opportunity stage history incrementally, write the funnel timeline back, run the SLA and follow-up job')
    .option('--full', 'ignore watermarks and re-read all history')
    .option('--no-write-back', 'do not write Funnel_Stage_Change__c rows or milestone dates')
    .option('--no-sla', 'do not run the SLA / follow-up job')
    .action(async (opts: { full?: boolean; writeBack?: boolean; sla?: boolean }, cmd: Command) => {
      await runCommand(cmd, 'history', async (rt) => {
        const s = await runHistory(rt, { full: opts.full, writeBack: opts.writeBack, sla: opts.sla });
        const failures = [...(s.writeBack?.failures ?? []), ...(s.sla?.failures ?? [])];
        return {
          ok: failures.length === 0,
          partial: failures.length > 0,
          summary: s,
          lines: [
            `Synced ${s.sync.leads} lead(s), ${s.sync.opportunities} opportunit(ies), ${s.sync.leadHistory} lead history and ${s.sync.opportunityHistory} opportunity history row(s)`,
            `Timelines: ${s.timelines}`,
            s.writeBack
              ? `Write-back: ${s.writeBack.stageChangesWritten} stage change(s) written, ${s.writeBack.stageChangesUnchanged} unchanged, removed ${s.writeBack.staleStageChangesRemoved} stale stage changes, ${s.writeBack.milestonesWritten} milestone update(s)`
              : 'Write-back: skipped',
            s.sla
              ? `SLA: ${s.sla.breaches} breach(es), ${s.sla.escalated} escalated, ${s.sla.recycled} recycled, ${s.sla.acceptByStamped} deadline(s) stamped; ${s.sla.followUpTasks} follow-up task(s)`
              : 'SLA: skipped',
            ...failures.slice(0, 20).map((f) => `  failed: ${JSON.stringify(f)}`)
          ]
        };
      });
    });

  program
    .command('report')
    .description('Funnel report from the synced history (definitions: docs/funnel-metrics.md): leads and lead-less deals apart, conversion by stage/channel/cohort, monthly trend, time in stage, velocity')
    .option('--format <format>', 'table (default), json, csv or html on stdout; files are always written', (v) => {
      if (!['table', 'json', 'csv', 'html'].includes(v)) throw new InvalidArgumentError('one of table, json, csv, html');
      return v;
    })
    .option('--out <dir>', 'directory for funnel-report.html/.csv/.json (default <outputDir>/reports)')
    .action(async (opts: { format?: string; out?: string }, cmd: Command) => {
      await runCommand(cmd, 'report', async (rt) => {
        const r = await runReport(rt, { outDir: opts.out });
        const fs = await import('node:fs');
        const body =
          opts.format === 'csv'
            ? fs.readFileSync(r.files.csv, 'utf8')
            : opts.format === 'html'
              ? fs.readFileSync(r.files.html, 'utf8')
              : opts.format === 'json'
                ? JSON.stringify(r.report, null, 2)
                : r.text;
        return {
          ok: true,
          summary: { files: r.files, subjects: r.report.subjects, report: r.report },
          lines: [
            body,
            '',
            `Leads: lead->SQL ${formatRateWithN(r.report.leads.leadToSql)}, lead->sale ${formatRateWithN(r.report.leads.leadToSale)}; ` +
              `deals without a lead: ${r.report.deals.subjects}, win rate ${formatRateWithN(r.report.deals.leadToSale)}`,
            `HTML report: ${r.files.html}`,
            `CSV: ${r.files.csv}  JSON: ${r.files.json}`
          ]
        };
      });
    });
}
