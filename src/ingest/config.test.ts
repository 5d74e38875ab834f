import { IngestConfigError, parseIngestConfig } from './config';

describe('ingest source options for files', () => {
  it('should default onInvalidOptional to "drop" and leave encoding and delimiter to detection', () => {
    const [source] = parseIngestConfig({ sources: [{ name: 'crm', path: 'export.csv' }] }).sources;
    expect(source).toMatchObject({ name: 'crm', onInvalidOptional: 'drop' });
    expect(source!.encoding).toBeUndefined();
    expect(source!.delimiter).toBeUndefined();
  });

  it('should accept any encoding iconv-lite knows', () => {
    const cfg = parseIngestConfig({
      sources: [
        { name: 'ro', encoding: 'windows-1250', delimiter: ';', onInvalidOptional: 'reject' },
        { name: 'ru', encoding: 'koi8-r' }
      ]
    });
    expect(cfg.sources.map((s) => [s.encoding, s.onInvalidOptional])).toEqual([
      ['windows-1250', 'reject'],
      ['koi8-r', 'drop']
    ]);
  });

  it('should refuse an unknown encoding and an unknown onInvalidOptional with the path and the reason', () => {
    let error: unknown;
    try {
      parseIngestConfig({ sources: [{ name: 'x', encoding: 'klingon-8', onInvalidOptional: 'ignore' }] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IngestConfigError);
    expect((error as IngestConfigError).issues).toEqual([
      'ingest.sources.0.encoding: unknown encoding (e.g. "utf-8", "utf-16le", "windows-1250", "windows-1251", "windows-1252")',
      expect.stringMatching(/^ingest\.sources\.0\.onInvalidOptional: Invalid option: expected one of "drop"\|"reject"$/)
    ]);
  });
});
