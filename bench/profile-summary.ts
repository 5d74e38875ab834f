/**
 * Summarises V8 CPU profiles (`node --cpu-prof`) by where self time is spent: per package / source area
 * and per function. Used to profile a bench section before optimising it (docs/emulator.md, Performance):
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts conversion
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 * Not a benchmark itself (no run() export), so `npm run bench` skips it.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the process a frame belongs to: an npm package, a project folder, or the runtime. */
export function areaOf(url: string, functionName: string): string {
  if (url.startsWith('wasm://')) return 'PGlite (wasm)';
  if (!url) return functionName === '(garbage collector)' ? 'GC' : functionName.startsWith('(') ? functionName : 'native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node core';
  const local = /\/work\/[^/]+\/(emulator|src|bench|scripts)\/([^/]+)/.exec(url);
  if (local) return `${local[1]}/${local[2]}`;
  return 'other';
}

export function summarise(profile: Profile): { total: number; byArea: Map<string, number>; byFunction: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    total += dt;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  return { total, byArea, byFunction };
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const { total, byArea, byFunction } = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile);
    process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms busy\n-- by area (self time)\n${top(byArea, total, 15).join('\n')}\n-- by function (self time)\n${top(byFunction, total, 20).join('\n')}\n\n`);
  }
}
