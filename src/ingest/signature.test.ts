import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRejectWriter, escapeFormula } from './rejects';
import { signBody, verifySignature } from './signature';

describe('verifySignature', () => {
  const secret = 'a-long-enough-test-secret';
  const body = Buffer.from('{"email":"a@b.com"}');
  it('should accept the HMAC-SHA256 of the raw body', () => {
    expect(verifySignature(secret, body, signBody(secret, body))).toBe(true);
  });
  it.each([
    ['missing header', undefined],
    ['wrong secret', signBody('another-secret-value!!', body)],
    ['other body', signBody(secret, '{"email":"x@b.com"}')],
    ['no sha256= prefix', signBody(secret, body).slice(7)],
    ['truncated hex', signBody(secret, body).slice(0, 40)]
  ])('should refuse a %s', (_label, header) => {
    expect(verifySignature(secret, body, header)).toBe(false);
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
    expect(fs.readFileSync(file, 'utf8')).toBe("row,field,value,reason\n4,email,'=cmd|x,not a valid email address\n");
    expect(w.count).toBe(1);
  });
});
