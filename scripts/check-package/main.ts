/**
 * `npm run check:package [-- --project <dir>] [--only apex-ls,pmd,cross-reference,convert] [--json]`
 * Runs the package gates (Salesforce's analyzers plus our metadata cross-reference) and exits 1 on any finding,
 * 2 when a gate could not run (no Java, broken install).
 */
import path from 'node:path';
import { GATES } from './index';
import { GateRunError, type GateName, type GateResult } from './types';

interface Options {
  projectDir: string;
  only: GateName[];
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { projectDir: process.cwd(), only: Object.keys(GATES) as GateName[], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--project') options.projectDir = path.resolve(argv[++i] ?? '.');
    else if (arg === '--json') options.json = true;
    else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(n in GATES));
      if (unknown.length)
        throw new Error(`unknown gate(s) ${unknown.join(', ')}; gates: ${Object.keys(GATES).join(', ')}`);
      options.only = names as GateName[];
    } else
      throw new Error(
        `unknown argument ${arg}; usage: check-package [--project <dir>] [--only <gates>] [--json]`
      );
  }
  return options;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`check-package: ${(error as Error).message}\n`);
    return 2;
  }
  const results: GateResult[] = [];
  let broken = false;
  for (const gate of options.only) {
    try {
      results.push(await GATES[gate](options.projectDir));
    } catch (error) {
      broken = true;
      process.stderr.write(
        `check-package: ${error instanceof GateRunError ? error.message : (error as Error).stack}\n`
      );
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  } else {
    for (const r of results) {
      const status = r.errors.length === 0 ? 'ok' : `${r.errors.length} finding(s)`;
      process.stdout.write(`${r.gate}: ${status} (${(r.durationMs / 1000).toFixed(1)} s)\n`);
      for (const f of r.errors)
        process.stdout.write(`  ${f.file ?? ''}${f.line ? `:${f.line}` : ''} [${f.rule}] ${f.message}\n`);
      for (const f of r.notes)
        process.stdout.write(
          `  note: ${f.file ?? ''}${f.line ? `:${f.line}` : ''} [${f.rule}] ${f.message}\n`
        );
    }
  }
  if (broken) return 2;
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

void main().then((code) => {
  process.exitCode = code;
});
