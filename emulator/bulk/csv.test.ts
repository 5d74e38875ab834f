import { BulkCsvError, checkLineEnding, formatCsv, readCsvRows, type CsvDialect } from './csv';

const LF_COMMA: CsvDialect = { columnDelimiter: 'COMMA', lineEnding: 'LF' };

async function readAll(text: string, dialect: CsvDialect): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const row of readCsvRows(text, dialect)) rows.push(row);
  return rows;
}

describe('readCsvRows', () => {
  it.each<[string, CsvDialect, string, string[][]]>([
    [
      'comma + LF',
      LF_COMMA,
      'A,B\n1,2\n',
      [
        ['A', 'B'],
        ['1', '2']
      ]
    ],
    [
      'pipe + CRLF',
      { columnDelimiter: 'PIPE', lineEnding: 'CRLF' },
      'A|B\r\n1|2\r\n',
      [
        ['A', 'B'],
        ['1', '2']
      ]
    ],
    [
      'tab, no trailing newline',
      { columnDelimiter: 'TAB', lineEnding: 'LF' },
      'A\tB\n1\t2',
      [
        ['A', 'B'],
        ['1', '2']
      ]
    ],
    [
      'quoted delimiter, quote and newline',
      LF_COMMA,
      'A,B\n"x,y","say ""hi""\nthere"\n',
      [
        ['A', 'B'],
        ['x,y', 'say "hi"\nthere']
      ]
    ],
    ['BOM and #N/A kept verbatim', LF_COMMA, '\uFEFFA\n#N/A\n', [['A'], ['#N/A']]]
  ])('should read %s', async (_name, dialect, text, expected) => {
    await expect(readAll(text, dialect)).resolves.toEqual(expected);
  });

  it.each([
    ['an unclosed quote', 'A,B\n"x,1\n', /unbalanced quotes/],
    ['a stray quote', 'A,B\nx,"y"z\n', /unbalanced quotes/],
    ['a short row', 'A,B\nx\n', /InvalidBatch : Records must have the same number of columns/]
  ])('should fail with a job error when the file has %s', async (_name, text, message) => {
    await expect(readAll(text, LF_COMMA)).rejects.toThrow(message);
  });

  it('should parse a large file in slices', async () => {
    const lines = ['Id,Name', ...Array.from({ length: 20000 }, (_, i) => `${i},"name ${i}"`)];
    const rows = await readAll(lines.join('\n') + '\n', LF_COMMA);
    expect(rows).toHaveLength(20001);
    expect(rows[20000]).toEqual(['19999', 'name 19999']);
  });
});

describe('checkLineEnding', () => {
  it("should refuse CRLF data in an LF job with Salesforce's message", () => {
    expect(() => checkLineEnding('A\r\n1\r\n', 'LF')).toThrow(
      new BulkCsvError(
        'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF'
      )
    );
  });
  it('should refuse LF data in a CRLF job', () => {
    expect(() => checkLineEnding('A\n1\n', 'CRLF')).toThrow(/Current LineEnding setting is CRLF/);
  });
  it('should accept a single line without a break', () => {
    expect(() => checkLineEnding('A', 'CRLF')).not.toThrow();
  });
});

describe('formatCsv', () => {
  it('should quote values, leave nulls empty and use the dialect', () => {
    expect(
      formatCsv(
        ['sf__Id', 'Name'],
        [
          ['001', 'a;b'],
          [null, 'x"y']
        ],
        { columnDelimiter: 'SEMICOLON', lineEnding: 'CRLF' }
      )
    ).toBe('"sf__Id";"Name"\r\n"001";"a;b"\r\n;"x""y"\r\n');
  });
  it('should render booleans and dates as Salesforce text', () => {
    expect(formatCsv(['A', 'B'], [[true, new Date('2026-01-02T03:04:05.000Z')]], LF_COMMA)).toBe(
      '"A","B"\n"true","2026-01-02T03:04:05.000Z"\n'
    );
  });
});
