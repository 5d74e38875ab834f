/**
 * Secret scrubbing for logs and error output. Two layers: key names that always hold secrets
 * (their values are replaced whatever they contain) and a string scrubber for free text
 * (messages, URLs, SOAP bodies) that may embed a token.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets, matched case-insensitively after removing `_` and `-`. */
const SECRET_KEYS = new Set(
  [
    'token',
    'accesstoken',
    'refreshtoken',
    'authorization',
    'password',
    'passwd',
    'secret',
    'clientsecret',
    'sessionid',
    'assertion',
    'privatekey',
    'apikey',
    'cookie',
    'setcookie',
    'signature'
  ]
);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(k) || k.endsWith('token') || k.endsWith('secret') || k.endsWith('password');
}

const SCRUBBERS: [RegExp, string][] = [
  // Salesforce access tokens / session ids: 00D<org id>!<opaque>
  [/00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-+/=]+/g, REDACTED],
  // Authorization headers in free text.
  [/\b(Bearer|OAuth|Basic)\s+[A-Za-z0-9._\-+/=!~]+/gi, `$1 ${REDACTED}`],
  // key=value pairs in URLs, form bodies and messages.
  [
    /\b(access_token|refresh_token|client_secret|password|oauth_token|assertion|sessionId|token)=([^&\s"']+)/gi,
    `$1=${REDACTED}`
  ],
  // "key": "value" pairs in JSON text.
  [
    /("(?:access_token|refresh_token|client_secret|password|accessToken|refreshToken|clientSecret|sessionId|authorization|assertion)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    `$1"${REDACTED}"`
  ],
  // SOAP session headers.
  [/(<(?:\w+:)?sessionId>)[^<]*(<\/(?:\w+:)?sessionId>)/gi, `$1${REDACTED}$2`],
  // JWTs (header.payload.signature).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, REDACTED],
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED]
];

/** Removes anything that looks like a credential from free text. */
export function scrubString(text: string): string {
  let out = text;
  for (const [re, replacement] of SCRUBBERS) out = out.replace(re, replacement);
  return out;
}

/**
 * Deep copy of a value with secret-named keys replaced and all strings scrubbed. Errors become plain
 * objects (type, message, code, errorCode, stack) so nothing secret hides in their other properties.
 */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; errorCode?: unknown };
    const out: Record<string, unknown> = { type: e.name, message: scrubString(e.message) };
    if (e.code !== undefined) out.code = e.code;
    if (e.errorCode !== undefined) out.errorCode = e.errorCode;
    if (e.stack) out.stack = scrubString(e.stack);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : scrubValue(v, depth + 1, seen);
  }
  return out;
}
