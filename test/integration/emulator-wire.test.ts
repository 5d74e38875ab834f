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
      const answer = await raw('GET', probes[name] ?? url);
      // Served: any answer but 404 (composite answers 405 to a GET).
      expect([name, answer.status]).not.toEqual([name, 404]);
    }
  });
});
