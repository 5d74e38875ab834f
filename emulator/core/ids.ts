/**
 * Salesforce record ids: 15-char case-sensitive base62 (3-char key prefix + 12 chars) plus the
 * 3-char case-safe suffix the API returns (18 chars in total).
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_BODY_LENGTH = 12;

/** Key prefixes of the standard objects the emulator knows. */
export const STANDARD_KEY_PREFIXES: Readonly<Record<string, string>> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  OpportunityHistory: '008',
  Organization: '00D',
  Lead: '00Q',
  Task: '00T',
  CampaignMember: '00v',
  RecordType: '012',
  LeadHistory: '017',
  OpportunityFieldHistory: '017',
  LeadStatus: '01J',
  OpportunityStage: '01J',
  Campaign: '701'
};

/** Case-safe suffix: for each 5-char chunk set bit i when char i is upper case, then map 0..31 to A-Z0-5. */
function caseSafeSuffix(id15: string): string {
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

const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/**
 * True for a 15- or 18-char alphanumeric id. The suffix is not checked: the team's fixed org id
 * 00D000000000001AAA has a non-canonical suffix (canonical would be ...EAA) and must still be accepted.
 */
export function isValidIdFormat(value: unknown): value is string {
  return typeof value === 'string' && (ID15.test(value) || ID18.test(value));
}

/** True when an 18-char id's suffix is the one computed from its first 15 chars. */
export function hasCanonicalSuffix(id18: string): boolean {
  return ID18.test(id18) && caseSafeSuffix(id18.slice(0, 15)) === id18.slice(15).toUpperCase();
}

/** 18-char form of an id: a 15-char id gets its case-safe suffix, an 18-char id is returned unchanged. Throws on a malformed id. */
export function to18(id: string): string {
  if (!isValidIdFormat(id)) throw new Error(`Malformed Salesforce id: ${id}`);
  if (id.length === 18) return id;
  return id + caseSafeSuffix(id);
}

/** Key prefix (first 3 chars) of an id. */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

function toBase62(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  const base = BigInt(BASE62.length);
  while (rest > 0n) {
    out = BASE62.charAt(Number(rest % base)) + out;
    rest /= base;
  }
  if (out.length > width) throw new Error(`id body overflow: ${value}`);
  return out.padStart(width, '0');
}

/**
 * Id bodies come from wall-clock microseconds-ish (ms * 2^20) plus a per-process counter, so ids are
 * monotonic within a process and unique across restarts without persisting a sequence (the clock
 * moves on between runs; a random start within the millisecond guards against two processes in the
 * same millisecond). Deliberately not the injectable `now()`: tests freeze that clock, ids must still differ.
 */
let lastSequence = 0n;
const SEQUENCE_BITS = 20n;

function nextSequence(): bigint {
  const fromClock = (BigInt(Date.now()) << SEQUENCE_BITS) + BigInt(Math.floor(Math.random() * 1024));
  lastSequence = fromClock > lastSequence ? fromClock : lastSequence + 1n;
  return lastSequence;
}

/** New 18-char id for an object with the given 3-char key prefix. */
export function newId(keyPrefix: string): string {
  if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new Error(`Bad key prefix: ${keyPrefix}`);
  return to18(keyPrefix + toBase62(nextSequence(), ID_BODY_LENGTH));
}

/** A fixed id like 005000000000001AAA, for seed rows (`fixedId('005', 1)`). */
export function fixedId(keyPrefix: string, n: number): string {
  return to18(keyPrefix + String(n).padStart(ID_BODY_LENGTH, '0'));
}

function stableHash(text: string): number {
  let hash = 2166136261;
  for (const ch of text) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

/**
 * Key prefix for a custom object (a0..a9/aA..az style, e.g. 'a1X') or custom metadata type ('m0X'),
 * stable per object name. `taken` holds prefixes already in use; on a clash the next free one is used.
 */
export function customKeyPrefix(objectName: string, taken: ReadonlySet<string>): string {
  const isMetadata = objectName.toLowerCase().endsWith('__mdt');
  const slots = isMetadata ? BASE62.length : BASE62.length * BASE62.length;
  let slot = stableHash(objectName.toLowerCase()) % slots;
  for (let tries = 0; tries < slots; tries++, slot = (slot + 1) % slots) {
    const prefix = isMetadata
      ? 'm0' + BASE62.charAt(slot)
      : 'a' + BASE62.charAt(Math.floor(slot / BASE62.length)) + BASE62.charAt(slot % BASE62.length);
    if (!taken.has(prefix)) return prefix;
  }
  throw new Error(`No free key prefix for ${objectName}`);
}
