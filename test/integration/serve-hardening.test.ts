/**
 * `leadflow serve` as a public endpoint, over real HTTP on 127.0.0.1: slow clients are disconnected within
 * the configured timeouts, the connection cap holds, replays are stored once, unknown sources cannot grow
 * the rate limiter, valid-but-unstorable JSON gets a 400 that names the problem, stale signatures a 401,
 * and the legacy body-only signature works only for a source that opts in (with one warning).
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { signBody, signBodyLegacy } from '../../src/ingest/signature';
import { startServe, type ServeHandle } from '../../src/serve';
import { openStore } from '../../src/store/store';
import type { Store } from '../../src/store/types';

const SECRET = 'serve-hardening-secret-0123456789';
const REQUEST_TIMEOUT_MS = 1_500;
const HEADERS_TIMEOUT_MS = 1_000;
const MAX_CONNECTIONS = 64;

let serve: ServeHandle;
let store: Store;
const logLines: { msg: string; source?: string }[] = [];

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logLines.push(JSON.parse(line) as { msg: string });
        done();
      }
    })
  );
  serve = await startServe({
    env: {},
    store,
    logger,
    config: {
      logLevel: 'info',
      serve: {
        port: 0,
        schedules: {},
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        maxConnections: MAX_CONNECTIONS,
        rateLimiterMaxKeys: 50
      },
      ingest: {
        sources: [
          { name: 'web', kind: 'webhook', secret: SECRET, rateLimitPerMinute: 100_000 },
          {
            name: 'strict',
            kind: 'webhook',
            secret: SECRET,
            signatureToleranceSeconds: 60,
            rateLimitPerMinute: 100_000
          },
          {
            name: 'old-forms',
            kind: 'webhook',
            secret: SECRET,
            legacyBodySignature: true,
            rateLimitPerMinute: 100_000
          }
        ]
      }
    }
  });
});

afterAll(async () => {
  await serve?.close();
  await store?.close();
});

type Reply = {
  status: number;
  body: { id?: string; status?: string; error?: { code: string; message: string } };
};

async function post(source: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${serve.url}/sources/${source}/leads`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-leadflow-signature': signBody(SECRET, body),
      ...headers
    }
  });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

const inboxRows = async (source: string) =>
  (
    await store.query<{ n: number }>('select count(*)::int as n from ingest_inbox where source = $1', [
      source
    ])
  )[0]!.n;

let leadNo = 0;
const newLead = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    email: `lead${++leadNo}@hardening.test`,
    lastName: 'Pop',
    company: 'Firma SRL',
    ...extra
  });

/** Opens a raw socket, writes `head` and then one byte of `trickle` every `everyMs`; resolves when the server closes it. */
function trickle(
  head: string,
  trickleBytes: string,
  everyMs: number
): Promise<{ closedAfterMs: number; received: string }> {
  const { port } = new URL(serve.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    let startedAt = 0;
    socket.on('connect', () => {
      startedAt = Date.now();
      socket.write(head);
      let i = 0;
      timer = setInterval(() => {
        if (i < trickleBytes.length && !socket.destroyed) socket.write(trickleBytes[i++]!);
      }, everyMs);
    });
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined); // a reset is also a close
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - startedAt, received });
    });
    setTimeout(() => reject(new Error('server kept the slow connection open for 20 s')), 20_000).unref();
  });
}

