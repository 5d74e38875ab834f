/**
 * Bulk API 2.0 routes over Fastify inject, with a real PGlite job store and a small in-memory record
 * layer standing in for emulator/core (the end-to-end path is test/integration/emulator-bulk.test.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { PGlite } from '@electric-sql/pglite';
import { bool, currency, makeObject, ownerField, systemFields, text } from '../core/field-builders';
import { buildSchema } from '../core/schema';
import type { OrgContext, RecordStore, SaveResult, SObjectRecord } from '../core/types';
import { registerBulkRoutes, type BulkRoutesHandle } from './routes';

const V = '/services/data/v62.0';
const USER_ID = '005000000000001AAA';

interface FakeRecords extends RecordStore {
  rows: Map<string, SObjectRecord>;
  calls: number[];
  /** When set, insert() waits for it (lets a test act while a chunk is in flight). */
  gate: Promise<void> | null;
}

function fakeRecords(): FakeRecords {
  const rows = new Map<string, SObjectRecord>();
  const calls: number[] = [];
  let seq = 0;
  const save = (record: SObjectRecord, created: boolean): SaveResult => {
    if (!record.LastName)
      return {
        id: null,
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [LastName]',
            fields: ['LastName']
          }
        ]
      };
    const id = `00Q00000000${String(++seq).padStart(4, '0')}AAA`;
    rows.set(id, { ...record, Id: id });
    return { id, success: true, errors: [], ...(created ? { created: true } : {}) };
  };
  const store: FakeRecords = {
    rows,
    calls,
    gate: null,
    insert: async (_type, records) => {
      calls.push(records.length);
      if (store.gate) await store.gate;
      return records.map((r) => save(r, false));
    },
    update: async (_type, records) => {
      calls.push(records.length);
      return records.map((r) => {
        const id = String(r.Id);
        const existing = rows.get(id);
        if (!existing)
          return {
            id,
            success: false,
            errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]
          };
        rows.set(id, { ...existing, ...r });
        return { id, success: true, errors: [] };
      });
    },
    upsert: async (_type, extField, records) => {
      calls.push(records.length);
      return records.map((r) => {
        const match = [...rows.values()].find((row) => row[extField] === r[extField]);
        if (match) {
          rows.set(String(match.Id), { ...match, ...r });
          return { id: String(match.Id), success: true, errors: [], created: false };
        }
        return save(r, true);
      });
    },
    delete: async (ids) => {
      calls.push(ids.length);
      return ids.map((id) =>
        rows.delete(id)
          ? { id, success: true, errors: [] }
          : {
              id,
              success: false,
              errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]
            }
      );
    },
    retrieve: async (_type, id) => rows.get(id) ?? null,
    transaction: async (fn) => fn(),
    systemUpdate: async () => []
  };
  return store;
}

const lead = makeObject('Lead', '00Q', [
  ...systemFields(),
  ownerField(),
  text('LastName', 80),
  text('Company', 255),
  text('Source_External_Id__c', 255, { externalId: true, unique: true }),
  bool('Budget_Confirmed__c'),
  currency('Budget_Amount__c', 16, 2)
]);
const user = makeObject('User', '005', [...systemFields(), text('Username', 80, { idLookup: true })]);
const schema = buildSchema([lead, user]);

interface InjectResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

interface Harness {
  app: FastifyInstance;
  inject(req: {
    method: string;
    url: string;
    payload?: unknown;
    headers?: Record<string, string>;
  }): Promise<InjectResult>;
  queryRows: unknown[][];
  db: PGlite;
  records: FakeRecords;
  handle: BulkRoutesHandle;
}

