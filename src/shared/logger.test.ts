import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { scrubString, scrubValue, REDACTED } from './redact';

const TOKEN = '00D000000000001!AQ0Emu.abcDEF123456789xyz';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    }
  });
  return { logger: createLogger({ level: 'debug', destination: stream }), text: () => chunks.join('') };
}

describe('logger redaction', () => {
  it('should not print an access token when it is logged as a field, nested, in a message, or in an error', () => {
    const { logger, text } = capture();
    logger.info({ accessToken: TOKEN }, 'connected');
    logger.info({ conn: { headers: { authorization: `Bearer ${TOKEN}` } } }, 'request');
    logger.info(`token is ${TOKEN} and url ?access_token=${TOKEN}`);
    logger.error({ err: new Error(`refresh failed for ${TOKEN}`) }, 'failed');
    logger.debug({ body: `{"client_secret":"s3cr3t-value","refresh_token":"r-tok"}` }, 'raw body');
    const out = text();
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('AQ0Emu.abcDEF');
    expect(out).not.toContain('s3cr3t-value');
    expect(out).not.toContain('r-tok');
    expect(out).toContain(REDACTED);
    // Non-secret content survives.
    expect(out).toContain('connected');
    expect(out).toContain('refresh failed for');
  });

  it('should not mutate the logged object', () => {
    const { logger } = capture();
    const payload = { password: 'hunter2', nested: { token: 't' } };
    logger.info(payload, 'x');
    expect(payload).toEqual({ password: 'hunter2', nested: { token: 't' } });
  });
});

describe('scrubString', () => {
  it.each([
    ['Authorization: Bearer abc.def.ghi', 'Bearer [REDACTED]'],
    ['grant_type=client_credentials&client_secret=leadflow-local-secret', 'client_secret=[REDACTED]'],
    ['<sessionId>00D000000000001!AQxyz</sessionId>', '<sessionId>[REDACTED]</sessionId>'],
    ['{"access_token":"zzz","instance_url":"http://x"}', '"access_token":"[REDACTED]"'],
    ['jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl', 'jwt [REDACTED]']
  ])('should redact %s', (input, expected) => {
    expect(scrubString(input)).toContain(expected);
  });

  it('should leave ordinary text alone', () => {
    expect(scrubString('Inserted 450 leads into 00Q000000000001AAA')).toBe('Inserted 450 leads into 00Q000000000001AAA');
  });
});

describe('scrubValue', () => {
  it('should redact secret-named keys at any depth and keep others', () => {
    expect(scrubValue({ a: 1, clientSecret: 'x', deep: [{ refresh_token: 'y', name: 'n' }] })).toEqual({
      a: 1,
      clientSecret: REDACTED,
      deep: [{ refresh_token: REDACTED, name: 'n' }]
    });
  });
});
