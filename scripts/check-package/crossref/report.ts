import path from 'node:path';
import type { Finding } from '../types';

/** Collects cross-reference findings with file paths relative to the project. */
export class FindingSink {
  readonly findings: Finding[] = [];
  constructor(private readonly projectDir: string) {}

  add(file: string, rule: string, message: string, line?: number): void {
    this.findings.push({
      gate: 'cross-reference',
      file: path.relative(this.projectDir, file),
      rule,
      message,
      ...(line ? { line } : {})
    });
  }
}
