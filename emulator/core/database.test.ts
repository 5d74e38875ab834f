import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, syncTables } from './database';
import { makeField } from './field-builders';
import { createRecordStore } from './records';
import { ADMIN_USER_ID, DEFAULT_ORG_ID } from './reference-data';
import { buildSchema, loadSchema, type LoadedSchema } from './schema';

jest.setTimeout(60000);

const fixtures = path.join(__dirname, '__fixtures__', 'basic');
const opts = { allOrNone: false, userId: ADMIN_USER_ID };

describe('openDatabase + syncTables', () => {
  let dataDir: string;
  let schema: LoadedSchema;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'emu-core-db-'));
    schema = await loadSchema({ forceAppDir: fixtures });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should keep records across a close and reopen of the data dir, and stay idempotent', async () => {
    let db: PGlite = await openDatabase(dataDir);
    await syncTables(db, schema);
    const store = createRecordStore({ db, schema, now: () => new Date('2025-03-01T10:00:00Z'), orgId: DEFAULT_ORG_ID, defaultUserId: ADMIN_USER_ID });
    const [saved] = await store.insert('Lead', [{ LastName: 'Persisted', Company: 'Disk Inc', Score__c: 12 }], opts);
    expect(saved?.success).toBe(true);
    await db.close();

    db = await openDatabase(dataDir);
    await syncTables(db, schema);
    await syncTables(db, schema);
    const reopened = createRecordStore({ db, schema, now: () => new Date(), orgId: DEFAULT_ORG_ID, defaultUserId: ADMIN_USER_ID });
    expect(await reopened.retrieve('Lead', saved?.id ?? '', ['LastName', 'Company', 'Score__c', 'CreatedDate'])).toEqual({
      LastName: 'Persisted',
      Company: 'Disk Inc',
      Score__c: 12,
      CreatedDate: '2025-03-01T10:00:00.000+0000'
    });
    const users = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM sobj_user');
    expect(users.rows[0]?.count).toBe(3);
    const settings = await db.query<{ developername: string; threshold__c: string; enabled__c: boolean }>(
      'SELECT developername, threshold__c, enabled__c FROM "sobj_setting__mdt"'
    );
    expect(settings.rows).toEqual([{ developername: 'Default', threshold__c: '42.5', enabled__c: true }]);
    await db.close();
  });

  it('should add a column for a field that appears in a later schema, keeping existing rows', async () => {
    const db = await openDatabase(dataDir);
    const grown = buildSchema(schema.all().map((o) => (o.name === 'Lead' ? { ...o, fields: [...o.fields, makeField('Later__c', 'string', { length: 10 })] } : o)));
    await syncTables(db, grown);
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'sobj_lead' AND column_name = 'later__c'`
    );
    expect(columns.rows).toHaveLength(1);
    const count = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM sobj_lead');
    expect(count.rows[0]?.count).toBe(1);
    await db.close();
  });

  it('should seed the org, the admin user, lead statuses and opportunity stages', async () => {
    const db = await openDatabase();
    await syncTables(db, await loadSchema({ forceAppDir: fixtures }));
    const org = await db.query('SELECT id, name, issandbox, organizationtype FROM sobj_organization');
    expect(org.rows).toEqual([{ id: '00D000000000001AAA', name: 'Leadflow Local', issandbox: false, organizationtype: 'Developer Edition' }]);
    const admin = await db.query('SELECT username, isactive FROM sobj_user WHERE id = $1', [ADMIN_USER_ID]);
    expect(admin.rows).toEqual([{ username: 'admin@leadflow.local', isactive: true }]);
    const statuses = await db.query('SELECT masterlabel, isdefault, isconverted FROM sobj_leadstatus ORDER BY sortorder');
    expect(statuses.rows).toEqual([
      { masterlabel: 'Open - Not Contacted', isdefault: true, isconverted: false },
      { masterlabel: 'Working - Contacted', isdefault: false, isconverted: false },
      { masterlabel: 'Closed - Converted', isdefault: false, isconverted: true },
      { masterlabel: 'Closed - Not Converted', isdefault: false, isconverted: false }
    ]);
    const stages = await db.query<{ masterlabel: string; defaultprobability: string; forecastcategoryname: string }>(
      'SELECT masterlabel, defaultprobability, forecastcategoryname FROM sobj_opportunitystage ORDER BY sortorder'
    );
    expect(stages.rows.map((s) => `${s.masterlabel} ${s.defaultprobability} ${s.forecastcategoryname}`)).toEqual([
      'Prospecting 10 Pipeline',
      'Qualification 10 Pipeline',
      'Needs Analysis 20 Pipeline',
      'Value Proposition 50 Pipeline',
      'Id. Decision Makers 60 Pipeline',
      'Perception Analysis 70 Pipeline',
      'Proposal/Price Quote 75 Pipeline',
      'Negotiation/Review 90 Pipeline',
      'Closed Won 100 Closed',
      'Closed Lost 0 Omitted'
    ]);
    await db.close();
  });
});
