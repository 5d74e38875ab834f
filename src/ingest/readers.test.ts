import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recognisedHeaders } from './mapping';
import { PRESETS } from './presets';
import { readRecords, type FileKind, type SourceRecord } from './readers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: string | Buffer, kind: FileKind): Promise<SourceRecord[]> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  const out: SourceRecord[] = [];
  for await (const r of readRecords(file, kind)) out.push(r);
  return out;
}

describe('readRecords', () => {
  it('should keep the CSV rows before an unclosed quote and turn the rest into one parse-error record', async () => {
    const rows = await read('q.csv', 'email,lastName\na@x.io,A\nb@x.io,"B\nc@x.io,C\n', 'csv');
    expect(rows[0]).toEqual({ row: 2, data: { email: 'a@x.io', lastName: 'A' } });
    expect(rows).toHaveLength(2);
    expect(rows[1]!.row).toBe(3);
    expect(rows[1]!.data.__parseError).toMatch(
      /^not readable as CSV \(Quote Not Closed.*\); the rest of the file was not read$/
    );
  });

  it('should strip a BOM and read CRLF line ends', async () => {
    const rows = await read('bom.csv', '\uFEFFemail,lastName\r\na@x.io,A\r\n', 'csv');
    expect(rows).toEqual([{ row: 2, data: { email: 'a@x.io', lastName: 'A' } }]);
  });

  it('should turn NDJSON lines that are not JSON objects into parse-error records by line number', async () => {
    const rows = await read('l.ndjson', '{"a":1}\n{"a":\n[1]\nnull\n\n7\n', 'ndjson');
    expect(rows.map((r) => [r.row, r.data.__parseError ?? r.data])).toEqual([
      [1, { a: 1 }],
      [2, expect.stringMatching(/^line 2 is not valid JSON \(.+\)$/)],
      [3, 'line 3 is an array, not a JSON object'],
      [4, 'line 4 is null, not a JSON object'],
      [6, 'line 6 is a number, not a JSON object']
    ]);
  });

  it('should turn JSON array items that are not objects into parse-error records', async () => {
    const rows = await read('a.json', '[{"a":1},"x"]', 'json');
    expect(rows).toEqual([
      { row: 1, data: { a: 1 } },
      { row: 2, data: { __parseError: 'record 2 is a string, not a JSON object' } }
    ]);
  });

  it('should refuse JSON that is neither an array nor {"leads": [...]}', async () => {
    await expect(read('s.json', '42', 'json')).rejects.toThrow(
      /expected a JSON array or \{"leads": \[\.\.\.\]\}/
    );
    await expect(read('b.json', '[{', 'json')).rejects.toThrow(/is not valid JSON/);
  });
});

describe('recognisedHeaders', () => {
  it('should list the headers that map to a lead field, whatever their case', () => {
    expect(recognisedHeaders({}, ['EMAIL', 'junk', 'LastName'])).toEqual(['EMAIL', 'LastName']);
    expect(recognisedHeaders(PRESETS.hubspot.mapping, ['Record ID', 'Company Name'])).toEqual([
      'Record ID',
      'Company Name'
    ]);
  });

  it('should recognise nothing in a wrongly split header or a data row', () => {
    expect(recognisedHeaders({}, ['id;email;lastName'])).toEqual([]);
    expect(recognisedHeaders({}, ['h1', 'a@x.io', 'Acme'])).toEqual([]);
  });
});
