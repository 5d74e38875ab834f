/**
 * Streaming record readers. CSV and NDJSON are read record by record (constant memory whatever the
 * file size); a JSON file (an array, or `{ "leads": [...] }`) is parsed whole, so prefer NDJSON for
 * large exports.
 *
 * CSV files come as people export them: the encoding (UTF-8 with or without BOM, UTF-16 with BOM,
 * Windows-1250/1251/1252) and the delimiter (`,` `;` tab `|`) are detected from the first MiB unless the
 * source sets them; what was used is reported (`InputDetection`). Header names are trimmed and put in NFC.
 * Errors never quote file content: a wrong file (e.g. a symlink to /etc/passwd) must not end up in the
 * output or the runs table.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline } from 'node:stream';
import { analyse } from 'chardet';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';

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

/** The delimiters detection chooses from, in order of preference when counts tie. */
export const DETECTED_DELIMITERS = [',', ';', '\t', '|'] as const;
/** The encodings detection chooses from (any iconv-lite encoding can be set per source). */
export const DETECTED_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1250', 'windows-1251', 'windows-1252'] as const;

export interface InputDetection {
  encoding: string;
  /** bom: from the byte order mark; detected: from the bytes; configured: the source's `encoding`. */
  encodingFrom: 'bom' | 'detected' | 'configured';
  /** CSV only. */
  delimiter?: string;
  delimiterFrom?: 'detected' | 'configured';
}

/** Bytes looked at for detection: enough for thousands of rows, small enough to read on every run. */
const SAMPLE_BYTES = 1024 * 1024;

/**
 * Refuses what is not a readable regular file before anything else opens it: a FIFO would block the
 * reader forever, a directory would fail mid-stream (EISDIR).
 */
export function checkReadableFile(filePath: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SourceReadError(`File not found: ${filePath}`);
    if (code === 'ELOOP') throw new SourceReadError(`${filePath} cannot be read: too many levels of symbolic links`);
    throw new SourceReadError(`${filePath} cannot be read (${code ?? 'unknown error'})`);
  }
  if (stat.isDirectory()) throw new SourceReadError(`${filePath} is a directory, not a file: give the CSV, JSON or NDJSON file to ingest`);
  if (!stat.isFile()) {
    const what = stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : 'a device';
    throw new SourceReadError(`${filePath} is ${what}, not a regular file: save the export to a file and ingest that`);
  }
  try {
    fs.accessSync(filePath, fs.constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceReadError(`${filePath} cannot be read (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code})`);
  }
}

function readSample(filePath: string): Buffer {
  const fd = fs.openSync(filePath, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A Windows code page decoded as another one: letters become symbols inside words. */
const LEGACY_CANDIDATES = ['windows-1250', 'windows-1251', 'windows-1252'] as const;
/** chardet's names for the code pages (ISO-8859-x is the subset it reports for short samples). */
const CHARDET_NAMES: Record<string, (typeof LEGACY_CANDIDATES)[number]> = {
  'windows-1250': 'windows-1250',
  'ISO-8859-2': 'windows-1250',
  'windows-1251': 'windows-1251',
  'ISO-8859-5': 'windows-1251',
  'windows-1252': 'windows-1252',
  'ISO-8859-1': 'windows-1252'
};

/**
 * Encoding of a byte sample: BOM first, then "is it valid UTF-8" (ASCII is), then the Windows code page.
 * For the code page, each candidate that decodes a non-letter inside a word (e.g. "£ukasz" for Polish
 * read as 1252) is ruled out; a sample whose non-ASCII letters make whole words (as Cyrillic does) is
 * 1251; otherwise chardet's ranking decides.
 */
export function detectEncoding(sample: Buffer): { encoding: string; from: 'bom' | 'detected' } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', from: 'bom' };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', from: 'bom' };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', from: 'bom' };
  if (sample.includes(0)) {
    throw new SourceReadError(
      'the file contains NUL bytes: it is not a text file, or it is UTF-16 without a byte order mark (then set the source\'s "encoding" to "utf-16le" or "utf-16be")'
    );
  }
  try {
    // stream: true, so a character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', from: 'detected' };
  } catch {
    // not UTF-8: one of the Windows code pages, unless the file is a mix (below)
  }
  // Valid UTF-8 multi-byte sequences next to invalid bytes: a file pasted together from two exports. Read
  // as UTF-8 so the UTF-8 rows stay right; the others are rejected by field (NOT_UTF8_REASON in validate.ts).
  const census = utf8Census(sample);
  if (census.sequences > 0 && census.sequences >= census.stray) return { encoding: 'utf-8', from: 'detected' };
  const plausible = LEGACY_CANDIDATES.filter((enc) => !/\p{L}[^\p{L}\p{M}\x00-\x7F]\p{L}/u.test(iconv.decode(sample, enc)));
  const candidates = plausible.length > 0 ? plausible : [...LEGACY_CANDIDATES];
  if (candidates.includes('windows-1251') && wholeNonAsciiWords(sample) > 0.6) return { encoding: 'windows-1251', from: 'detected' };
  for (const match of analyse(sample)) {
    const name = CHARDET_NAMES[match.name];
    if (name && candidates.includes(name)) return { encoding: name, from: 'detected' };
  }
  return { encoding: candidates.includes('windows-1252') ? 'windows-1252' : candidates[0]!, from: 'detected' };
}

