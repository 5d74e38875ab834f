import { Command, InvalidArgumentError } from 'commander';
import { runCommand } from '../cli';
import { planTable, runConvert, type ConvertOptions } from './run';

function parseFilter(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected Field=Value, got "${value}"`);
  const field = value.slice(0, eq).trim();
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new InvalidArgumentError(`"${field}" is not a field API name`);
  return { ...previous, [field]: value.slice(eq + 1) };
}

function parseGrades(value: string): ('Hot' | 'Warm' | 'Cold')[] {
  const grades = value.split(',').map((g) => g.trim());
  for (const g of grades) if (!['Hot', 'Warm', 'Cold'].includes(g)) throw new InvalidArgumentError(`unknown grade "${g}" (Hot, Warm, Cold)`);
  return grades as ('Hot' | 'Warm' | 'Cold')[];
}

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('Convert qualified leads to Account + Contact + Opportunity (SOAP convertLead, 100 per call)')
    .option('--dry-run', 'print the plan (account/contact/opportunity per lead) without writing anything')
    .option('--grade <grades>', 'only these grades, comma-separated (Hot,Warm,Cold)', parseGrades)
    .option('--filter <Field=Value>', 'extra equality filter on a Lead field (repeatable; values are escaped)', parseFilter)
    .option('--limit <n>', 'convert at most n leads', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
      return n;
    })
    .option('--no-opportunity', 'do not create opportunities')
    .action(async (opts: { dryRun?: boolean; grade?: ConvertOptions['grades']; filter?: Record<string, string>; limit?: number; opportunity?: boolean }, cmd: Command) => {
      await runCommand(cmd, 'convert', async (rt) => {
        const result = await runConvert(rt, {
          dryRun: opts.dryRun,
          grades: opts.grade,
          filters: opts.filter,
          limit: opts.limit,
          createOpportunity: opts.opportunity === false ? false : undefined
        });
        const e = result.execution;
        const lines = result.dryRun
          ? [...planTable(result.plan), '', `Dry run: ${result.plan.leads.length} lead(s) planned, nothing written.`]
          : [
              `Converted ${e!.converted}, failed ${e!.failed}, skipped ${e!.skipped}; new accounts ${e!.accountsCreated}; convertLead calls ${e!.convertCalls}`,
              ...e!.outcomes
                .filter((o) => o.status !== 'converted')
                .map((o) => `  ${o.status} ${o.leadId}: ${o.errors.map((x) => `${x.statusCode}: ${x.message}`).join('; ')}`)
            ];
        return {
          ok: result.dryRun || e!.failed === 0,
          partial: !result.dryRun && e!.failed > 0 && e!.converted > 0,
          summary: result.dryRun ? { dryRun: true, plan: result.plan } : { dryRun: false, ...e, plan: result.plan },
          lines
        };
      });
    });
}
