/** `leadflow ingest <file> | --source <name> [--preset p] [--dry-run] [--batch-size n]`. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runCommand } from '../cli';
import { PRESET_NAMES, type PresetName } from './presets';
import { runIngest } from './run';


export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Load leads from a CSV/JSON/NDJSON file or a webhook source into Salesforce (validated, normalised, de-duplicated, routed)')
    .argument('[file]', 'CSV, JSON or NDJSON file (default: the source\'s configured path)')
    .option('--source <name>', 'configured source (ingest.sources[].name); for webhook sources, processes the queued submissions')
    .addOption(new Option('--preset <preset>', 'column mapping preset').choices([...PRESET_NAMES]))
    .option('--dry-run', 'read, validate and match, but write nothing to Salesforce or the store')
    .option('--batch-size <n>', 'rows per batch (overrides ingest.write.batchSize)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
      return n;
    })
    .action(async (file: string | undefined, opts: { source?: string; preset?: PresetName; dryRun?: boolean; batchSize?: number }, cmd: Command) => {
      await runCommand(cmd, 'ingest', (rt) =>
        runIngest(rt, { file, source: opts.source, preset: opts.preset, dryRun: opts.dryRun, batchSize: opts.batchSize })
      );
    });
}
