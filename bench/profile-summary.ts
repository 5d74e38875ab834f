/**
 * Summarises V8 CPU profiles (`node --cpu-prof`) by where self time is spent: per package / source area
 * and per function. Used to profile a bench section before optimising it (docs/emulator.md, Performance):
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts conversion
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 * With BENCH_PROFILE_WINDOW=1 the conversion bench prints the measured span ("profile window: A,B");
 * `--window=A,B` then counts only the samples inside it.
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
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the process a frame belongs to: an npm package, a project folder, or the runtime. */
export function areaOf(url: string, functionName: string): string {
  if (url.startsWith('wasm://')) return 'PGlite (wasm)';
  if (!url)
    return functionName === '(garbage collector)'
      ? 'GC'
      : functionName.startsWith('(')
        ? functionName
        : 'native';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node core';
  const local = /\/work\/[^/]+\/(emulator|src|bench|scripts)\/([^/]+)/.exec(url);
  if (local) return `${local[1]}/${local[2]}`;
  return 'other';
}

/** `window`: [from, to] in the profile's clock (microseconds, process.hrtime), to count only that span. */
export function summarise(
  profile: Profile,
  window?: [number, number]
): {
  total: number;
  byArea: Map<string, number>;
  byFunction: Map<string, number>;
  byOwner: Map<string, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map<number, string>();
  /** The nearest project frame up the stack (emulator/... or src/...): who asked for this work. */
  const ownerOf = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    const node = byId.get(id);
    const area = node ? areaOf(node.callFrame.url, node.callFrame.functionName) : 'other';
    const up = parent.get(id);
    const owner = /^(emulator|src|bench)\//.test(area)
      ? (area.split('/')[0] as string)
      : up === undefined
        ? 'no project frame'
        : ownerOf(up);
    ownerCache.set(id, owner);
    return owner;
  };
  const byOwner = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window[0] || at > window[1])) return;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    total += dt;
    const area = areaOf(url, functionName);
    const owner = ownerOf(id);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  return { total, byArea, byFunction, byOwner };
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`
    );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const windowArg = args.find((a) => a.startsWith('--window='));
  const window = windowArg
    ? (windowArg.slice('--window='.length).split(',').map(Number) as [number, number])
    : undefined;
  for (const file of args.filter((a) => !a.startsWith('--'))) {
    const { total, byArea, byFunction, byOwner } = summarise(
      JSON.parse(fs.readFileSync(file, 'utf8')) as Profile,
      window
    );
    process.stdout.write(
      `${file}: ${(total / 1000).toFixed(0)} ms busy\n-- by nearest project frame on the stack (emulator = local org, src = leadflow service)\n${top(byOwner, total, 5).join('\n')}\n-- by area (self time)\n${top(byArea, total, 15).join('\n')}\n-- by function (self time)\n${top(byFunction, total, 20).join('\n')}\n\n`
    );
  }
}
