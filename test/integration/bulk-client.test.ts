/**
 * The service's Bulk API 2.0 client (src/salesforce/bulk.ts) against the local org: what each ingest job costs in
 * API calls. Users pay per call (DailyApiRequests), so the status checks and result downloads are asserted by
 * the calls the org itself counted, not by the client's own tally.
 */
import { createOrgClient, type OrgClient } from '../../src/salesforce';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

describe('Bulk API 2.0 ingest calls', () => {
  let org: TestOrg;
  let client: OrgClient;
  const orgCalls = async (): Promise<number> => {
    const res = await fetch(`${org.url}/__emulator/usage`, { headers: { 'x-emulator-admin-key': org.emulator.adminKey } });
    return ((await res.json()) as { used: number }).used;
  };
  const leads = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ LastName: `Bulk ${tag} ${i}`, Company: `Co ${i}` }));

  beforeAll(async () => {
    org = await startTestOrg();
    client = await createOrgClient({ emulatorUrl: org.url, env: {}, bulkPollIntervalMs: 50 });
  });
  afterAll(async () => {
    await client?.close();
    await org?.close();
  });

  it('should cost create, upload, close, the status checks and one results download for a clean job', async () => {
    const before = await orgCalls();
    const r = await client.bulk.ingest('Lead', 'insert', leads(300, 'a'));
    expect(r.results.filter((x) => x.success && x.id?.startsWith('00Q'))).toHaveLength(300);
    expect(r.statusChecks).toBeGreaterThanOrEqual(1);
    // Failed and unprocessed lists are not downloaded when the job info says every row succeeded.
    expect((await orgCalls()) - before).toBe(4 + r.statusChecks!);
  });

  it('should skip the successful-results download when the caller needs no ids and no row failed', async () => {
    const before = await orgCalls();
    const r = await client.bulk.ingest('Lead', 'insert', leads(300, 'b'), { needIds: false });
    expect(r.results).toHaveLength(300);
    expect(r.results.every((x) => x.success && x.id === null)).toBe(true);
    expect((await orgCalls()) - before).toBe(3 + r.statusChecks!);
  });

  it('should still download the results when a row failed, even without ids wanted', async () => {
    const before = await orgCalls();
    const rows = [...leads(2, 'c'), { Company: 'No last name' }];
    const r = await client.bulk.ingest('Lead', 'insert', rows, { needIds: false });
    expect(r.results.map((x) => x.success)).toEqual([true, true, false]);
    expect(r.results[2]!.errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
    // successful + failed + unprocessed downloads
    expect((await orgCalls()) - before).toBe(3 + r.statusChecks! + 3);
  });

  it('should report a job the org fails with the org message', async () => {
    await expect(client.bulk.ingest('Lead', 'insert', [{ LastName: 'X', Not_A_Field__c: 'y' }])).rejects.toThrow(/Ingest job failed to complete due to: .*Not_A_Field__c/);
  });
});
