/**
 * The local org on the wire the way Salesforce answers: lenient paths (duplicate and trailing slashes, as the
 * sf CLI sends them), the sObject Tree resource (what `sf data import tree` calls), and clear NOT_FOUND
 * answers for the resources it does not serve. One emulator for the file.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  org = await startTestOrg();
  conn = org.connection();
});

afterAll(async () => {
  await org?.close();
});

async function raw(method: string, pathAndQuery: string, body?: unknown, token = org.accessToken) {
  const response = await fetch(`${org.url}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
}

describe('paths', () => {
  it.each(['/services/data', '/services/data/', '//services/data', '//services/data/'])(
    'should list the API versions at %s',
    async (path) => {
      const { status, json } = await raw('GET', path);
      expect(status).toBe(200);
      expect(json).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    }
  );

  it.each(['//services/data/v62.0/limits', '/services/data/v62.0/limits/', '/services/data//v62.0//limits'])(
    'should answer %s like /services/data/v62.0/limits',
    async (path) => {
      const { status, json } = await raw('GET', path);
      expect(status).toBe(200);
      expect(json).toHaveProperty('DailyApiRequests.Max');
    }
  );

  it('should run a query sent to //services/data with slashes inside the SOQL untouched', async () => {
    await conn.sobject('Account').create({ Name: 'Slash Co', Website: 'http://slash.test//x/' });
    const soql = "SELECT Name, Website FROM Account WHERE Website = 'http://slash.test//x/'";
    const { status, json } = await raw('GET', `//services/data/v62.0/query/?q=${encodeURIComponent(soql)}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      totalSize: 1,
      records: [{ Name: 'Slash Co', Website: 'http://slash.test//x/' }]
    });
  });

  it('should still require a session on a double-slash path', async () => {
    const { status, json } = await raw('GET', '//services/data/v62.0/limits', undefined, 'not-a-token');
    expect(status).toBe(401);
    expect(json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('should let jsforce work against an instance URL with a trailing slash, as sf stores it', async () => {
    const { Connection } = await import('@jsforce/jsforce-node');
    const slashed = new Connection({
      instanceUrl: `${org.url}/`,
      accessToken: org.accessToken,
      version: '62.0'
    });
    const result = await slashed.query<{ Id: string }>('SELECT Id FROM User LIMIT 1');
    expect(result.records).toHaveLength(1);
    await expect(slashed.sobject('Lead').describe()).resolves.toMatchObject({ name: 'Lead' });
  });
});

describe('resources the local org does not serve', () => {
  it.each([
    ['/services/data/v62.0/sobjects/Account/describe/layouts', 'page layouts'],
    ['/services/data/v62.0/sobjects/Account/describe/layouts/012000000000000AAA', 'page layouts'],
    ['/services/data/v62.0/sobjects/Account/describe/compactLayouts', 'compact layouts'],
    ['/services/data/v62.0/sobjects/Account/listviews', 'list views'],
    ['/services/data/v62.0/sobjects/Account/listviews/00B000000000001/results', 'list views'],
    ['/services/data/v62.0/sobjects/Account/quickActions', 'quick actions'],
    ['/services/data/v62.0/quickActions', 'quick actions'],
    ['/services/data/v62.0/search?q=FIND%20%7BAcme%7D', 'SOSL search'],
    ['/services/data/v62.0/parameterizedSearch?q=Acme', 'parameterized search'],
    ['/services/data/v62.0/recent', 'recently viewed items'],
    ['/services/data/v62.0/tabs', 'tabs'],
    ['/services/data/v62.0/theme', 'themes'],
    ['/services/data/v62.0/tooling/query?q=SELECT%20Id%20FROM%20ApexClass', 'the Tooling API'],
    ['/services/data/v62.0/tooling/sobjects/SourceMember/describe', 'the Tooling API'],
    ['/services/data/v62.0/chatter/users/me', 'Chatter'],
    ['/services/data/v62.0/analytics/reports', 'Analytics'],
    ['/services/data/v62.0/wave/datasets', 'CRM Analytics']
  ])('should answer GET %s with NOT_FOUND naming %s', async (path, label) => {
    const { status, json } = await raw('GET', path);
    expect(status).toBe(404);
    const body = json as Array<{ message: string; errorCode: string }>;
    expect(body).toHaveLength(1);
    expect(body[0]?.errorCode).toBe('NOT_FOUND');
    expect(body[0]?.message).toContain(label);
    expect(body[0]?.message).toContain('does not support');
    expect(body[0]?.message).toContain(path.split('?')[0]);
  });

  it('should make jsforce report the Tooling API as missing, as sfdx-core expects of an org without it', async () => {
    await expect(conn.tooling.sobject('SourceMember').describe()).rejects.toThrow(
      /The requested resource does not exist: the local org .* does not support the Tooling API/
    );
  });

  it('should keep the plain Salesforce 404 for paths that are no Salesforce resource', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0/no/such/thing');
    expect(status).toBe(404);
    expect(json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });

  it('should list in the version resource map only resources that answer', async () => {
    const { status, json } = await raw('GET', '/services/data/v62.0');
    expect(status).toBe(200);
    const resources = json as Record<string, string>;
    expect(Object.keys(resources)).toEqual(
      expect.arrayContaining(['composite', 'identity', 'jobs', 'limits', 'query', 'queryAll', 'sobjects'])
    );
    for (const name of [
      'tooling',
      'search',
      'recent',
      'tabs',
      'theme',
      'chatter',
      'analytics',
      'quickActions'
    ]) {
      expect(resources).not.toHaveProperty(name);
    }
    for (const [name, url] of Object.entries(resources)) {
      if (name === 'identity') continue;
      const probes: Record<string, string> = {
        query: `${url}?q=SELECT+Id+FROM+User`,
        queryAll: `${url}?q=SELECT+Id+FROM+User`,
        jobs: `${url}/ingest`
      };
      // The metadata resource serves only deployRequest (POST a zip); an empty POST is answered 400, not 404.
      const answer =
        name === 'metadata' ? await raw('POST', `${url}/deployRequest`) : await raw('GET', probes[name] ?? url);
      // Served: any answer but 404 (composite answers 405 to a GET).
      expect([name, answer.status]).not.toEqual([name, 404]);
    }
  });
});

describe('sObject Tree (POST /composite/tree/{sObject})', () => {
  const treeUrl = (type: string) => `/services/data/v62.0/composite/tree/${type}`;

  async function countAccounts(prefix: string): Promise<number> {
    const result = await conn.query(`SELECT Id FROM Account WHERE Name LIKE '${prefix}%'`);
    return result.totalSize;
  }

  it('should create nested accounts and contacts and answer 201 with every referenceId and id', async () => {
    const body = {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'ref1' },
          name: 'Tree One',
          Website: 'https://tree-one.test',
          Contacts: {
            records: [
              {
                attributes: { type: 'Contact', referenceId: 'ref2' },
                lastname: 'Smith',
                Email: 'smith@tree.test'
              },
              { attributes: { type: 'Contact', referenceId: 'ref3' }, LastName: 'Evans' }
            ]
          }
        },
        { attributes: { type: 'Account', referenceId: 'ref4' }, Name: 'Tree Two' }
      ]
    };
    const { status, json } = await raw('POST', treeUrl('Account'), body);
    expect(status).toBe(201);
    const response = json as { hasErrors: boolean; results: Array<{ referenceId: string; id: string }> };
    expect(response.hasErrors).toBe(false);
    // Level by level, as Salesforce saves them: the root accounts first, then their contacts.
    expect(response.results.map((r) => r.referenceId)).toEqual(['ref1', 'ref4', 'ref2', 'ref3']);
    const ids = Object.fromEntries(response.results.map((r) => [r.referenceId, r.id]));
    expect(ids.ref1).toMatch(/^001\w{15}$/);
    expect(ids.ref2).toMatch(/^003\w{15}$/);

    const contacts = await conn.query<{ LastName: string; Email: string | null; AccountId: string }>(
      `SELECT LastName, Email, AccountId FROM Contact WHERE Id IN ('${ids.ref2}', '${ids.ref3}') ORDER BY LastName`
    );
    expect(contacts.records.map((c) => [c.LastName, c.Email, c.AccountId])).toEqual([
      ['Evans', null, ids.ref1],
      ['Smith', 'smith@tree.test', ids.ref1]
    ]);
    await expect(conn.sobject('Account').retrieve(ids.ref4 as string)).resolves.toMatchObject({
      Name: 'Tree Two'
    });
  });

  it('should save nothing and report only the failing record when one record is invalid', async () => {
    const body = {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'okAccount' },
          Name: 'Tree Rollback A',
          Contacts: {
            records: [{ attributes: { type: 'Contact', referenceId: 'noLastName' }, FirstName: 'Ann' }]
          }
        },
        { attributes: { type: 'Account', referenceId: 'okAccount2' }, Name: 'Tree Rollback B' }
      ]
    };
    const { status, json } = await raw('POST', treeUrl('Account'), body);
    expect(status).toBe(400);
    expect(json).toEqual({
      hasErrors: true,
      results: [
        {
          referenceId: 'noLastName',
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: expect.stringContaining('LastName'),
              fields: ['LastName']
            }
          ]
        }
      ]
    });
    // The accounts were created before the contacts failed: they must be rolled back too.
    expect(await countAccounts('Tree Rollback')).toBe(0);
  });

  it('should report each instance of a duplicate referenceId and save nothing', async () => {
    const body = {
      records: [
        { attributes: { type: 'Account', referenceId: 'dup' }, Name: 'Tree Dup A' },
        { attributes: { type: 'Account', referenceId: 'dup' }, Name: 'Tree Dup B' }
      ]
    };
    const { status, json } = await raw('POST', treeUrl('Account'), body);
    expect(status).toBe(400);
    const response = json as {
      hasErrors: boolean;
      results: Array<{ referenceId: string; errors: unknown[] }>;
    };
    expect(response.hasErrors).toBe(true);
    expect(response.results.map((r) => r.referenceId)).toEqual(['dup', 'dup']);
    expect(response.results[0]?.errors).toEqual([
      { statusCode: 'INVALID_INPUT', message: expect.stringContaining('Duplicate ReferenceId'), fields: [] }
    ]);
    expect(await countAccounts('Tree Dup')).toBe(0);
  });

  it('should accept 200 records and refuse 201 with a clear 400, saving nothing', async () => {
    const records = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        attributes: { type: 'Lead', referenceId: `lead${i}` },
        LastName: `${prefix} ${i}`,
        Company: prefix
      }));
    const ok = await raw('POST', treeUrl('Lead'), { records: records(200, 'Tree Max') });
    expect(ok.status).toBe(201);
    expect((ok.json as { results: unknown[] }).results).toHaveLength(200);

    const tooMany = await raw('POST', treeUrl('Lead'), { records: records(201, 'Tree Over') });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toEqual([
      { errorCode: 'LIMIT_EXCEEDED', message: expect.stringContaining('at most 200 records') }
    ]);
    const saved = await conn.query("SELECT Id FROM Lead WHERE Company = 'Tree Over'");
    expect(saved.totalSize).toBe(0);
  });

  it('should refuse an unknown field with INVALID_FIELD in the message format sf data import tree parses', async () => {
    const body = { records: [{ attributes: { type: 'Account', referenceId: 'a1' }, Name: 'X', Nope__c: 1 }] };
    const { status, json } = await raw('POST', treeUrl('Account'), body);
    expect(status).toBe(400);
    expect(json).toEqual([
      {
        errorCode: 'INVALID_FIELD',
        message: "No such column 'Nope__c' on sobject of type Account",
        fields: ['Nope__c']
      }
    ]);
  });

  it('should refuse root records of another type than the URL names', async () => {
    const body = { records: [{ attributes: { type: 'Contact', referenceId: 'c1' }, LastName: 'X' }] };
    const { status, json } = await raw('POST', treeUrl('Account'), body);
    expect(status).toBe(400);
    expect((json as Array<{ message: string }>)[0]?.message).toContain('must have type Account, not Contact');
  });

  it('should count the whole tree as one API call', async () => {
    const before = org.emulator.usage.used();
    const body = {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'u1' },
          Name: 'Tree Usage',
          Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'u2' }, LastName: 'Usage' }] }
        }
      ]
    };
    expect((await raw('POST', treeUrl('Account'), body)).status).toBe(201);
    expect(org.emulator.usage.used() - before).toBe(1);
  });
});
