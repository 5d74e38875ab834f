import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPglite, STORE_SHARED_BUFFERS, storeTemplatePath } from './pglite-template';

const sharedBuffers = async (db: PGlite) => (await db.query<{ shared_buffers: string }>('show shared_buffers')).rows[0]?.shared_buffers;

describe('createPglite (new stores start from a template of an empty cluster)', () => {
  let dir: string;
  const saved = process.env.LEADFLOW_CACHE_DIR;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-template-'));
    process.env.LEADFLOW_CACHE_DIR = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.LEADFLOW_CACHE_DIR;
    else process.env.LEADFLOW_CACHE_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should run initdb for the first store and save the empty cluster as the template', async () => {
    const db = await createPglite(path.join(dir, 'a'));
    expect(await sharedBuffers(db)).toBe(STORE_SHARED_BUFFERS);
    await db.exec('create table t (x int)');
    await db.close();
    expect(fs.statSync(storeTemplatePath()).size).toBeGreaterThan(100_000);
    expect(path.basename(storeTemplatePath())).toMatch(/^pglite-\d+\.\d+\.\d+-empty-cluster\.tar\.gz$/);
  });

  it('should create later stores, on disk and in memory, from the template', async () => {
    // A template with a marker table tells a loaded template from a fresh initdb.
    const source = await PGlite.create();
    await source.exec("create table template_marker (note text); insert into template_marker values ('from template')");
    fs.mkdirSync(path.dirname(storeTemplatePath()), { recursive: true });
    fs.writeFileSync(storeTemplatePath(), Buffer.from(await (await source.dumpDataDir('gzip')).arrayBuffer()));
    await source.close();
    for (const dataDir of [path.join(dir, 'b'), 'memory://']) {
      const db = await createPglite(dataDir);
      expect((await db.query<{ note: string }>('select note from template_marker')).rows).toEqual([{ note: 'from template' }]);
      expect(await sharedBuffers(db)).toBe(STORE_SHARED_BUFFERS);
      await db.close();
    }
  });

  it('should open an existing cluster as it is, never over it from the template', async () => {
    const dataDir = path.join(dir, 'c');
    const first = await createPglite(dataDir);
    await first.exec("create table kept (v text); insert into kept values ('mine')");
    await first.close();
    const again = await createPglite(dataDir);
    expect((await again.query<{ v: string }>('select v from kept')).rows).toEqual([{ v: 'mine' }]);
    expect(await sharedBuffers(again)).toBe(STORE_SHARED_BUFFERS);
    await again.close();
  });

  it('should drop a template that does not load and fall back to initdb', async () => {
    fs.mkdirSync(path.dirname(storeTemplatePath()), { recursive: true });
    fs.writeFileSync(storeTemplatePath(), 'not a tarball');
    const db = await createPglite(path.join(dir, 'd'));
    expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    // the fallback's initdb saved a good template in place of the broken one
    expect(fs.statSync(storeTemplatePath()).size).toBeGreaterThan(100_000);
  });
});
