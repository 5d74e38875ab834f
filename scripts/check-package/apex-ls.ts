import path from 'node:path';
import { z } from 'zod';
import { runJava } from './java';
import { GateRunError, type Finding, type GateResult } from './types';

const MAIN_CLASS = 'io.github.apexdevtools.apexls.CheckForIssues';

/** `-f json` output of CheckForIssues (apex-ls 6). */
const apexLsOutput = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      messages: z.array(
        z.object({
          start: z.object({ line: z.number() }),
          category: z.string(),
          message: z.string()
        })
      )
    })
  )
});

/** Categories that a real org's Apex compiler would also refuse (type errors, unknown types/fields/methods). */
const ERROR_CATEGORIES = new Set(['Error', 'Missing', 'Syntax']);

/**
 * Apex semantic analysis with apex-ls over the project (the directory holding sfdx-project.json): it loads the
 * package's objects, fields and custom metadata and checks every class and trigger against them and against
 * Salesforce's standard types. `-n`: no cache, so a stale cache in $HOME can never hide an error.
 */
export async function runApexLs(projectDir: string): Promise<GateResult> {
  const started = Date.now();
  const run = await runJava(
    'apex-ls',
    MAIN_CLASS,
    ['-n', '-f', 'json', '-d', 'unused', '-w', projectDir],
    projectDir
  );
  // Exit codes: 0 clean, 4 issues reported; anything else means apex-ls itself failed.
  if (run.code !== 0 && run.code !== 4) {
    throw new GateRunError(
      'apex-ls',
      `CheckForIssues exited with ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 2000)}`
    );
  }
  const jsonStart = run.stdout.indexOf('{');
  let parsed: z.infer<typeof apexLsOutput>;
  try {
    parsed = apexLsOutput.parse(JSON.parse(run.stdout.slice(jsonStart)));
  } catch (error) {
    throw new GateRunError(
      'apex-ls',
      `unreadable output (${(error as Error).message}): ${run.stdout.slice(0, 500)}`
    );
  }
  const errors: Finding[] = [];
  const notes: Finding[] = [];
  for (const file of parsed.files) {
    for (const message of file.messages) {
      const finding: Finding = {
        gate: 'apex-ls',
        file: path.relative(projectDir, file.path),
        line: message.start.line,
        rule: `apex-ls:${message.category}`,
        message: message.message
      };
      (ERROR_CATEGORIES.has(message.category) ? errors : notes).push(finding);
    }
  }
  return { gate: 'apex-ls', errors, notes, durationMs: Date.now() - started };
}
