// Jest reporter: after the default output, lists the ten test files that took longest (wall time per
// file as jest measured it), so whoever makes the suite slower sees it at the end of every `npm test`.
const path = require('node:path');

class SlowestFilesReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({ file: path.relative(this.rootDir, r.testFilePath), ms: r.perfStats.end - r.perfStats.start }))
      .filter((f) => Number.isFinite(f.ms) && f.ms > 0)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    if (files.length === 0) return;
    const lines = files.map((f, i) => `${String(i + 1).padStart(3)}. ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file}`);
    const wall = ((Date.now() - results.startTime) / 1000).toFixed(1);
    process.stderr.write(`\nSlowest test files (run wall time ${wall} s):\n${lines.join('\n')}\n`);
  }
}

module.exports = SlowestFilesReporter;
