/**
 * Streaming record readers. CSV and NDJSON are read record by record (constant memory whatever the
 * file size); a JSON file (an array, or `{ "leads": [...] }`) is parsed whole, so prefer NDJSON for
 * large exports.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';

export interface SourceRecord {
  /** CSV: spreadsheet row (header = 1). JSON/NDJSON: 1-based record number / line number. */
  row: number;
  data: Record<string, unknown>;
}

export type FileKind = 'csv' | 'json' | 'ndjson';

export function kindFromPath(filePath: string): FileKind {
  const lower = filePath.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  return 'csv';
}

export class SourceReadError extends Error {
  constructor(message: string, public readonly row?: number) {
    super(message);
    this.name = 'SourceReadError';
  }
}

export async function* readCsv(filePath: string, opts: { delimiter?: string; skip?: number } = {}): AsyncGenerator<SourceRecord> {
  const parser = fs.createReadStream(filePath).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      delimiter: opts.delimiter ?? ',',
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true
    })
  );
  let row = 1;
  try {
    for await (const record of parser) {
      row++;
      yield { row, data: record as Record<string, unknown> };
    }
  } catch (err) {
    // Quotes are relaxed, so this is mostly a quote opened and never closed: the parser has swallowed the
    // rest of the file. Rows read so far are kept; the broken one becomes a reject line.
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('CSV_')) throw err;
    yield { row: row + 1, data: { __parseError: `not readable as CSV (${e.message}); the rest of the file was not read` } };
  }
}

export async function* readNdjson(filePath: string): AsyncGenerator<SourceRecord> {
  const lines = readline.createInterface({ input: fs.createReadStream(filePath, { encoding: 'utf8' }), crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    row++;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    yield { row, data: parseJsonObject(trimmed, row) };
  }
}

export async function* readJson(filePath: string): AsyncGenerator<SourceRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.promises.readFile(filePath, 'utf8'));
  } catch (err) {
    throw new SourceReadError(`${filePath} is not valid JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { leads?: unknown })?.leads;
  if (!Array.isArray(items)) throw new SourceReadError(`${filePath}: expected a JSON array or {"leads": [...]}`);
  let row = 0;
  for (const item of items) {
    row++;
    yield { row, data: isObject(item) ? item : { __parseError: `record ${row} is ${describeJson(item)}, not a JSON object` } };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const describeJson = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** A line that is not a JSON object becomes a parse-error record, which ingest rejects with its line number. */
function parseJsonObject(text: string, row: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { __parseError: `line ${row} is not valid JSON (${(err as Error).message})` };
  }
  return isObject(v) ? v : { __parseError: `line ${row} is ${describeJson(v)}, not a JSON object` };
}

export function readRecords(filePath: string, kind: FileKind, opts: { delimiter?: string } = {}): AsyncGenerator<SourceRecord> {
  if (!fs.existsSync(filePath)) throw new SourceReadError(`File not found: ${filePath}`);
  if (kind === 'ndjson') return readNdjson(filePath);
  if (kind === 'json') return readJson(filePath);
  return readCsv(filePath, opts);
}
