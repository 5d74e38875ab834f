/**
 * A prepared data-directory snapshot for test orgs. Starting PGlite empty runs initdb (about 1.5 s of a
 * 2 s org start on 2 CPUs); loading a dumped data dir takes about 0.5 s. The first org of a jest run
 * migrates an empty org once (schema + reference rows + force-app metadata, exactly what a fresh start
 * does), dumps it to a tarball keyed by a hash of the sources that shape it, and every later org of any
 * worker starts from that tarball. A changed emulator/ or force-app/ source gives a new hash, so a stale
 * snapshot is never used.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { startEmulator } from '../../emulator/server';

const ROOT = join(__dirname, '..', '..');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'leadflow-emulator');
/** Sources whose content decides what a fresh org's database holds. */
const SOURCES = [join(ROOT, 'emulator'), join(ROOT, 'force-app', 'main', 'default')];

function listFiles(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
      listFiles(path, out);
    } else if (!/\.test\.[jt]s$/.test(entry.name)) {
      out.push(path);
    }
  }
}

/** sha256 over the emulator sources, the package metadata and the PGlite version. */
export function snapshotKey(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const dir of SOURCES) if (existsSync(dir)) listFiles(dir, files);
  files.sort();
  for (const file of files) {
    hash.update(relative(ROOT, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  const pglitePackage = join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  if (existsSync(pglitePackage)) hash.update(readFileSync(pglitePackage));
  return hash.digest('hex').slice(0, 24);
}

async function buildSnapshot(path: string): Promise<Blob> {
  const emulator = await startEmulator({ seed: 'none', quiet: true, port: 0, host: '127.0.0.1' });
  try {
    // ctx.db proxies the raw PGlite; dumpDataDir is not routed through a transaction.
    const dump = await (emulator.ctx.db as PGlite).dumpDataDir('none');
    mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: another jest worker may be building the same snapshot at the same moment.
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    renameSync(temp, path);
    return dump;
  } finally {
    await emulator.close();
  }
}

let pending: Promise<Blob> | null = null;

/** The snapshot tarball for the current sources, built once when missing. */
export function emptyOrgSnapshot(): Promise<Blob> {
  pending ??= (async () => {
    const path = join(CACHE_DIR, `empty-org-${snapshotKey()}.tar`);
    if (existsSync(path) && statSync(path).size > 0) return new Blob([readFileSync(path)]);
    return buildSnapshot(path);
  })();
  // A failed build is retried by the next caller rather than failing every later test org.
  pending.catch(() => {
    pending = null;
  });
  return pending;
}
