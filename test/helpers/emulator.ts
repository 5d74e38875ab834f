/**
 * startTestOrg(): a fresh emulated org for an integration test, on 127.0.0.1 and a free port, in memory
 * unless a dataDir is given. Close it in afterAll.
 *
 *   const org = await startTestOrg();
 *   const conn = org.connection();          // jsforce Connection, API version 62.0, admin user
 *   ...
 *   await org.close();
 */
import { Connection } from '@jsforce/jsforce-node';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server';

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
  const emulator = await startEmulator({ seed: 'none', quiet: true, ...opts, port: 0, host: '127.0.0.1' });
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
