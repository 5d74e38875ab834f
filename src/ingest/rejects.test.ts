import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createRejectWriter, truncateValue } from './rejects';

describe('reject file values', () => {
  it('should keep a value up to 1,000 characters as it is', () => {
    expect(truncateValue('x'.repeat(1000))).toBe('x'.repeat(1000));
  });

  it('should cut a 50 MB cell to 1,000 characters and say how many were left out', () => {
    const cell = 'y'.repeat(50_000_000);
    expect(truncateValue(cell)).toBe(`${'y'.repeat(1000)}…[truncated 49,999,000 chars]`);
  });

  it('should not split an emoji at the cut', () => {
    const cut = truncateValue(`${'a'.repeat(999)}😀tail`);
    expect(cut).toBe(`${'a'.repeat(999)}…[truncated 6 chars]`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('should write the cut value, formula-escaped, to the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rejects-'));
    try {
      const w = createRejectWriter(path.join(dir, 'r.csv'));
      w.write([{ row: 2, field: 'description', value: `=${'z'.repeat(5000)}`, reason: 'longer than 32000 characters' }]);
      await w.close();
      const [line] = parse(fs.readFileSync(path.join(dir, 'r.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      expect(line).toEqual({ row: '2', field: 'description', value: `'=${'z'.repeat(999)}…[truncated 4,001 chars]`, reason: 'longer than 32000 characters' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
