import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runJava } from './java';
import { packageFiles } from './project';
import { GateRunError, type Finding, type GateResult } from './types';

/** Code Analyzer's own entry point into PMD (the npm package ships no PMD CLI). */
const WRAPPER = 'com.salesforce.sfca.pmdwrapper.PmdWrapper';
/** Code Analyzer's AppExchange security review ruleset for Apex, inside sfca-pmd-rules.jar. */
const APPEXCHANGE_RULESET = 'sfca/rulesets/AppExchange_apex.xml';
/**
 * Categories that gate the package. Security and Performance must be clean; Best Practices findings must be fixed
 * or suppressed next to the code (@SuppressWarnings('PMD.Rule') or // NOPMD with a reason), which PMD honours.
 */
export const GATING_RULESETS = ['Security', 'Performance', 'Best Practices', 'AppExchange_apex'];

const ruleInfo = z.array(
  z.object({
    name: z.string(),
    languageId: z.string(),
    ruleSets: z.array(z.string()),
    ruleSetFile: z.string()
  })
);
const runResults = z.object({
  violations: z.array(
    z.object({
      rule: z.string(),
      message: z.string(),
      codeLocation: z.object({ file: z.string(), startLine: z.number() })
    })
  ),
  processingErrors: z.array(z.object({ file: z.string(), message: z.string() }))
});

export async function runPmd(projectDir: string): Promise<GateResult> {
  const started = Date.now();
  const files = packageFiles(projectDir, ['.cls', '.trigger']);
  if (files.length === 0) return { gate: 'pmd', errors: [], notes: [], durationMs: 0 };
  const work = mkdtempSync(path.join(os.tmpdir(), 'leadflow-pmd-'));
  try {
    const customRulesets = path.join(work, 'custom-rulesets.txt');
    writeFileSync(customRulesets, `${APPEXCHANGE_RULESET}\n`);
    const rulesFile = path.join(work, 'rules.json');
    const describe = await runJava('pmd', WRAPPER, ['describe', rulesFile, customRulesets, 'apex'], work);
    if (describe.code !== 0)
      throw new GateRunError('pmd', `rule listing failed: ${describe.stderr.trim().slice(0, 2000)}`);
    const rules = ruleInfo
      .parse(JSON.parse(readFileSync(rulesFile, 'utf8')))
      .filter((r) => r.languageId === 'apex' && r.ruleSets.some((s) => GATING_RULESETS.includes(s)));
    const categoryOf = new Map(rules.map((r) => [r.name, r.ruleSets.join(', ')]));
    const ruleset = path.join(work, 'ruleset.xml');
    writeFileSync(
      ruleset,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<ruleset name="leadflow-package" xmlns="http://pmd.sourceforge.net/ruleset/2.0.0">',
        '  <description>Leadflow package gate</description>',
        ...rules.map((r) => `  <rule ref="${r.ruleSetFile}/${r.name}"/>`),
        '</ruleset>'
      ].join('\n')
    );
    const input = path.join(work, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({ ruleSetInputFile: ruleset, runDataPerLanguage: { apex: { filesToScan: files } } })
    );
    const resultsFile = path.join(work, 'results.json');
    const run = await runJava('pmd', WRAPPER, ['run', input, resultsFile], work);
    if (run.code !== 0) throw new GateRunError('pmd', `run failed: ${run.stderr.trim().slice(0, 2000)}`);
    const results = runResults.parse(JSON.parse(readFileSync(resultsFile, 'utf8')));
    const errors: Finding[] = results.violations.map((v) => ({
      gate: 'pmd',
      file: path.relative(projectDir, v.codeLocation.file),
      line: v.codeLocation.startLine,
      rule: `${v.rule} (${categoryOf.get(v.rule) ?? 'PMD'})`,
      message: v.message
    }));
    // A file PMD cannot parse is not analysed at all, so it must fail the gate too.
    for (const e of results.processingErrors) {
      errors.push({
        gate: 'pmd',
        file: path.relative(projectDir, e.file),
        rule: 'ProcessingError',
        message: e.message.split('\n')[0] ?? e.message
      });
    }
    return { gate: 'pmd', errors, notes: [], durationMs: Date.now() - started };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
