/**
 * `leadflow qualify` command: thin wrapper over runQualify; messages and help kept here.
 */
import type { Command } from 'commander';
import { runCommand } from '../cli/run';
import type { CommandResult } from '../runtime/types';
import { runQualify, type QualifySummary } from './sweep';

const HELP = {
  description: 'Evaluate leads against the qualification criteria and write scores, grade, status and funnel stage back',
  all: 'evaluate every unconverted lead, not only those changed since the last sweep',
  dryRun: 'evaluate and report without writing to the org or moving the watermark'
};

export function summaryLines(s: QualifySummary): string[] {
  const lines = [
    `${s.dryRun ? 'Dry run: ' : ''}${s.resumed ? `Resumed run ${s.runId}` : `Run ${s.runId ?? '-'}`} (${s.mode}${s.since ? ` since ${s.since}` : ''}), criteria: ${s.criteria} from ${s.criteriaSource}`,
    `Evaluated ${s.evaluated} lead(s); ${s.changed} changed; written ${s.written}, failed ${s.failed} (${s.writeApi}, ${s.writeCalls} write call(s) in ${s.batches} batch(es))`,
    `Grades: ${fmt(s.byGrade)}; stages: ${fmt(s.byStage)}`
  ];
  if (s.storeEvents === 'table missing') lines.push('Note: no engagement_events table in the store; engagement uses org activity only');
  for (const e of s.errors) lines.push(`  ${e.id}: ${e.statusCode} ${e.message}`);
  return lines;
}

function fmt(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function registerQualifyCommand(program: Command): Command {
  return program
    .command('qualify')
    .description(HELP.description)
    .option('--all', HELP.all, false)
    .option('--dry-run', HELP.dryRun, false)
    .action(async (opts: { all: boolean; dryRun: boolean }, cmd: Command) => {
      await runCommand(cmd, 'qualify', async (rt): Promise<CommandResult<QualifySummary>> => {
        const summary = await runQualify(rt, { all: opts.all, dryRun: opts.dryRun, cwd: rt.cwd });
        return { ok: summary.failed === 0, partial: summary.failed > 0 && summary.written > 0, summary, lines: summaryLines(summary) };
      });
    });
}