/**
 * Complete, valid UTF-8 multi-byte sequences in the sample, and the bytes >= 0x80 outside them. A
 * code-page file has a few sequences by chance (1251 "Пё" is CF B8, a valid pair) among many stray bytes.
 */
function utf8Census(sample: Buffer): { sequences: number; stray: number } {
  let sequences = 0;
  let stray = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b < 0x80) continue;
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = len > 0 && i + len <= sample.length;
    for (let k = 1; ok && k < len; k++) if ((sample[i + k]! & 0xc0) !== 0x80) ok = false;
    if (ok && !new TextDecoder('utf-8').decode(sample.subarray(i, i + len)).includes('\uFFFD')) {
      sequences++;
      i += len - 1;
    } else stray++;
  }
  return { sequences, stray };
}

/**
 * Share of the words with non-ASCII letters that have no ASCII letter at all, read as 1251. Cyrillic words
 * are all non-ASCII ("Иванов"); Latin-script words mix ("Dvořák" read as 1251 is "Dvoшсk").
 */
function wholeNonAsciiWords(sample: Buffer): number {
  const words = iconv.decode(sample, 'windows-1251').match(/\p{L}+/gu) ?? [];
  const withNonAscii = words.filter((w) => /[^\x00-\x7F]/.test(w));
  if (withNonAscii.length === 0) return 0;
  return withNonAscii.filter((w) => !/[A-Za-z]/.test(w)).length / withNonAscii.length;
}

/**
 * Delimiter of a CSV text sample: the candidate that splits the header into the most columns and splits
 * the data lines into the same number (quotes respected). No candidate in the header: `,` (one column).
 */
export function detectDelimiter(text: string): string {
  const lines = logicalLines(text, 50);
  let best: { delimiter: string; score: number } = { delimiter: ',', score: 0 };
  for (const d of DETECTED_DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const data = counts.slice(1);
    const consistent = data.length === 0 ? 1 : data.filter((c) => c === header).length / data.length;
    // A delimiter that also splits the data rows the same way beats one that only appears in the header.
    const score = header * (0.5 + consistent);
    if (score > best.score) best = { delimiter: d, score };
  }
  return best.delimiter;
}

/** Lines of a CSV sample, with line breaks inside quotes kept inside the line. */
function logicalLines(text: string, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (i > start) out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  // The last line of a sample may be cut in the middle: only use it when it is the whole file.
  if (out.length === 0 && start < text.length) out.push(text.slice(start));
  return out;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === d) n++;
  }
  return n;
}

export interface OpenedSource {
  detection: InputDetection;
  /** Header problems (duplicate names), known once the first record has been read. */
  warnings: string[];
  records: AsyncGenerator<SourceRecord>;
}

/** `headerKey` of mapping.ts: how columns compare (case-insensitive, trimmed). */
const sameColumn = (h: string): string => h.trim().toLowerCase();

/** Trimmed, BOM-free, NFC header names (a header typed with combining marks matches the mapping). */
export function cleanHeader(h: string): string {
  return h.replace(/^\uFEFF/, '').trim().normalize('NFC');
}

/** "duplicate column …" warnings for a header row; the rule itself is applied per row. */
export function duplicateHeaderWarnings(headers: readonly string[]): string[] {
  const positions = new Map<string, number[]>();
  headers.forEach((h, i) => {
    const key = sameColumn(h);
    if (key === '') return;
    positions.set(key, [...(positions.get(key) ?? []), i + 1]);
  });
  const out: string[] = [];
  for (const cols of positions.values()) {
    if (cols.length < 2) continue;
    const names = [...new Set(cols.map((c) => JSON.stringify(headers[c - 1])))].join(' / ');
    out.push(`duplicate column ${names} (columns ${cols.join(', ')}): in each row the first non-blank value is used`);
  }
  return out;
}

export function readCsv(filePath: string, opts: { delimiter?: string; encoding?: string } = {}): OpenedSource {
  checkReadableFile(filePath);
  const sample = readSample(filePath);
  const enc = opts.encoding ? { encoding: opts.encoding, from: 'configured' as const } : detectEncoding(sample);
  const delimiter = opts.delimiter ?? detectDelimiter(iconv.decode(sample, enc.encoding));
  const detection: InputDetection = {
    encoding: enc.encoding,
    encodingFrom: enc.from,
    delimiter,
    delimiterFrom: opts.delimiter ? 'configured' : 'detected'
  };
  const warnings: string[] = [];
  return { detection, warnings, records: csvRecords(filePath, enc.encoding, delimiter, warnings) };
}

