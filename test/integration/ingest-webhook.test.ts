/**
 * The web-form webhook: signature good/bad, oversized body, wrong content type, rate limit, unknown
 * source; an accepted submission is in the store (ingest_inbox) before the 202 is returned.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { LeadflowConfig } from '../../src/config/schema';
import { registerWebhookRoutes, signBody } from '../../src/ingest';
import type { Runtime } from '../../src/runtime/types';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';

const SECRET = 'webform-test-secret-0123456789';
let app: FastifyInstance;
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  process.env.TEST_WEBFORM_SECRET = SECRET;
  const config = {
    outputDir: '/tmp',
    ingest: {
      sources: [
        {
          name: 'webform',
          kind: 'webhook',
          secretEnv: 'TEST_WEBFORM_SECRET',
          bodyLimitBytes: 2048,
          rateLimitPerMinute: 100
        },
        { name: 'limited', kind: 'webhook', secretEnv: 'TEST_WEBFORM_SECRET', rateLimitPerMinute: 8 },
        { name: 'nosecret', kind: 'webhook' },
        { name: 'files', kind: 'csv', path: 'x.csv' }
      ]
    }
  } as unknown as LeadflowConfig;
  const rt: Runtime = {
    config,
    org: () => Promise.reject(new Error('the webhook must not call Salesforce')),
    store,
    logger: pino({ level: 'silent' }),
    progress: () => ({ tick: () => undefined, setTotal: () => undefined, done: () => undefined }),
    now: () => new Date(),
    json: true,
    outputDir: '/tmp'
  };
  app = Fastify();
  await registerWebhookRoutes(app, rt);
  await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await store.close();
});

// Real HTTP (fetch) rather than app.inject: light-my-request pulls an ESM-only dependency jest can't load.
async function post(name: string, body: string, headers: Record<string, string>) {
  const address = app.server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${address.port}/sources/${name}/leads`, {
    method: 'POST',
    body,
    headers
  });
  const text = await res.text();
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    json: () => JSON.parse(text) as unknown
  };
}

describe('POST /sources/:name/leads', () => {
  const body = JSON.stringify({
    email: 'Ana.Pop@Firma.ro',
    fullName: 'Ana Pop',
    company: 'Firma SRL',
    country: 'RO'
  });

  it('should store a correctly signed submission and return 202 with its id', async () => {
    const res = await post('webform', body, {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, body)
    });
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json() as { id: string; status: string };
    expect(status).toBe('queued');
    const rows = await store.query<{ source: string; payload: unknown; status: string }>(
      'select source, payload, status from ingest_inbox where id = $1',
      [id]
    );
    expect(rows).toEqual([{ source: 'webform', payload: JSON.parse(body), status: 'pending' }]);
  });

  it('should accept a signed urlencoded form post', async () => {
    const form = 'email=a%40b.com&lastName=B&company=C';
    const res = await post('webform', form, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-leadflow-signature': signBody(SECRET, form)
    });
    expect(res.statusCode).toBe(202);
    const rows = await store.query<{ payload: unknown }>('select payload from ingest_inbox where id = $1', [
      (res.json() as { id: string }).id
    ]);
    expect(rows[0]!.payload).toEqual({ email: 'a@b.com', lastName: 'B', company: 'C' });
  });

  it.each([
    ['a wrong secret', signBody('not-the-secret-at-all!!', body)],
    ['a signature of another body', signBody(SECRET, `${body} `)],
    ['no signature', undefined]
  ])('should refuse %s with 401 and store nothing', async (_label, signature) => {
    const before = await store.query<{ n: number }>('select count(*)::int as n from ingest_inbox');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature) headers['x-leadflow-signature'] = signature;
    const res = await post('webform', body, headers);
    expect(res.statusCode).toBe(401);
    expect((res.json() as { error: { code: string } }).error.code).toBe('INVALID_SIGNATURE');
    expect(await store.query('select count(*)::int as n from ingest_inbox')).toEqual(before);
  });

  it('should refuse a body above the source limit with 413', async () => {
    const big = JSON.stringify({ email: 'a@b.com', description: 'x'.repeat(3000) });
    const res = await post('webform', big, {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, big)
    });
    expect(res.statusCode).toBe(413);
  });

  it('should refuse a body above the route limit before reading it all', async () => {
    const huge = 'x'.repeat(70_000);
    const res = await post('webform', huge, {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, huge)
    });
    expect(res.statusCode).toBe(413);
  });

  it.each(['text/plain', 'application/xml'])('should refuse content type %s with 415', async (type) => {
    const res = await post('webform', body, {
      'content-type': type,
      'x-leadflow-signature': signBody(SECRET, body)
    });
    expect(res.statusCode).toBe(415);
  });

  it('should refuse a signed body that is not a JSON object with 400', async () => {
    const arr = '[1,2]';
    const res = await post('webform', arr, {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, arr)
    });
    expect(res.statusCode).toBe(400);
  });

  it.each([
    ['an unknown source', 'nope', 404],
    ['a file source', 'files', 404],
    ['a source without secret', 'nosecret', 503]
  ])('should answer %s with %s', async (_label, name, status) => {
    const res = await post(name as string, body, {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, body)
    });
    expect(res.statusCode).toBe(status);
  });

  it('should rate limit per source and client IP with 429 and Retry-After', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await post('limited', body, {
        'content-type': 'application/json',
        'x-leadflow-signature': signBody(SECRET, body)
      });
      codes.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(codes).toEqual([202, 200, 200, 200, 200, 200, 200, 200, 429, 429]); // 200: replays of the first, stored once
    expect(
      await store.query('select count(*)::int as n from ingest_inbox where source = $1', ['limited'])
    ).toEqual([{ n: 1 }]);
  });
});
