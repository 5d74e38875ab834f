/**
 * startTestOrg() starts in-memory orgs from a prepared snapshot (test/helpers/emulator-snapshot.ts). An org
 * from the snapshot must be the org a fresh start creates: same objects, same reference rows and package
 * custom metadata, new records get well-formed ids, and it must not share data with another org.
 */
import { startTestOrg, type TestOrg } from '../helpers/emulator';

async function fingerprint(org: TestOrg): Promise<Record<string, unknown>> {
  const conn = org.connection();
  const global = await conn.describeGlobal();
  const counts: Record<string, number> = {};
  for (const soql of [
    'SELECT Id FROM User',
    'SELECT Id FROM LeadStatus',
    'SELECT Id FROM OpportunityStage',
    'SELECT Id FROM Qualification_Criterion__mdt',
    'SELECT Id FROM Lead'
  ]) {
    counts[soql] = (await conn.query(soql)).totalSize;
  }
  const lead = await conn.sobject('Lead').create({ LastName: 'Snapshot', Company: 'Snapshot Inc' });
  return {
    sobjects: global.sobjects.map((s) => s.name).sort(),
    counts,
    // Ids carry a time component, so only their shape can be compared across orgs.
    newLeadId: 'id' in lead && typeof lead.id === 'string' ? /^00Q[0-9A-Za-z]{15}$/.test(lead.id) : false
  };
}

describe('test orgs from the data-dir snapshot', () => {
  const orgs: TestOrg[] = [];
  afterAll(async () => {
    for (const org of orgs) await org.close();
  });

  it('matches an org migrated from scratch, and each snapshot org is independent', async () => {
    const fromSnapshot = await startTestOrg();
    orgs.push(fromSnapshot);
    const previous = process.env.LEADFLOW_TEST_NO_SNAPSHOT;
    process.env.LEADFLOW_TEST_NO_SNAPSHOT = '1';
    let fresh: TestOrg;
    try {
      fresh = await startTestOrg();
    } finally {
      if (previous === undefined) delete process.env.LEADFLOW_TEST_NO_SNAPSHOT;
      else process.env.LEADFLOW_TEST_NO_SNAPSHOT = previous;
    }
    orgs.push(fresh);

    const a = await fingerprint(fromSnapshot);
    const b = await fingerprint(fresh);
    expect(a).toEqual(b);
    expect(a.newLeadId).toBe(true);
    expect((a.sobjects as string[]).length).toBeGreaterThan(20);
    expect((a.counts as Record<string, number>)['SELECT Id FROM Qualification_Criterion__mdt']).toBeGreaterThan(0);

    // A second org from the same snapshot sees none of the first one's writes.
    const second = await startTestOrg();
    orgs.push(second);
    expect((await second.connection().query('SELECT Id FROM Lead')).totalSize).toBe(0);
    expect((await fromSnapshot.connection().query('SELECT Id FROM Lead')).totalSize).toBe(1);
  });
});