async function* csvRecords(filePath: string, encoding: string, delimiter: string, warnings: string[]): AsyncGenerator<SourceRecord> {
  const parser = parse({ bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, relax_quotes: true });
  // pipeline forwards a read error (the file removed or made unreadable meanwhile) to the parser,
  // so it surfaces in the loop below instead of as an uncaught stream error.
  // UTF-8 goes to the parser as bytes (its own decoder, the fast path); other encodings through iconv-lite.
  if (/^utf-?8$/i.test(encoding)) pipeline(fs.createReadStream(filePath), parser, () => undefined);
  else pipeline(fs.createReadStream(filePath), iconv.decodeStream(encoding), parser, () => undefined);
  let headers: string[] | null = null;
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      row++;
      if (!headers) {
        headers = cells.map(cleanHeader);
        warnings.push(...duplicateHeaderWarnings(headers));
        continue;
      }
      yield { row, data: recordFromCells(headers, cells) };
    }
  } catch (err) {
    // Quotes are relaxed, so this is mostly a quote opened and never closed: the parser has swallowed the
    // rest of the file. Rows read so far are kept; the broken one becomes a reject line.
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('CSV_')) throw readFailure(filePath, e);
    yield { row: row + 1, data: { __parseError: `not readable as CSV (${e.message}); the rest of the file was not read` } };
  }
}

/**
 * Cells by header name. Names that differ only in case or surrounding spaces are one column, named as
 * first written; its value is the first non-blank cell, in column order (docs/ingest.md, duplicate columns).
 */
function recordFromCells(headers: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const nameOf = new Map<string, string>();
  headers.forEach((h, i) => {
    const key = sameColumn(h);
    const name = nameOf.get(key) ?? h;
    nameOf.set(key, name);
    const value = cells[i];
    if (value === undefined) return;
    const current = record[name];
    if (current === undefined || (typeof current === 'string' && current.trim() === '')) record[name] = value;
  });
  return record;
}

function readFailure(filePath: string, err: NodeJS.ErrnoException): SourceReadError {
  if (err instanceof SourceReadError) return err;
  return new SourceReadError(`${filePath} could not be read to the end (${err.code ?? err.message})`);
}

export async function* readNdjson(filePath: string): AsyncGenerator<SourceRecord> {
  const input = fs.createReadStream(filePath, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  try {
    for await (const line of lines) {
      row++;
      const trimmed = (row === 1 ? line.replace(/^\uFEFF/, '') : line).trim();
      if (trimmed === '') continue;
      yield { row, data: parseJsonObject(trimmed, row) };
    }
  } catch (err) {
    throw readFailure(filePath, err as NodeJS.ErrnoException);
  }
}

export async function* readJson(filePath: string): AsyncGenerator<SourceRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await fs.promises.readFile(filePath, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw readFailure(filePath, err as NodeJS.ErrnoException);
    throw new SourceReadError(`${filePath} is not valid JSON (${jsonErrorWhere(err)})`);
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { leads?: unknown })?.leads;
  if (!Array.isArray(items)) throw new SourceReadError(`${filePath}: expected a JSON array or {"leads": [...]}`);
  let row = 0;
  for (const item of items) {
    row++;
    yield { row, data: isObject(item) ? item : { __parseError: `record ${row} is ${describeJson(item)}, not a JSON object` } };
  }
}

/**
 * Where JSON.parse failed, without the text it quotes (Node writes e.g. `Unexpected token 'r', "root:x:0:0"...`):
 * the position when it gives one, else a generic "syntax error".
 */
export function jsonErrorWhere(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(message);
  if (at) return at[2] ? `syntax error at line ${at[2]} column ${at[3]}` : `syntax error at position ${at[1]}`;
  if (/Unexpected end of JSON input/.test(message)) return 'unexpected end of input';
  return 'syntax error';
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const describeJson = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** A line that is not a JSON object becomes a parse-error record, which ingest rejects with its line number. */
function parseJsonObject(text: string, row: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { __parseError: `line ${row} is not valid JSON (${jsonErrorWhere(err)})` };
  }
  return isObject(v) ? v : { __parseError: `line ${row} is ${describeJson(v)}, not a JSON object` };
}

/**
 * Opens a source file: checks it is a readable regular file, detects what it needs (CSV: encoding and
 * delimiter) and returns the records. JSON and NDJSON are UTF-8 by definition (RFC 8259); a BOM is skipped.
 */
export function openSourceFile(filePath: string, kind: FileKind, opts: { delimiter?: string; encoding?: string } = {}): OpenedSource {
  if (kind === 'csv') return readCsv(filePath, opts);
  checkReadableFile(filePath);
  return {
    detection: { encoding: 'utf-8', encodingFrom: 'detected' },
    warnings: [],
    records: kind === 'ndjson' ? readNdjson(filePath) : readJson(filePath)
  };
}

/** The records only (tests, tools); see openSourceFile for what was detected. */
export function readRecords(filePath: string, kind: FileKind, opts: { delimiter?: string; encoding?: string } = {}): AsyncGenerator<SourceRecord> {
  return openSourceFile(filePath, kind, opts).records;
}