async function startHarness(): Promise<Harness> {
  const queryRows: unknown[][] = [];
  const db = new PGlite();
  await db.exec(`CREATE TABLE sobj_user (id text primary key, username text, isdeleted boolean not null default false);
    INSERT INTO sobj_user VALUES ('${USER_ID}', 'admin@leadflow.local', false), ('005000000000002AAA', 'rep@leadflow.local', false);`);
  const records = fakeRecords();
  const ctx = {
    db,
    schema,
    records,
    query: {
      columns: async (soql: string) => {
        if (!/from lead/i.test(soql))
          throw Object.assign(new Error(`sObject type 'Nope' is not supported.`), {
            errorCode: 'INVALID_TYPE'
          });
        return { columnMetadata: [], entityName: 'Lead', groupBy: false, idSelected: true, keyPrefix: '00Q' };
      },
      queryAllRows: async () => ({ columns: ['Id', 'LastName'], rows: [...queryRows] }),
      query: async () => ({ totalSize: 0, done: true, records: [] }),
      queryMore: async () => ({ totalSize: 0, done: true, records: [] })
    },
    now: () => new Date(),
    defaultUserId: USER_ID,
    auth: {
      validateToken: async () => ({
        userId: USER_ID,
        orgId: '00D000000000001AAA',
        clientId: 'x',
        issuedAt: new Date(),
        expiresAt: null
      })
    }
  } satisfies Partial<OrgContext>;
  const app = Fastify();
  const handle = registerBulkRoutes(app, ctx, {
    chunkSize: 2,
    defaultQueryPageSize: 2,
    maxUploadBytes: 1000
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  // Fastify's inject() needs an ESM-only dependency jest cannot load, so requests go over HTTP.
  const inject: Harness['inject'] = async ({ method, url, payload, headers }) => {
    const isText = typeof payload === 'string';
    const res = await fetch(base + url, {
      method,
      headers:
        payload === undefined
          ? headers
          : { 'content-type': isText ? 'text/csv' : 'application/json', ...headers },
      body: payload === undefined ? undefined : isText ? payload : JSON.stringify(payload)
    });
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body,
      json: () => JSON.parse(body)
    };
  };
  return { app, inject, queryRows, db, records, handle };
}

async function createIngest(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await h.inject({ method: 'POST', url: `${V}/jobs/ingest`, payload: body });
  expect(res.statusCode).toBe(200);
  return res.json<{ id: string }>().id;
}

async function upload(h: Harness, id: string, csv: string): Promise<number> {
  const res = await h.inject({
    method: 'PUT',
    url: `${V}/jobs/ingest/${id}/batches`,
    headers: { 'content-type': 'text/csv' },
    payload: csv
  });
  return res.statusCode;
}

async function closeAndWait(h: Harness, id: string): Promise<Record<string, unknown>> {
  const res = await h.inject({
    method: 'PATCH',
    url: `${V}/jobs/ingest/${id}`,
    payload: { state: 'UploadComplete' }
  });
  expect(res.json<{ state: string }>().state).toBe('UploadComplete');
  await h.handle.processor.settled(id);
  return (await h.inject({ method: 'GET', url: `${V}/jobs/ingest/${id}` })).json();
}

async function results(h: Harness, id: string, kind: string): Promise<string> {
  const res = await h.inject({ method: 'GET', url: `${V}/jobs/ingest/${id}/${kind}` });
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  return res.body;
}

describe('Bulk API 2.0 ingest routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  beforeEach(() => {
    h.records.rows.clear();
    h.records.calls.length = 0;
    h.records.gate = null;
  });
  afterAll(async () => {
    await h.app.close();
    await h.db.close();
  });

  it('should run an insert job in chunks and report successes and failures', async () => {
    const id = await createIngest(h, { object: 'lead', operation: 'insert', lineEnding: 'LF' });
    expect(id).toMatch(/^750[0-9A-Za-z]{15}$/);
    expect(
      await upload(
        h,
        id,
        'lastname,Company,Budget_Confirmed__c,Owner.Username\nAda,Acme,true,rep@leadflow.local\n,NoName,#N/A,\nBob,B Co,false,\n'
      )
    ).toBe(201);
    const info = await closeAndWait(h, id);
    expect(info).toMatchObject({
      state: 'JobComplete',
      object: 'Lead',
      jobType: 'V2Ingest',
      numberRecordsProcessed: 3,
      numberRecordsFailed: 1
    });
    expect(h.records.calls).toEqual([2, 1]); // chunk size 2; the row without LastName reached the record layer too
    const ada = [...h.records.rows.values()].find((r) => r.LastName === 'Ada');
    expect(ada).toMatchObject({
      Company: 'Acme',
      Budget_Confirmed__c: 'true',
      OwnerId: '005000000000002AAA'
    });
    const ok = await results(h, id, 'successfulResults');
    expect(ok.split('\n')[0]).toBe(
      '"sf__Id","sf__Created","lastname","Company","Budget_Confirmed__c","Owner.Username"'
    );
    expect(ok).toMatch(/"00Q\w+","true","Ada","Acme","true","rep@leadflow.local"/);
    const failed = await results(h, id, 'failedResults');
    expect(failed).toBe(
      '"sf__Id","sf__Error","lastname","Company","Budget_Confirmed__c","Owner.Username"\n' +
        ',"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",,"NoName","#N/A",\n'
    );
    expect(await results(h, id, 'unprocessedrecords')).toBe(
      '"lastname","Company","Budget_Confirmed__c","Owner.Username"\n'
    );
  });

  it('should fail a row whose lookup value is unknown', async () => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    await upload(h, id, 'LastName,Owner.Username\nA,nobody@x\nB,ADMIN@leadflow.local\n');
    const info = await closeAndWait(h, id);
    expect(info).toMatchObject({ numberRecordsProcessed: 2, numberRecordsFailed: 1 });
    expect(await results(h, id, 'failedResults')).toContain(
      'INVALID_FIELD:Foreign key external ID: nobody@x not found for field Username in entity User:OwnerId --'
    );
    expect([...h.records.rows.values()]).toEqual([
      expect.objectContaining({ LastName: 'B', OwnerId: '005000000000001AAA' })
    ]);
  });

  it('should upsert by external id and report sf__Created', async () => {
    const first = await createIngest(h, {
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'source_external_id__c'
    });
    await upload(h, first, 'Source_External_Id__c,LastName\nweb:1,One\n');
    await closeAndWait(h, first);
    const second = await createIngest(h, {
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'Source_External_Id__c'
    });
    await upload(h, second, 'Source_External_Id__c,LastName\nweb:1,One again\nweb:2,Two\n,Missing\n');
    const info = await closeAndWait(h, second);
    expect(info).toMatchObject({
      externalIdFieldName: 'Source_External_Id__c',
      numberRecordsProcessed: 3,
      numberRecordsFailed: 1
    });
    const ok = await results(h, second, 'successfulResults');
    expect(ok).toMatch(/"false","web:1","One again"/);
    expect(ok).toMatch(/"true","web:2","Two"/);
    expect(await results(h, second, 'failedResults')).toContain(
      'MISSING_ARGUMENT:Source_External_Id__c not specified in an upsert call:Source_External_Id__c --'
    );
  });

  it.each([
    ['an unknown column', 'LastName,Foo\nx,y\n', 'InvalidBatch : Field name not found : Foo'],
    [
      'an unknown relationship field',
      'LastName,Owner.Email\nx,y\n',
      'InvalidBatch : Field name not found : Owner.Email'
    ],
    ['unbalanced quotes', 'LastName\n"x\n', 'ClientInputError : Failed to parse CSV'],
    [
      'a row with too many columns',
      'LastName\nx,y\n',
      'InvalidBatch : Records must have the same number of columns'
    ],
    [
      'CRLF data in an LF job',
      'LastName\r\nx\r\n',
      'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF'
    ]
  ])('should fail the whole job without writing anything for %s', async (_name, csv, message) => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    await upload(h, id, csv);
    const info = await closeAndWait(h, id);
    expect(info.state).toBe('Failed');
    expect(String(info.errorMessage)).toContain(message);
    expect(h.records.calls).toEqual([]);
  });

  it.each([
    [{ object: 'Nope__c', operation: 'insert' }, 'INVALIDENTITY', "sObject type 'Nope__c' is not supported."],
    [{ object: 'Lead', operation: 'merge' }, 'INVALIDJOB', 'operation'],
    [{ object: 'Lead', operation: 'upsert' }, 'INVALIDJOB', 'External ID was blank for Lead'],
    [
      { object: 'Lead', operation: 'upsert', externalIdFieldName: 'Company' },
      'INVALIDJOB',
      'does not match an External ID, Salesforce Id, or indexed field for Lead'
    ],
    [{ object: 'Lead', operation: 'insert', columnDelimiter: 'COLON' }, 'INVALIDJOB', 'columnDelimiter']
  ])('should refuse the job definition %j with %s', async (body, errorCode, message) => {
    const res = await h.inject({ method: 'POST', url: `${V}/jobs/ingest`, payload: body });
    expect(res.statusCode).toBe(400);
    const [error] = res.json<{ errorCode: string; message: string }[]>();
    expect(error?.errorCode).toBe(errorCode);
    expect(error?.message).toContain(message);
  });

  it('should allow one upload per open job and refuse oversized data', async () => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    expect(await upload(h, id, 'LastName\n' + 'x'.repeat(2000) + '\n')).toBe(413);
    expect(await upload(h, id, 'LastName\nx\n')).toBe(201);
    expect(await upload(h, id, 'LastName\ny\n')).toBe(409);
    await closeAndWait(h, id);
    expect(await upload(h, id, 'LastName\nz\n')).toBe(409);
  });

  it('should list every uploaded row as unprocessed when the job is aborted before processing', async () => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    await upload(h, id, 'LastName\nx\ny\n');
    const res = await h.inject({
      method: 'PATCH',
      url: `${V}/jobs/ingest/${id}`,
      payload: { state: 'Aborted' }
    });
    expect(res.json<{ state: string }>().state).toBe('Aborted');
    expect(await results(h, id, 'unprocessedrecords')).toBe('"LastName"\n"x"\n"y"\n');
    const again = await h.inject({
      method: 'PATCH',
      url: `${V}/jobs/ingest/${id}`,
      payload: { state: 'UploadComplete' }
    });
    expect(again.statusCode).toBe(409);
  });

  it('should finish the chunk in flight and list the rest as unprocessed when aborted while running', async () => {
    let release: () => void = () => undefined;
    h.records.gate = new Promise<void>((resolve) => (release = resolve));
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    await upload(h, id, 'LastName\na\nb\nc\nd\ne\n');
    await h.inject({ method: 'PATCH', url: `${V}/jobs/ingest/${id}`, payload: { state: 'UploadComplete' } });
    for (let i = 0; i < 100 && h.records.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.records.calls).toEqual([2]); // first chunk is inside the record layer
    const aborted = await h.inject({
      method: 'PATCH',
      url: `${V}/jobs/ingest/${id}`,
      payload: { state: 'Aborted' }
    });
    expect(aborted.json<{ state: string }>().state).toBe('Aborted');
    release();
    await h.handle.processor.settled(id);
    const info = (await h.inject({ method: 'GET', url: `${V}/jobs/ingest/${id}` })).json();
    expect(info).toMatchObject({ state: 'Aborted', numberRecordsProcessed: 2, numberRecordsFailed: 0 });
    expect(h.records.calls).toEqual([2]);
    expect((await results(h, id, 'successfulResults')).split('\n').filter(Boolean)).toHaveLength(3);
    expect(await results(h, id, 'unprocessedrecords')).toBe('"LastName"\n"c"\n"d"\n"e"\n');
  });

  it('should resume an InProgress job after a restart from the first chunk without results', async () => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    await upload(h, id, 'LastName\na\nb\nc\n');
    // State left by a previous run that stored chunk 0 and stopped.
    await h.db.query(
      `UPDATE bulk_jobs SET state = 'InProgress', chunks_done = 1, records_processed = 2, header = '["LastName"]' WHERE id = $1`,
      [id]
    );
    await h.handle.store.saveIngestChunk(id, {
      chunkNo: 0,
      successful: '"00Q000000000001AAA","true","a"\n"00Q000000000002AAA","true","b"\n',
      failed: '',
      unprocessed: ''
    });
    h.handle.processor.start(id);
    await new Promise((r) => setImmediate(r));
    await h.handle.processor.settled(id);
    const info = (await h.inject({ method: 'GET', url: `${V}/jobs/ingest/${id}` })).json();
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 0 });
    expect(h.records.calls).toEqual([1]);
    expect([...h.records.rows.values()].map((r) => r.LastName)).toEqual(['c']);
    expect((await results(h, id, 'successfulResults')).split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('should list and delete jobs and answer 404 for unknown ones', async () => {
    const id = await createIngest(h, { object: 'Lead', operation: 'insert' });
    const list = (await h.inject({ method: 'GET', url: `${V}/jobs/ingest` })).json<{
      done: boolean;
      records: { id: string; jobType: string }[];
    }>();
    expect(list.done).toBe(true);
    expect(list.records).toContainEqual(expect.objectContaining({ id, jobType: 'V2Ingest', state: 'Open' }));
    const classic = (await h.inject({ method: 'GET', url: `${V}/jobs/ingest?jobType=Classic` })).json<{ records: unknown[] }>();
    expect(classic.records).toEqual([]);
    expect((await h.inject({ method: 'DELETE', url: `${V}/jobs/ingest/${id}` })).statusCode).toBe(204);
    const missing = await h.inject({ method: 'GET', url: `${V}/jobs/ingest/${id}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }
    ]);
  });
});

describe('Bulk API 2.0 query routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.app.close();
    await h.db.close();
  });

  it('should page results with Sforce-Locator and end with the literal null', async () => {
    h.queryRows.splice(0, h.queryRows.length, ['00Q1', 'Ada'], ['00Q2', 'Bob "B"'], ['00Q3', null]);
    {
      const created = await h.inject({
        method: 'POST',
        url: `${V}/jobs/query`,
        payload: { operation: 'query', query: 'SELECT Id, LastName FROM Lead' }
      });
      expect(created.json()).toMatchObject({ state: 'UploadComplete', object: 'Lead', operation: 'query' });
      const id = created.json<{ id: string }>().id;
      await h.handle.processor.settled(id);
      expect((await h.inject({ method: 'GET', url: `${V}/jobs/query/${id}` })).json()).toMatchObject({
        state: 'JobComplete',
        jobType: 'V2Query',
        numberRecordsProcessed: 3
      });

      const page1 = await h.inject({ method: 'GET', url: `${V}/jobs/query/${id}/results` });
      expect(page1.body).toBe('"Id","LastName"\n"00Q1","Ada"\n"00Q2","Bob ""B"""\n');
      expect(page1.headers['sforce-numberofrecords']).toBe('2');
      const locator = String(page1.headers['sforce-locator']);
      expect(locator).not.toBe('null');
      const page2 = await h.inject({
        method: 'GET',
        url: `${V}/jobs/query/${id}/results?locator=${locator}`
      });
      expect(page2.body).toBe('"Id","LastName"\n"00Q3",\n');
      expect(page2.headers['sforce-locator']).toBe('null');
      const all = await h.inject({ method: 'GET', url: `${V}/jobs/query/${id}/results?maxRecords=10` });
      expect(all.headers['sforce-numberofrecords']).toBe('3');
      expect(all.headers['sforce-locator']).toBe('null');
    }
  });

  it('should refuse invalid SOQL at creation and results before completion', async () => {
    {
      const bad = await h.inject({
        method: 'POST',
        url: `${V}/jobs/query`,
        payload: { operation: 'query', query: 'SELECT Id FROM Nope' }
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual([
        { errorCode: 'INVALID_TYPE', message: "sObject type 'Nope' is not supported." }
      ]);
      const created = await h.inject({
        method: 'POST',
        url: `${V}/jobs/query`,
        payload: { operation: 'queryAll', query: 'SELECT Id FROM Lead' }
      });
      const id = created.json<{ id: string }>().id;
      const early = await h.inject({ method: 'GET', url: `${V}/jobs/query/${id}/results` });
      expect(early.statusCode).toBe(412);
      await h.handle.processor.settled(id);
      const aborted = await h.inject({
        method: 'PATCH',
        url: `${V}/jobs/query/${id}`,
        payload: { state: 'Aborted' }
      });
      expect(aborted.statusCode).toBe(409); // already complete
    }
  });
});
