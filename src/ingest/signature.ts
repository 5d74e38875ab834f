/**
 * Webhook signatures (the sender contract in docs/ingest.md):
 *
 *   X-Leadflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *
 * The timestamp is inside the signed bytes, so a captured request cannot be replayed after the tolerance
 * window; several `v1=` entries are allowed (a sender rotating its secret signs with both). The legacy
 * body-only form `sha256=<hex HMAC-SHA256 of the raw body>` carries no timestamp and is accepted only for
 * sources that opt in with `legacyBodySignature: true`. Every comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-leadflow-signature';
/** Default accepted clock difference between the sender's `t` and the server, in seconds. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, ...parts: (Buffer | string)[]): Buffer => {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The header value a sender puts on a request: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signBody(
  secret: string,
  body: Buffer | string,
  timestampSeconds = Math.floor(Date.now() / 1000)
): string {
  const t = String(Math.trunc(timestampSeconds));
  return `t=${t},v1=${hmac(secret, t, '.', body).toString('hex')}`;
}

/** The legacy body-only header value `sha256=<hex HMAC-SHA256 of the raw body>` (no replay protection). */
export function signBodyLegacy(secret: string, body: Buffer | string): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}

export type SignatureCheck =
  | { ok: true; scheme: 'v1'; timestamp: number }
  | { ok: true; scheme: 'legacy' }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'legacy-not-allowed' }
  | { ok: false; reason: 'outside-tolerance'; timestamp: number; skewSeconds: number };

export interface VerifyOptions {
  /** Allowed |now - t| in seconds (default 300). */
  toleranceSeconds?: number;
  /** Accept the body-only `sha256=` form (source option `legacyBodySignature`). */
  allowLegacy?: boolean;
  /** Current time in unix seconds (tests). */
  nowSeconds?: number;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

function sameDigest(expected: Buffer, givenHex: string): boolean {
  if (!HEX64.test(givenHex)) return false;
  const given = Buffer.from(givenHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parses `t=...,v1=...[,v1=...]`; unknown keys (future schemes such as v2) are ignored, as senders expect. */
function parseTimestamped(header: string): { t: string; v1: string[] } | null {
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return null;
      t = value;
    } else if (key === 'v1') v1.push(value);
  }
  return t !== undefined && v1.length > 0 ? { t, v1 } : null;
}

/** Checks a signature header against the raw body bytes; says why when it fails. */
export function checkSignature(
  secret: string,
  body: Buffer,
  header: string | undefined,
  opts: VerifyOptions = {}
): SignatureCheck {
  if (!header || header.trim() === '') return { ok: false, reason: 'missing' };
  const value = header.trim();
  const legacy = /^sha256=(.*)$/.exec(value);
  if (legacy) {
    if (!opts.allowLegacy) return { ok: false, reason: 'legacy-not-allowed' };
    return sameDigest(hmac(secret, body), legacy[1]!)
      ? { ok: true, scheme: 'legacy' }
      : { ok: false, reason: 'mismatch' };
  }
  const parsed = parseTimestamped(value);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const expected = hmac(secret, parsed.t, '.', body);
  // Every candidate is compared (no early exit), so timing does not tell which entry matched.
  let matched = false;
  for (const candidate of parsed.v1) matched = sameDigest(expected, candidate) || matched;
  if (!matched) return { ok: false, reason: 'mismatch' };
  const timestamp = Number(parsed.t);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const skewSeconds = now - timestamp;
  if (Math.abs(skewSeconds) > tolerance)
    return { ok: false, reason: 'outside-tolerance', timestamp, skewSeconds };
  return { ok: true, scheme: 'v1', timestamp };
}

/** true when the header is a valid signature of the body (see checkSignature for the reason when not). */
export function verifySignature(
  secret: string,
  body: Buffer,
  header: string | undefined,
  opts: VerifyOptions = {}
): boolean {
  return checkSignature(secret, body, header, opts).ok;
}
