/** File discovery shared by the package tests: everything under force-app/main/default. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const PACKAGE_ROOT = path.join(REPO_ROOT, 'force-app/main/default');

/** All files below `dir`, skipping jest folders (they are not deployed, see .forceignore). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__tests__' || entry.name === '__mocks__' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out.sort();
}

export function apexSourceFiles(): string[] {
  return listFiles(PACKAGE_ROOT).filter((f) => f.endsWith('.cls') || f.endsWith('.trigger'));
}

export function xmlFiles(): string[] {
  return listFiles(PACKAGE_ROOT).filter((f) => f.endsWith('.xml'));
}
