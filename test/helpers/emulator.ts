/**
 * startTestOrg(): a fresh emulated org for an integration test, on 127.0.0.1 and a free port, in memory
 * unless a dataDir is given. Close it in afterAll. An in-memory org with the default package and clock starts
 * from a prepared snapshot of an empty org (see emulator-snapshot.ts); LEADFLOW_TEST_NO_SNAPSHOT=1 turns that off.
 *
 *   const org = await startTestOrg();
 *   const conn = org.connection();          // jsforce Connection, API version 62.0, admin user
 *   ...
 *   await org.close();
 */
import { Connection } from '@jsforce/jsforce-node';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server';
import { emptyOrgSnapshot } from './emulator-snapshot';

export const TEST_API_VERSION = '62.0';

export interface TestOrg {
  url: string;
  /** Admin user's access token. */
  accessToken: string;
  /** A new jsforce Connection (version 62.0) using the current accessToken, or the given token. */
  connection(accessToken?: string): Connection;
  emulator: RunningEmulator;
  close(): Promise<void>;
}

export type TestOrgOptions = Omit<EmulatorOptions, 'port' | 'host'>;

export async function startTestOrg(opts: TestOrgOptions = {}): Promise<TestOrg> {
  // The snapshot holds what a fresh start with the repo's force-app and the real clock creates; any other
  // start (persisted data dir, another package, an injected clock, a given snapshot) migrates as before.
  const snapshot =
    opts.dataDir === undefined &&
    opts.forceAppDir === undefined &&
    opts.now === undefined &&
    opts.initialDataDir === undefined &&
    process.env.LEADFLOW_TEST_NO_SNAPSHOT !== '1';
  const initialDataDir = snapshot ? await emptyOrgSnapshot() : opts.initialDataDir;
  const emulator = await startEmulator({ seed: 'none', quiet: true, ...opts, initialDataDir, port: 0, host: '127.0.0.1' });
  const org: TestOrg = {
    url: emulator.url,
    accessToken: await emulator.issueAccessToken(),
    // Reads org.accessToken at call time, so a test may swap in a new token.
    connection: (token?: string) =>
      new Connection({
        instanceUrl: emulator.url,
        accessToken: token ?? org.accessToken,
        version: TEST_API_VERSION
      }),
    emulator,
    close: () => emulator.close()
  };
  return org;
}
