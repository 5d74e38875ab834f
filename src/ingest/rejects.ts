/**
 * The reject file: one CSV line per problem (row, field, value, reason), written as rows are read so a
 * million-row file never holds its rejects in memory. Cells that a spreadsheet would run as a formula
 * (leading =, +, -, @, tab or carriage return) are prefixed with a quote (OWASP "CSV injection").
 * A value longer than MAX_REJECT_VALUE is cut, with a marker saying how much was left out: a 50 MB cell
 * must not make a 50 MB reject file, and the original is still in the source file at that row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify';
import type { RowError } from './validate';

export function escapeFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Characters of a rejected value kept in the reject file. */
export const MAX_REJECT_VALUE = 1_000;

/** `value` cut to `max` characters plus `…[truncated N chars]`; never splits a surrogate pair. */
export function truncateValue(value: string, max = MAX_REJECT_VALUE): string {
  if (value.length <= max) return value;
  let cut = max;
  const last = value.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${value.slice(0, cut)}…[truncated ${(value.length - cut).toLocaleString('en-US')} chars]`;
}

export interface RejectWriter {
  readonly path: string;
  readonly count: number;
  write(errors: readonly RowError[]): void;
  close(): Promise<void>;
}

export function createRejectWriter(filePath: string): RejectWriter {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const out = fs.createWriteStream(filePath, { encoding: 'utf8' });
  const csv = stringify({ header: true, columns: ['row', 'field', 'value', 'reason'] });
  csv.pipe(out);
  let count = 0;
  return {
    path: filePath,
    get count() {
      return count;
    },
    write(errors) {
      for (const e of errors) {
        count++;
        csv.write([String(e.row), escapeFormula(e.field), escapeFormula(truncateValue(e.value)), escapeFormula(e.reason)]);
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        out.on('finish', resolve).on('error', reject);
        csv.end();
      })
  };
}
