import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const sfdxProject = z.object({
  packageDirectories: z.array(z.object({ path: z.string() })).min(1)
});

/** The package directories of an SFDX project, absolute. */
export function packageDirectories(projectDir: string): string[] {
  const file = path.join(projectDir, 'sfdx-project.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot be read as JSON (${(error as Error).message})`);
  }
  const parsed = sfdxProject.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
    );
  }
  return parsed.data.packageDirectories.map((d) => path.resolve(projectDir, d.path));
}

/** Every file under the package directories whose name ends with one of `suffixes`; __tests__ and node_modules skipped. */
export function packageFiles(projectDir: string, suffixes: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === 'node_modules' || entry === '__tests__' || entry === '__mocks__' || entry.startsWith('.'))
        continue;
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (suffixes.some((s) => entry.endsWith(s))) out.push(full);
    }
  };
  for (const dir of packageDirectories(projectDir)) walk(dir);
  return out;
}
