/**
 * New PGlite stores start from a template instead of running initdb. initdb is the costliest thing a store
 * ever does: measured with PGlite 0.5 on the 2-CPU machine, a new data dir made by initdb peaks at about 900 MB
 * RSS and takes about 1.5 s of CPU, while loading the same empty cluster from a dump peaks at about 460 MB and
 * takes about 0.5 s. The first store created on a machine (per PGlite version) runs initdb once and saves a dump
 * of the still-empty cluster (PGlite's dumpDataDir, about 4.5 MB gzipped) in the cache directory; every later
 * new store, in any process, loads it (PGlite's loadDataDir). A template that does not load is removed and
 * initdb runs as before, so a damaged cache costs time, never a store.
 *
 * Cache directory: LEADFLOW_CACHE_DIR, else $XDG_CACHE_HOME/leadflow, else ~/.cache/leadflow.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** The installed PGlite's version (its package.json is not exported, so it is found from the entry point). */
function pgliteVersion(): string {
  for (let dir = path.dirname(require.resolve('@electric-sql/pglite')); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === '@electric-sql/pglite' && typeof pkg.version === 'string') return pkg.version;
  }
  return 'unknown';
}

export function storeTemplatePath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LEADFLOW_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'leadflow');
  return path.join(dir, `pglite-${pgliteVersion()}-empty-cluster.tar.gz`);
}

/**
 * PostgreSQL's shared buffers for a PGlite store. PGlite's default, 128 MB, lives in the service's own process
 * (WebAssembly memory never shrinks) and fills as the store grows, while the store's working set is the current
 * batch's rows and index pages, and the data files stay in the OS page cache either way. Measured on the 100,000-row
 * bench file (2 CPUs): peak RSS 916 MB with 128 MB, 798 MB with 16 MB, and no slower (1,117 and 1,264 rows/s).
 */
export const STORE_SHARED_BUFFERS = '16MB';

/** PGlite's own start parameters plus the store's settings. */
function storeOptions(PG: typeof PGlite): { startParams: string[] } {
  return { startParams: [...PG.defaultStartParams, '-c', `shared_buffers=${STORE_SHARED_BUFFERS}`] };
}

/** True when dataDir already holds a cluster (PGlite opens it as it is) or is in memory. */
function holdsCluster(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

function readTemplate(file: string): Blob | null {
  try {
    return fs.statSync(file).size > 0 ? new Blob([fs.readFileSync(file)]) : null;
  } catch {
    return null;
  }
}

async function saveTemplate(db: PGlite, file: string): Promise<void> {
  try {
    const dump = await db.dumpDataDir('gzip');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename: another process may be saving the same template at the same moment.
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(temp, file);
  } catch {
    // A cache that cannot be written (read-only home, full disk) only means the next new store runs initdb too.
  }
}

/**
 * PGlite on dataDir ('memory://' for an in-memory store). A new cluster comes from the template when there is
 * one, else from initdb (and then becomes the template). An existing cluster is opened as it is.
 */
export async function createPglite(dataDir: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = dataDir.startsWith('memory://');
  const options = storeOptions(PGlite);
  if (!inMemory && holdsCluster(dataDir)) return PGlite.create(dataDir, options);
  const file = storeTemplatePath();
  const template = readTemplate(file);
  if (template) {
    try {
      return await PGlite.create(dataDir, { ...options, loadDataDir: template });
    } catch {
      fs.rmSync(file, { force: true });
      if (!inMemory) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        fs.mkdirSync(dataDir, { recursive: true });
      }
    }
  }
  const db = await PGlite.create(dataDir, options);
  await saveTemplate(db, file);
  return db;
}
