import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRejectWriter, escapeFormula } from './rejects';
import { checkSignature, signBody, signBodyLegacy, verifySignature } from './signature';

describe('checkSignature (t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">)', () => {
  const secret = 'a-long-enough-test-secret';
  const body = Buffer.from('{"email":"a@b.com"}');
  const now = 1_780_000_000;

  it('should accept the HMAC-SHA256 of "t.body" signed with the current time', () => {
    const header = signBody(secret, body, now);
    // The value a sender computes with openssl (docs/ingest.md "Sender contract").
    const expected = createHmac('sha256', secret).update(`${now}.${body.toString()}`).digest('hex');
    expect(header).toBe(`t=${now},v1=${expected}`);
    expect(checkSignature(secret, body, header, { nowSeconds: now })).toEqual({
      ok: true,
      scheme: 'v1',
      timestamp: now
    });
  });

  it('should accept a header with a rotated-out v1 next to the current one, and ignore unknown schemes', () => {
    const good = signBody(secret, body, now).split(',')[1]!;
    const old = signBody('the-previous-secret-value', body, now).split(',')[1]!;
    expect(verifySignature(secret, body, `t=${now},${old},v2=abc,${good}`, { nowSeconds: now })).toBe(true);
  });

  it.each([
    ['missing header', undefined, 'missing'],
    ['wrong secret', signBody('another-secret-value!!', body, now), 'mismatch'],
    ['other body', signBody(secret, '{"email":"x@b.com"}', now), 'mismatch'],
    [
      'timestamp changed after signing',
      signBody(secret, body, now).replace(`t=${now}`, `t=${now + 1}`),
      'mismatch'
    ],
    ['truncated hex', signBody(secret, body, now).slice(0, 40), 'mismatch'],
    ['header without t=', signBody(secret, body, now).split(',')[1]!, 'malformed'],
    ['non-numeric t=', `t=soon,${signBody(secret, body, now).split(',')[1]!}`, 'malformed'],
    ['legacy body-only signature', signBodyLegacy(secret, body), 'legacy-not-allowed']
  ])('should refuse a %s', (_label, header, reason) => {
    expect(checkSignature(secret, body, header, { nowSeconds: now })).toEqual({ ok: false, reason });
  });

  it.each([
    ['301 s old', now - 301, 301],
    ['301 s in the future', now + 301, -301]
  ])('should refuse a correct signature %s with the default 300 s tolerance', (_label, t, skew) => {
    expect(checkSignature(secret, body, signBody(secret, body, t), { nowSeconds: now })).toEqual({
      ok: false,
      reason: 'outside-tolerance',
      timestamp: t,
      skewSeconds: skew
    });
    expect(verifySignature(secret, body, signBody(secret, body, now - 300), { nowSeconds: now })).toBe(true);
  });

  it('should honour a configured tolerance', () => {
    const header = signBody(secret, body, now - 30);
    expect(verifySignature(secret, body, header, { nowSeconds: now, toleranceSeconds: 29 })).toBe(false);
    expect(verifySignature(secret, body, header, { nowSeconds: now, toleranceSeconds: 30 })).toBe(true);
  });

  it('should accept the legacy sha256=<hex of body> form only when the source opts in', () => {
    const legacy = signBodyLegacy(secret, body);
    expect(legacy).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    expect(checkSignature(secret, body, legacy, { allowLegacy: true })).toEqual({
      ok: true,
      scheme: 'legacy'
    });
    expect(checkSignature(secret, Buffer.from('{}'), legacy, { allowLegacy: true })).toEqual({
      ok: false,
      reason: 'mismatch'
    });
  });
});

describe('reject file', () => {
  it.each([
    ['=HYPERLINK("x")', `'=HYPERLINK("x")`],
    ['+1 555', `'+1 555`],
    ['-2', `'-2`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['plain', 'plain']
  ])('should escape %j against formula injection', (cell, expected) => {
    expect(escapeFormula(cell)).toBe(expected);
  });

  it('should write row, field, value, reason as CSV', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rej-')), 'r.csv');
    const w = createRejectWriter(file);
    w.write([{ row: 4, field: 'email', value: '=cmd|x', reason: 'not a valid email address' }]);
    await w.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(
      "row,field,value,reason\n4,email,'=cmd|x,not a valid email address\n"
    );
    expect(w.count).toBe(1);
  });
});