describe('slow clients', () => {
  it('should answer 408 and close a connection whose body trickles in, within requestTimeoutMs', async () => {
    const body = newLead();
    const head = [
      'POST /sources/web/leads HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      `X-Leadflow-Signature: ${signBody(SECRET, body)}`,
      '',
      ''
    ].join('\r\n');
    // One byte every 100 ms would take ~8 s for this body: the server must not wait for it.
    const { closedAfterMs, received } = await trickle(head, body, 100);
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(closedAfterMs).toBeLessThan(body.length * 100);
    expect(await inboxRows('web')).toBe(0);
  });

  it('should close a connection whose headers trickle in (slowloris), within headersTimeoutMs', async () => {
    const { closedAfterMs, received } = await trickle(
      'GET /healthz HTTP/1.1\r\n',
      'X-Slow: ' + 'a'.repeat(200),
      100
    );
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
  });

  it('should drop connections beyond maxConnections and serve again once they close', async () => {
    const { port } = new URL(serve.url);
    const open = async () => {
      const s = net.connect(Number(port), '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      return s;
    };
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, open));
    const extra = await open();
    const extraClosed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      extra.on('error', () => undefined);
      extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => resolve(false), 3_000).unref();
    });
    expect(extraClosed).toBe(true);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const health = await fetch(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('replays and idempotency keys', () => {
  it('should store a replayed request once and answer every replay 200 duplicate with the first id', async () => {
    const body = newLead();
    const headers = { 'x-leadflow-signature': signBody(SECRET, body) };
    const before = await inboxRows('web');
    const first = await post('web', body, headers);
    expect(first).toEqual({ status: 202, body: { id: expect.any(String), status: 'queued' } });
    // Captured and replayed, sequentially and in parallel (the unique index decides, not a read-then-write).
    const replays = [
      await post('web', body, headers),
      ...(await Promise.all(Array.from({ length: 10 }, () => post('web', body, headers))))
    ];
    for (const r of replays)
      expect(r).toEqual({ status: 200, body: { id: first.body.id, status: 'duplicate' } });
    expect(await inboxRows('web')).toBe(before + 1);
  });

  it('should store parallel first deliveries of one submission once', async () => {
    const body = newLead();
    const before = await inboxRows('web');
    const replies = await Promise.all(Array.from({ length: 8 }, () => post('web', body)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await inboxRows('web')).toBe(before + 1);
  });

  it('should treat a re-signed retry (same body, new timestamp) as a duplicate', async () => {
    const body = newLead();
    const now = Math.floor(Date.now() / 1000);
    const first = await post('web', body, { 'x-leadflow-signature': signBody(SECRET, body, now - 120) });
    const retry = await post('web', body, { 'x-leadflow-signature': signBody(SECRET, body, now) });
    expect(first.status).toBe(202);
    expect(retry).toEqual({ status: 200, body: { id: first.body.id, status: 'duplicate' } });
  });

  it('should key on the Idempotency-Key header: same key and body is a duplicate, same key with another body is 422', async () => {
    const key = `"order-${Date.now()}"`; // IETF draft form: a structured-field string
    const body = newLead();
    const first = await post('web', body, { 'idempotency-key': key });
    const again = await post('web', body, { 'idempotency-key': key.slice(1, -1) }); // Stripe form: a bare token
    const other = await post('web', newLead(), { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(again).toEqual({ status: 200, body: { id: first.body.id, status: 'duplicate' } });
    expect(other).toEqual({
      status: 422,
      body: {
        error: {
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: `Idempotency key was already used for submission ${first.body.id} with a different body; use a new key for a new submission`
        }
      }
    });
  });

  it('should key on the body submissionId when there is no header, and store different submissions separately', async () => {
    const before = await inboxRows('web');
    const a = await post('web', newLead({ submissionId: 'form-77' }));
    const b = await post('web', newLead({ submissionId: 'form-78' }));
    const reusedId = await post('web', newLead({ submissionId: 'form-77' }));
    expect([a.status, b.status, reusedId.status]).toEqual([202, 202, 422]);
    expect(await inboxRows('web')).toBe(before + 2);
  });

  it.each([
    [
      'an empty Idempotency-Key',
      { 'idempotency-key': '' },
      '{}',
      'Idempotency-Key must be 1-255 visible ASCII characters'
    ],
    [
      'a 256-character Idempotency-Key',
      { 'idempotency-key': 'k'.repeat(256) },
      '{}',
      'Idempotency-Key must be 1-255 visible ASCII characters'
    ],
    [
      'an object as submissionId',
      {},
      JSON.stringify({ submissionId: { id: 1 } }),
      'Body field "submissionId" (the submission id) must be a string or number of 1-255 visible ASCII characters'
    ]
  ])('should refuse %s with 400 INVALID_IDEMPOTENCY_KEY', async (_label, headers, body, message) => {
    expect(await post('web', body, headers)).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_IDEMPOTENCY_KEY', message } }
    });
  });
});

describe('rate limiter under a flood of unknown sources', () => {
  it('should answer unknown sources 404 without adding limiter keys, keep known sources served, and stay within rateLimiterMaxKeys', async () => {
    const limiter = serve.app.webhookRateLimiter!;
    const keysBefore = limiter.size();
    let flooded = 0;
    const flood = async (worker: number) => {
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${serve.url}/sources/nope-${worker}-${i}/leads`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' }
        });
        expect(res.status).toBe(404);
        await res.arrayBuffer();
        flooded++;
      }
    };
    const known = async () => {
      const replies: number[] = [];
      for (let i = 0; i < 20; i++) replies.push((await post('web', newLead())).status);
      return replies;
    };
    const [knownReplies] = await Promise.all([known(), ...Array.from({ length: 8 }, (_, w) => flood(w))]);
    expect(flooded).toBe(480);
    expect(knownReplies).toEqual(Array(20).fill(202));
    // Only the known source's client (web|127.0.0.1) was ever counted.
    expect(limiter.size()).toBe(Math.max(keysBefore, 1));
    expect(limiter.size()).toBeLessThanOrEqual(50);
  });
});

describe('valid JSON that cannot be stored', () => {
  const deep = (levels: number) =>
    `{"email":"deep@hardening.test","lastName":"D","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
  it.each([
    [
      'a NUL character in a string',
      '{"email":"nul@hardening.test","lastName":"A\\u0000B"}',
      'NUL_CHARACTER',
      'The value at $.lastName contains the NUL character (\\u0000), which cannot be stored; remove it'
    ],
    [
      'a NUL character in a key',
      '{"email":"nulkey@hardening.test","last\\u0000Name":"B"}',
      'NUL_CHARACTER',
      'A key in $ contains the NUL character (\\u0000), which cannot be stored; remove it'
    ],
    [
      'a lone high surrogate',
      '{"email":"sur@hardening.test","lastName":"\\ud800"}',
      'LONE_SURROGATE',
      'The value at $.lastName contains an unpaired UTF-16 surrogate (\\ud800), which is not valid Unicode and cannot be stored'
    ],
    [
      'a lone low surrogate deep in the events',
      '{"email":"sur2@hardening.test","lastName":"S","events":[{"type":"page_view","properties":{"page title":"x\\udc00"}}]}',
      'LONE_SURROGATE',
      'The value at $.events[0].properties["page title"] contains an unpaired UTF-16 surrogate (\\udc00), which is not valid Unicode and cannot be stored'
    ],
    [
      'arrays nested 5,000 deep',
      `{"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      'JSON_TOO_DEEP',
      'Body nests objects/arrays more than 32 levels deep; a lead needs far fewer, flatten it'
    ],
    [
      'nesting one past the limit',
      deep(33),
      'JSON_TOO_DEEP',
      'Body nests objects/arrays more than 32 levels deep; a lead needs far fewer, flatten it'
    ]
  ])(
    'should answer %s with 400 naming the problem and store nothing',
    async (_label, body, code, message) => {
      const before = await inboxRows('web');
      expect(await post('web', body)).toEqual({ status: 400, body: { error: { code, message } } });
      expect(await inboxRows('web')).toBe(before);
    }
  );

  it('should refuse %00 in a urlencoded form the same way', async () => {
    const form = 'email=form%40hardening.test&lastName=A%00B';
    const res = await post('web', form, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-leadflow-signature': signBody(SECRET, form)
    });
    expect(res).toEqual({
      status: 400,
      body: {
        error: {
          code: 'NUL_CHARACTER',
          message:
            'The value at $.lastName contains the NUL character (\\u0000), which cannot be stored; remove it'
        }
      }
    });
  });

  it('should accept nesting at the limit and a correctly paired surrogate (emoji)', async () => {
    expect((await post('web', deep(32))).status).toBe(202);
    expect((await post('web', '{"email":"emoji@hardening.test","lastName":"\\ud83d\\ude00"}')).status).toBe(
      202
    );
  });
});

describe('signature timestamps and the legacy form', () => {
  const expired = (t: number, skew: number, dir: string, tolerance: number) =>
    `X-Leadflow-Signature timestamp t=${t} is ${skew} s ${dir}; the tolerance is ${tolerance} s (sign each request with the current time)`;

  it.each([
    ['an hour old', -3_600, 'old'],
    ['an hour in the future', 3_600, 'in the future']
  ])(
    'should refuse a correctly signed request %s with 401 SIGNATURE_EXPIRED and store nothing',
    async (_label, offset, dir) => {
      const body = newLead();
      const t = Math.floor(Date.now() / 1000) + offset;
      const before = await inboxRows('strict');
      const res = await post('strict', body, { 'x-leadflow-signature': signBody(SECRET, body, t) });
      expect(res.status).toBe(401);
      expect(res.body.error!.code).toBe('SIGNATURE_EXPIRED');
      // The server's clock may tick once between signing and checking.
      expect([expired(t, 3_600, dir, 60), expired(t, offset < 0 ? 3_601 : 3_599, dir, 60)]).toContain(
        res.body.error!.message
      );
      expect(await inboxRows('strict')).toBe(before);
    }
  );

  it('should accept a signature inside the configured tolerance', async () => {
    const body = newLead();
    const res = await post('strict', body, {
      'x-leadflow-signature': signBody(SECRET, body, Math.floor(Date.now() / 1000) - 30)
    });
    expect(res.status).toBe(202);
  });

  it('should refuse the body-only sha256= signature on a source that did not opt in', async () => {
    const body = newLead();
    expect(await post('web', body, { 'x-leadflow-signature': signBodyLegacy(SECRET, body) })).toEqual({
      status: 401,
      body: {
        error: {
          code: 'INVALID_SIGNATURE',
          message:
            'X-Leadflow-Signature uses the body-only form sha256=<hex>, which source "web" does not accept; send t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">'
        }
      }
    });
  });

  it('should accept sha256= on a source with legacyBodySignature, warn once, and still store a replay once', async () => {
    const warnings = () =>
      logLines.filter((l) => l.msg.startsWith('accepted a legacy body-only webhook signature'));
    const body1 = newLead();
    const body2 = newLead();
    const r1 = await post('old-forms', body1, { 'x-leadflow-signature': signBodyLegacy(SECRET, body1) });
    const r1again = await post('old-forms', body1, { 'x-leadflow-signature': signBodyLegacy(SECRET, body1) });
    const r2 = await post('old-forms', body2, { 'x-leadflow-signature': signBodyLegacy(SECRET, body2) });
    const tampered = await post('old-forms', body2.replace('Pop', 'Pip'), {
      'x-leadflow-signature': signBodyLegacy(SECRET, body2)
    });
    expect([r1.status, r1again.status, r2.status, tampered.status]).toEqual([202, 200, 202, 401]);
    expect(await inboxRows('old-forms')).toBe(2);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.source).toBe('old-forms');
    // The new scheme keeps working on the opted-in source.
    expect((await post('old-forms', newLead())).status).toBe(202);
  });
});
