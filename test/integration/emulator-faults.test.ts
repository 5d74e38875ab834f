/**
 * Fault injection: daily API limit, 503s, row locks (whole call and per record), session expiry,
 * dropped connections, call-number and seeded-rate triggers, path scoping, admin endpoints and counters.
 */
import type { Connection } from '@jsforce/jsforce-node';
import { parseFaultRuleSpec } from '../../emulator/faults/config';
import { startTestOrg, type TestOrg } from '../helpers/emulator';

jest.setTimeout(120000);

const ADMIN_KEY = 'test-admin-key';
let org: TestOrg;
let conn: Connection;

beforeAll(async () => {
  org = await startTestOrg({
    adminKey: ADMIN_KEY,
    faults: { seed: 7, rules: [{ kind: 'SERVER_UNAVAILABLE', calls: [1], pathPrefix: '/sobjects/Campaign' }] }
  });
  conn = org.connection();
});

afterAll(async () => {
  await org?.close();
});

afterEach(async () => {
  await admin('PUT', '/__emulator/faults', { rules: [], dailyApiLimit: 15000 });
});

async function admin(method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY) {
  const response = await fetch(`${org.url}${path}`, {
    method,
    headers: {
      ...(key ? { 'x-emulator-admin-key': key } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function api(method: string, path: string, body?: unknown, token = org.accessToken) {
  const response = await fetch(`${org.url}/services/data/v62.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
}

function firstErrorCode(json: unknown): string | undefined {
  return (json as Array<{ errorCode?: string }>)[0]?.errorCode;
}

// First test of the file: later tests replace the rules in afterEach.
describe('faults from the start options', () => {
  it('should apply faults configured at start', async () => {
    const first = await api('GET', '/sobjects/Campaign');
    expect(first.status).toBe(503);
    expect(firstErrorCode(first.json)).toBe('SERVER_UNAVAILABLE');
    expect((await api('GET', '/sobjects/Campaign')).status).toBe(200);
  });
});

describe('admin endpoints', () => {
  it('should require the admin key', async () => {
    expect((await admin('GET', '/__emulator/faults', undefined, null)).status).toBe(401);
    expect((await admin('GET', '/__emulator/faults', undefined, 'wrong')).status).toBe(401);
    expect((await admin('GET', '/__emulator/faults')).status).toBe(200);
  });

  it('should refuse an invalid fault configuration with the issues listed', async () => {
    const { status, json } = await admin('PUT', '/__emulator/faults', { rules: [{ kind: 'NOPE', rate: 2 }] });
    expect(status).toBe(400);
    expect(JSON.stringify(json)).toContain('INVALID_FAULT_CONFIG');
  });

  it('should count API calls per endpoint and reset them', async () => {
    await api('GET', '/limits');
    const usage = await admin('GET', '/__emulator/usage');
    expect((usage.json.byEndpoint as Record<string, number>)['GET /limits']).toBeGreaterThanOrEqual(1);
    expect(usage.json.used).toBe(org.emulator.usage.used());
    const reset = await admin('POST', '/__emulator/reset-usage');
    expect(reset.json).toMatchObject({ used: 0, byEndpoint: {} });
  });
});

describe('REQUEST_LIMIT_EXCEEDED', () => {
  it('should refuse every call with 403 once the daily limit is reached, until usage is reset', async () => {
    await admin('POST', '/__emulator/reset-usage');
    await admin('PUT', '/__emulator/faults', { dailyApiLimit: 2 });
    expect((await api('GET', '/limits')).status).toBe(200);
    expect((await api('GET', '/sobjects/Lead/describe')).status).toBe(200);
    const refused = await api('GET', '/limits');
    expect(refused).toEqual({
      status: 403,
      json: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]
    });
    const viaJsforce = await Promise.resolve(conn.query('SELECT Id FROM User')).catch(
      (e: { errorCode?: string }) => e
    );
    expect((viaJsforce as { errorCode?: string }).errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    await admin('POST', '/__emulator/reset-usage');
    expect((await api('GET', '/limits')).status).toBe(200);
  });

  it('should also fire as a rule on given call numbers', async () => {
    await admin('PUT', '/__emulator/faults', { rules: [{ kind: 'REQUEST_LIMIT_EXCEEDED', calls: [2] }] });
    expect((await api('GET', '/limits')).status).toBe(200);
    expect((await api('GET', '/limits')).status).toBe(403);
    expect((await api('GET', '/limits')).status).toBe(200);
  });
});

describe('SERVER_UNAVAILABLE', () => {
  it('should fail exactly the chosen calls of the chosen path prefix', async () => {
    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'SERVER_UNAVAILABLE', calls: [2, 4], pathPrefix: '/query' }]
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await api('GET', `/query?q=${encodeURIComponent('SELECT Id FROM User LIMIT 1')}`)).status
      );
      expect((await api('GET', '/limits')).status).toBe(200);
    }
    expect(statuses).toEqual([200, 503, 200, 503, 200]);
    const state = await admin('GET', '/__emulator/faults');
    expect((state.json.rules as Array<{ matched: number; fired: number }>)[0]).toMatchObject({
      matched: 5,
      fired: 2
    });
  });

  it('should be reproducible by rate with the same seed', async () => {
    const pattern = async () => {
      await admin('PUT', '/__emulator/faults', {
        seed: 42,
        rules: [{ kind: 'SERVER_UNAVAILABLE', rate: 0.5, pathPrefix: '/limits' }]
      });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await api('GET', '/limits')).status);
      return out;
    };
    const first = await pattern();
    const second = await pattern();
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });
});

describe('UNABLE_TO_LOCK_ROW', () => {
  it('should fail a whole write call with 400 and leave reads alone', async () => {
    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'UNABLE_TO_LOCK_ROW', rate: 1, pathPrefix: '/composite' }]
    });
    const write = await api('POST', '/composite/sobjects', {
      allOrNone: false,
      records: [{ attributes: { type: 'Account' }, Name: 'Locked call' }]
    });
    expect(write.status).toBe(400);
    expect(firstErrorCode(write.json)).toBe('UNABLE_TO_LOCK_ROW');
    expect(
      (
        await api(
          'GET',
          `/query?q=${encodeURIComponent("SELECT COUNT() FROM Account WHERE Name = 'Locked call'")}`
        )
      ).json
    ).toMatchObject({ totalSize: 0 });
  });

  it('should fail chosen records inside a collection and save the others unless allOrNone', async () => {
    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'UNABLE_TO_LOCK_ROW', scope: 'record', calls: [2], pathPrefix: '/composite/sobjects' }]
    });
    const records = ['Lock A', 'Lock B', 'Lock C'].map((Name) => ({ attributes: { type: 'Account' }, Name }));
    const partial = await api('POST', '/composite/sobjects', { allOrNone: false, records });
    expect(partial.status).toBe(200);
    const results = partial.json as Array<{
      success: boolean;
      errors: Array<{ statusCode: string; message: string }>;
    }>;
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    expect(results[1]?.errors[0]).toMatchObject({
      statusCode: 'UNABLE_TO_LOCK_ROW',
      message: 'unable to obtain exclusive access to this record'
    });

    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'UNABLE_TO_LOCK_ROW', scope: 'record', calls: [1] }]
    });
    const allOrNone = await api('POST', '/composite/sobjects', {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'Lock D' },
        { attributes: { type: 'Account' }, Name: 'Lock E' }
      ]
    });
    const codes = (allOrNone.json as Array<{ errors: Array<{ statusCode: string }> }>).map(
      (r) => r.errors[0]?.statusCode
    );
    expect(codes).toEqual(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK']);
    const saved = await conn.query<{ Name: string }>(
      "SELECT Name FROM Account WHERE Name LIKE 'Lock %' ORDER BY Name"
    );
    expect(saved.records.map((r) => r.Name)).toEqual(['Lock A', 'Lock C']);
  });
});

describe('session faults', () => {
  it('should answer 401 INVALID_SESSION_ID on the chosen call', async () => {
    await admin('PUT', '/__emulator/faults', { rules: [{ kind: 'INVALID_SESSION_ID', calls: [1] }] });
    const first = await api('GET', '/limits');
    expect(first).toEqual({
      status: 401,
      json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]
    });
    expect((await api('GET', '/limits')).status).toBe(200);
  });

  it('should expire every access token on request', async () => {
    const token = await org.emulator.issueAccessToken();
    expect((await api('GET', '/limits', undefined, token)).status).toBe(200);
    const { json } = await admin('PUT', '/__emulator/faults', { expireTokensNow: true });
    expect(json.expiredTokens).toBeGreaterThanOrEqual(2);
    expect((await api('GET', '/limits', undefined, token)).status).toBe(401);
    expect((await api('GET', '/limits', undefined, org.accessToken)).status).toBe(401);
    // Restore a working admin token for the remaining tests.
    org.accessToken = await org.emulator.issueAccessToken();
    conn = org.connection();
    expect((await api('GET', '/limits')).status).toBe(200);
  });
});

describe('DROP_CONNECTION', () => {
  it('should run the call but destroy the socket mid-response', async () => {
    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'DROP_CONNECTION', calls: [1], pathPrefix: '/sobjects/Account', methods: ['POST'] }]
    });
    const dropped = await api('POST', '/sobjects/Account', { Name: 'Dropped but saved' }).catch(
      (e: Error) => e
    );
    // fetch's TypeError comes from another realm under jest, so check its shape rather than instanceof.
    expect(String((dropped as Error).message)).toMatch(/fetch failed|terminated|socket|other side closed/i);
    // The server is still up, and the write committed: clients must not assume a dropped call failed.
    const found = await conn.query("SELECT Id FROM Account WHERE Name = 'Dropped but saved'");
    expect(found.totalSize).toBe(1);
  });
});

describe('SOAP path scoping', () => {
  it('should answer a SOAP fault for faults scoped to /services/Soap', async () => {
    await admin('PUT', '/__emulator/faults', {
      rules: [{ kind: 'REQUEST_LIMIT_EXCEEDED', calls: [1], pathPrefix: '/services/Soap' }]
    });
    const response = await fetch(`${org.url}/services/Soap/u/62.0`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: '""' },
      body: '<x/>'
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('<faultcode>sf:REQUEST_LIMIT_EXCEEDED</faultcode>');
  });
});

describe('CLI fault specs', () => {
  it.each([
    ['SERVER_UNAVAILABLE:rate=0.05', { kind: 'SERVER_UNAVAILABLE', rate: 0.05, scope: 'call' }],
    [
      'unable_to_lock_row:calls=5,9:path=/composite:scope=record',
      { kind: 'UNABLE_TO_LOCK_ROW', calls: [5, 9], pathPrefix: '/composite', scope: 'record' }
    ],
    [
      'DROP_CONNECTION:calls=3:methods=post,patch',
      { kind: 'DROP_CONNECTION', calls: [3], methods: ['POST', 'PATCH'], scope: 'call' }
    ]
  ])('should parse %s', (spec, expected) => {
    expect(parseFaultRuleSpec(spec)).toEqual(expected);
  });

  it.each(['NOPE:rate=1', 'SERVER_UNAVAILABLE', 'SERVER_UNAVAILABLE:rate=2', 'SERVER_UNAVAILABLE:bogus=1'])(
    'should refuse %s',
    (spec) => {
      expect(() => parseFaultRuleSpec(spec)).toThrow(/Invalid fault configuration/);
    }
  );
});
