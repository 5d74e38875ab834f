/**
 * CSV reading and writing for Bulk API 2.0 jobs, with Salesforce's delimiter and line-ending options.
 * Reading streams through csv-parse so a 100 MB upload is parsed in slices and never blocks the server.
 */
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';

export const COLUMN_DELIMITERS = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t'
} as const;

export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;
export type LineEnding = 'LF' | 'CRLF';

export interface CsvDialect {
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
}

/** Salesforce's marker for "set this field to null" in ingest CSV (jsforce writes nulls this way). */
export const NULL_MARKER = '#N/A';

/** A CSV problem that fails the whole job; `message` is the job's errorMessage. */
export class BulkCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkCsvError';
  }
}

const SLICE_CHARS = 64 * 1024;

function* slices(text: string): Generator<string> {
  for (let start = 0; start < text.length; start += SLICE_CHARS) yield text.slice(start, start + SLICE_CHARS);
}

/**
 * Salesforce refuses data whose line breaks don't match the job's lineEnding (it checks the first one).
 * The message is the one Salesforce puts in the job's errorMessage.
 */
export function checkLineEnding(text: string, lineEnding: LineEnding): void {
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0) return;
  const isCrlf = firstBreak > 0 && text[firstBreak - 1] === '\r';
  if (isCrlf !== (lineEnding === 'CRLF')) {
    throw new BulkCsvError(
      `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${lineEnding}`
    );
  }
}

function describeCsvError(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `ClientInputError : Failed to parse CSV. Found unescaped quote or unbalanced quotes (${err.message})`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `InvalidBatch : Records must have the same number of columns as the header (${err.message})`;
    default:
      return `ClientInputError : Failed to parse CSV (${err.message})`;
  }
}

/**
 * Yields the rows of `text` (header first) as arrays of raw strings, validating quoting and column counts.
 * Throws BulkCsvError with Salesforce-style messages.
 */
export async function* readCsvRows(text: string, dialect: CsvDialect): AsyncGenerator<string[]> {
  checkLineEnding(text, dialect.lineEnding);
  const parser = parse({
    delimiter: COLUMN_DELIMITERS[dialect.columnDelimiter],
    record_delimiter: dialect.lineEnding === 'CRLF' ? '\r\n' : '\n',
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false
  });
  const source = Readable.from(slices(text));
  source.pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<string[]>) yield row;
  } catch (err) {
    if (err instanceof CsvError) throw new BulkCsvError(describeCsvError(err));
    throw err;
  } finally {
    source.destroy();
  }
}

/** CSV text for `rows` with a header; values quoted like Salesforce's result files, null/undefined left empty. */
export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
  dialect: CsvDialect
): string {
  return formatCsvHeader(header, dialect) + formatCsvLines(rows, dialect);
}

export function formatCsvHeader(header: readonly string[], dialect: CsvDialect): string {
  return formatCsvLines([header], dialect);
}

/** Rows without a header, each line terminated by the dialect's line ending ('' for no rows). */
export function formatCsvLines(rows: readonly (readonly unknown[])[], dialect: CsvDialect): string {
  if (rows.length === 0) return '';
  return stringify(
    rows.map((row) => row.map(toCsvValue)),
    {
      delimiter: COLUMN_DELIMITERS[dialect.columnDelimiter],
      record_delimiter: dialect.lineEnding === 'CRLF' ? 'windows' : 'unix',
      quoted: true
    }
  );
}

function toCsvValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
