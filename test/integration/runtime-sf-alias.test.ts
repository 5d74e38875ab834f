/**
 * --target-org: an org saved in the sf CLI auth store (@salesforce/core AuthInfo, as `sf org login
 * access-token` does) is used by alias. Runs in a throwaway HOME so the real sf auth store is never touched.
 * When @salesforce/core cannot load on this Node version, the client must say so clearly (exit code 3 path).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestOrg, type TestOrg } from '../helpers/emulator';
import { createOrgClient } from '../../src/salesforce/client';
import { loadModule } from '../../src/shared/load-module';

function coreLoadError(): Error | null {
  try {
    loadModule('@salesforce/core');
    return null;
  } catch (err) {
    return err as Error;
  }
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-sfhome-'));
const savedHome = process.env.HOME;
let org: TestOrg;

beforeAll(async () => {
  process.env.HOME = home;
  process.env.SF_DISABLE_DNS_CHECK = 'true';
  process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
  org = await startTestOrg();
});
afterAll(async () => {
  await org?.close();
  process.env.HOME = savedHome;
  fs.rmSync(home, { recursive: true, force: true });
});

const loadError = coreLoadError();

(loadError ? it.skip : it)('should connect through an sf CLI alias', async () => {
  const { AuthInfo, StateAggregator } = await import('@salesforce/core');
  const auth = await AuthInfo.create({ accessTokenOptions: { accessToken: org.accessToken, instanceUrl: org.url, loginUrl: org.url } });
  await auth.save();
  await (await StateAggregator.getInstance()).aliases.setAndSave('leadflow-emu', auth.getUsername()!);
  const client = await createOrgClient({ targetOrg: 'leadflow-emu', env: {} });
  expect(client.target).toMatchObject({ kind: 'sf-alias', username: 'admin@leadflow.local', instanceUrl: org.url });
  expect(client.connection.version).toBe('62.0');
  expect(await client.rest.query('SELECT Id FROM User LIMIT 1')).toHaveLength(1);
  expect(client.usage.total()).toBe(1);
});

(loadError ? it : it.skip)('should explain that --target-org is unavailable when @salesforce/core cannot load', async () => {
  await expect(createOrgClient({ targetOrg: 'anything', env: {} })).rejects.toMatchObject({
    code: 'ORG_CREDENTIALS',
    message: expect.stringContaining('--target-org needs @salesforce/core')
  });
});
