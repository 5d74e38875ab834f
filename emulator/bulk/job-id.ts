/**
 * Bulk job ids: key prefix 750 like Salesforce's AsyncApiJob, 18 characters with the case-safe suffix.
 * Random (not sequential) so ids stay unique across emulator restarts on the same data dir.
 */
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const BULK_JOB_KEY_PREFIX = '750';

/** The 3-character suffix that turns a 15-character id into its 18-character form. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

export function newBulkJobId(): string {
  let body = '';
  for (let i = 0; i < 9; i++) body += BASE62.charAt(randomInt(BASE62.length));
  const id15 = `${BULK_JOB_KEY_PREFIX}000${body}`;
  return id15 + caseSafeSuffix(id15);
}
