import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { createRowMapper, recognisedHeaders } from './mapping';
import { PRESETS } from './presets';
import { detectDelimiter, detectEncoding, openSourceFile, readRecords, type FileKind, type SourceRecord } from './readers';

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

async function open(name: string, content: Buffer, opts: { delimiter?: string; encoding?: string } = {}) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  const opened = openSourceFile(file, 'csv', opts);
  const rows: SourceRecord[] = [];
  for await (const r of opened.records) rows.push(r);
  return { ...opened, rows };
}

describe('CSV files as people export them', () => {
  const ROMANIAN = 'Nume;Prenume;Email\nŞtefănescu;Ioana;ioana@firma.ro\nŢăranu;Mărioară;m@firma.ro\nÎncu;Ângela;a@firma.ro\n';
  const CYRILLIC = 'lastName;firstName;email\nИванов;Пётр;petr@firma.ru\nСмирнова;Анна;anna@firma.ru\n';

  it('should detect a semicolon-separated Windows-1250 file with Romanian diacritics', async () => {
    const { detection, rows } = await open('ro.csv', iconv.encode(ROMANIAN, 'windows-1250'));
    expect(detection).toEqual({ encoding: 'windows-1250', encodingFrom: 'detected', delimiter: ';', delimiterFrom: 'detected' });
    expect(rows.map((r) => r.data.Nume)).toEqual(['Ştefănescu', 'Ţăranu', 'Încu']);
  });

  it('should detect a Windows-1251 file with Cyrillic names', async () => {
    const { detection, rows } = await open('ru.csv', iconv.encode(CYRILLIC, 'windows-1251'));
    expect(detection).toMatchObject({ encoding: 'windows-1251', delimiter: ';' });
    expect(rows.map((r) => [r.data.lastName, r.data.firstName])).toEqual([['Иванов', 'Пётр'], ['Смирнова', 'Анна']]);
  });

  it.each([
    ['windows-1252', 'lastName,firstName,email\nMüller,Jürgen,j@firma.de\nGarçon,Zoë,z@firma.fr\n', 'Müller'],
    ['windows-1250', 'lastName;firstName;email\nŁukasz;Żółć;l@firma.pl\nŚwięty;Źdźbło;s@firma.pl\n', 'Łukasz']
  ])('should detect %s for %j', async (encoding, text, first) => {
    const { detection, rows } = await open(`legacy-${encoding}.csv`, iconv.encode(text, encoding));
    expect(detection.encoding).toBe(encoding);
    expect(rows[0]!.data.lastName).toBe(first);
  });

  it.each([
    ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email\tlastName\ta@x.io\tȘerban\n'.replace('\ta@', '\na@'))])],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('email\tlastName\na@x.io\tȘerban\n', 'utf-16le')])],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('email\tlastName\na@x.io\tȘerban\n', 'utf-16be')])]
  ])('should read %s with a byte order mark (tab-separated)', async (encoding, bytes) => {
    const { detection, rows } = await open(`bom-${encoding}.csv`, bytes);
    expect(detection).toEqual({ encoding, encodingFrom: 'bom', delimiter: '\t', delimiterFrom: 'detected' });
    expect(rows).toEqual([{ row: 2, data: { email: 'a@x.io', lastName: 'Șerban' } }]);
  });

  it('should use the source\'s encoding and delimiter when set', async () => {
    const bytes = iconv.encode('a|b\nKOI|Пётр\n', 'koi8-r');
    const { detection, rows } = await open('koi.csv', bytes, { encoding: 'koi8-r', delimiter: '|' });
    expect(detection).toEqual({ encoding: 'koi8-r', encodingFrom: 'configured', delimiter: '|', delimiterFrom: 'configured' });
    expect(rows[0]!.data).toEqual({ a: 'KOI', b: 'Пётр' });
  });

  it('should put header names in NFC so a decomposed "Prénom" maps like the precomposed one', async () => {
    const { rows } = await open('nfd.csv', Buffer.from('Pre\u0301nom,Email\nAna,a@x.io\n'));
    expect(Object.keys(rows[0]!.data)).toEqual(['Prénom', 'Email']);
    expect(createRowMapper({ firstName: 'Prénom' })(2, rows[0]!.data).values.firstName).toBe('Ana');
  });

  it('should warn about duplicate columns and take the first non-blank value in each row', async () => {
    const { warnings, rows } = await open('dup.csv', Buffer.from('Email,lastName,email,Email\n,Popescu,second@x.io,third@x.io\nfirst@x.io,Ionescu,,x@x.io\n'));
    expect(warnings).toEqual(['duplicate column "Email" / "email" (columns 1, 3, 4): in each row the first non-blank value is used']);
    const map = createRowMapper({});
    expect(rows.map((r) => map(r.row, r.data).values.email)).toEqual(['second@x.io', 'first@x.io']);
  });

  it('should pick the delimiter that splits header and rows alike, ignoring delimiters inside quotes', () => {
    expect(detectDelimiter('name;note\n"Pop, Ion";"a,b,c"\n')).toBe(';');
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a|b\n1|2\n')).toBe('|');
    expect(detectDelimiter('root:x:0:0:root:/root:/bin/bash\n')).toBe(',');
  });

  it('should take a file whose sample is valid UTF-8 (or ASCII) as UTF-8', () => {
    expect(detectEncoding(Buffer.from('email\na@x.io\n'))).toEqual({ encoding: 'utf-8', from: 'detected' });
    expect(detectEncoding(Buffer.from('lastName\nȘerban\n'))).toEqual({ encoding: 'utf-8', from: 'detected' });
  });
});

describe('files that cannot be read', () => {
  it('should refuse a directory', () => {
    expect(() => openSourceFile(dir, 'csv')).toThrow(`${dir} is a directory, not a file: give the CSV, JSON or NDJSON file to ingest`);
  });

  it('should refuse a FIFO without blocking on it', () => {
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect(() => openSourceFile(fifo, 'csv')).toThrow(`${fifo} is a named pipe (FIFO), not a regular file: save the export to a file and ingest that`);
  });

  it('should refuse a missing file and a file with NUL bytes', async () => {
    expect(() => openSourceFile(path.join(dir, 'nope.csv'), 'csv')).toThrow(`File not found: ${path.join(dir, 'nope.csv')}`);
    await expect(open('bin.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]))).rejects.toThrow(
      'the file contains NUL bytes: it is not a text file, or it is UTF-16 without a byte order mark (then set the source\'s "encoding" to "utf-16le" or "utf-16be")'
    );
  });

  (process.getuid?.() === 0 ? it.skip : it)('should refuse a file without read permission', () => {
    const file = path.join(dir, 'secret.csv');
    fs.writeFileSync(file, 'email\n');
    fs.chmodSync(file, 0o000);
    expect(() => openSourceFile(file, 'csv')).toThrow(`${file} cannot be read (permission denied)`);
  });

  it('should not quote the file in a JSON syntax error', async () => {
    await expect(read('passwd.json', 'root:x:0:0:root:/root:/bin/bash\n', 'json')).rejects.toThrow(/is not valid JSON \(syntax error[^)]*\)$/);
    await expect(read('passwd.json', 'root:x:0:0:root:/root:/bin/bash\n', 'json')).rejects.not.toThrow(/root:x/);
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
