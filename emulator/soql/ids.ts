/** Salesforce id helpers: SOQL accepts 15-char (case-sensitive) and 18-char ids; rows store 18-char ids. */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-char case-safe suffix Salesforce appends to a 15-char id. */
function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(block * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return suffix;
}

/** Restores the case of an 18-char id's first 15 chars from its suffix (18-char ids are case-insensitive). */
function restoreCase(id18: string): string | null {
  let id15 = '';
  for (let block = 0; block < 3; block++) {
    const flags = SUFFIX_ALPHABET.indexOf(id18.charAt(15 + block).toUpperCase());
    if (flags < 0) return null;
    for (let i = 0; i < 5; i++) {
      const c = id18.charAt(block * 5 + i);
      id15 += flags & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return id15;
}

/** 18-char form of a 15/18-char id, or null when the value is not shaped like an id. */
export function toId18(value: string): string | null {
  if (/^[a-zA-Z0-9]{18}$/.test(value)) {
    const id15 = restoreCase(value);
    return id15 === null ? null : id15 + checksumSuffix(id15);
  }
  if (/^[a-zA-Z0-9]{15}$/.test(value)) return value + checksumSuffix(value);
  return null;
}
