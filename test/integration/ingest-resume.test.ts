/**
 * Resumability: `leadflow ingest` is killed with SIGKILL in the middle of a run (a real CLI child
 * process against the emulator and an on-disk store), then run again. Every row ends up in the org
 * exactly once, and a third run writes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@jsforce/jsforce-node';
import { runIngest } from '../../src/ingest';
import { writeSampleCsv } from '../../src/ingest/generate';
import { withRuntime } from '../../src/runtime/runtime';
import { writeLocalConfig } from '../helpers/cli';
import { startTestOrg } from '../helpers/emulator';

type TestOrg = Awaited<ReturnType<typeof startTestOrg>>;
const ROWS = 1200;
const ROOT = path.resolve(__dirname, '../..');

describe('ingest killed with SIGKILL and rerun', () => {
  let org: TestOrg;
  let conn: Connection;
  let dir: string;
  let configPath: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    org = await startTestOrg({ seed: 'none' });
    conn = org.connection();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-kill-'));
    await writeSampleCsv(path.join(dir, 'leads.csv'), { rows: ROWS, seed: 5, uniquePeople: true });
    configPath = writeLocalConfig(dir, org.url, {
      ingest: {
        sources: [{ name: 'kill', kind: 'csv', preset: 'hubspot', path: path.join(dir, 'leads.csv') }],
        // Small collection batches so the kill lands between batches and inside one.
        write: { batchSize: 100, bulkThreshold: 100000 }
      }
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await org?.close();
  });

  const countLeads = async () =>
    (await conn.query("SELECT COUNT() FROM Lead WHERE Source_System__c = 'kill'")).totalSize;

  it('should lose nothing and duplicate nothing', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SF_')));
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/leadflow.js'), '--config', configPath, '--json', 'ingest', '--source', 'kill'],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child!.on('exit', (code, signal) => resolve(signal ?? code))
    );

    // Wait until part of the file is in the org, then kill -9.
    const deadline = Date.now() + 90_000;
    let before = 0;
    while (Date.now() < deadline) {
      before = await countLeads();
      if (before >= 300 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(child.exitCode).toBeNull(); // still running: the kill is mid-run
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const afterKill = await countLeads();
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(ROWS);
    if (stderr.includes('Error')) throw new Error(stderr);

    // Rerun in-process with the same config file and on-disk store, recorded and locked as the CLI does.
    let runsRows: Array<{ status: string; summary: { error?: string } | null }> = [];
    const rerun = await withRuntime(
      { configPath, cwd: dir, json: true, env, command: 'ingest', jobLock: { names: ['ingest:kill'] } },
      async (rt) => {
        const result = await runIngest(rt, { source: 'kill' });
        runsRows = await rt.store.query("select status, summary from runs where command = 'ingest' order by id");
        return result;
      }
    );
    // The killed run's runs row was closed by the rerun (it held ingest:kill), the rerun's own is still open.
    expect(runsRows.map((r) => r.status)).toEqual(['failed', 'running']);
    expect(runsRows[0]!.summary?.error).toMatch(/stopped \(killed or crashed\) before it finished/);
    expect(rerun.summary.failed).toBe(0);
    expect(rerun.summary.read).toBe(ROWS);
    expect(rerun.summary.created + rerun.summary.updated + rerun.summary.unchanged).toBe(ROWS);
    // Rows the killed run finished are skipped by the ledger; at most the interrupted batch is re-upserted.
    expect(rerun.summary.unchanged).toBeGreaterThanOrEqual(afterKill - 100);

    expect(await countLeads()).toBe(ROWS);
    const ids = new Set<string>();
    for await (const page of (async function* () {
      let res = await conn.query<{ Source_External_Id__c: string }>(
        "SELECT Source_External_Id__c FROM Lead WHERE Source_System__c = 'kill'"
      );
      yield res.records;
      while (!res.done && res.nextRecordsUrl) {
        res = await conn.queryMore<{ Source_External_Id__c: string }>(res.nextRecordsUrl);
        yield res.records;
      }
    })())
      for (const r of page) ids.add(r.Source_External_Id__c);
    expect(ids.size).toBe(ROWS);

    const third = await withRuntime({ configPath, cwd: dir, json: true, env }, (rt) =>
      runIngest(rt, { source: 'kill' })
    );
    expect(third.summary).toMatchObject({ created: 0, updated: 0, unchanged: ROWS, apiCalls: 0 });
  });
});
