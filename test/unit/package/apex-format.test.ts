import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apexSourceFiles, REPO_ROOT } from './package-files';

// Prettier 3 loads its plugins with dynamic import(), which jest's VM cannot run without
// --experimental-vm-modules; so the check runs in a plain Node child process, once for all files.
const CHECK_SCRIPT = `
import { readFileSync } from 'node:fs';
import * as prettier from 'prettier';
const results = {};
for (const file of process.argv.slice(1)) {
  const options = await prettier.resolveConfig(file);
  results[file] = await prettier.check(readFileSync(file, 'utf8'), { ...options, filepath: file });
}
process.stdout.write(JSON.stringify(results));
`;

function checkFormatting(files: string[]): Record<string, boolean> {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', CHECK_SCRIPT, ...files], {
    cwd: REPO_ROOT,
    encoding: 'utf8'
  });
  return JSON.parse(output) as Record<string, boolean>;
}

describe('Apex formatting', () => {
  const files = apexSourceFiles();
  let results: Record<string, boolean> = {};

  beforeAll(() => {
    results = checkFormatting(files);
  }, 60_000);

  it('should find the package Apex sources', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))(
    'should be Prettier-formatted (prettier-plugin-apex) when %s is checked',
    (_name, file) => {
      expect(results[file]).toBe(true);
    }
  );

  it('should report a badly formatted class when one is checked', () => {
    // Inside the repo so the project's .prettierrc (which loads prettier-plugin-apex) applies.
    const dir = mkdtempSync(path.join(REPO_ROOT, 'tmp-apex-format-'));
    const file = path.join(dir, 'Ugly.cls');
    try {
      writeFileSync(file, 'public class Ugly{public void   run(){Integer x=1;}}');
      expect(checkFormatting([file])[file]).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
