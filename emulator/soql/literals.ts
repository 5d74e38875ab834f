/** Decoding of SOQL literal tokens as the parser hands them over (strings keep their quotes and escapes). */

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\'
};

/**
 * Decodes a quoted SOQL string literal. In LIKE patterns `\%` and `\_` stay escaped (so they match
 * literally) and a literal backslash is re-escaped for Postgres' LIKE; elsewhere they are plain characters.
 * Returns null for an invalid escape (Salesforce refuses those).
 */
export function decodeStringLiteral(raw: string, forLike: boolean): string | null {
  const body = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body.charAt(++i);
    if (next === '%' || next === '_') {
      out += forLike ? `\\${next}` : next;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (next in SIMPLE_ESCAPES) {
      const decoded = SIMPLE_ESCAPES[next] as string;
      out += forLike && decoded === '\\' ? '\\\\' : decoded;
    } else {
      return null;
    }
  }
  return out;
}

/** Normalizes a SOQL datetime literal (Z or ±hh:mm / ±hhmm offset) to an ISO string Postgres parses. */
export function decodeDateTimeLiteral(raw: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.exec(raw);
  if (!m) return null;
  const zone =
    (m[4] as string).toUpperCase() === 'Z' ? 'Z' : (m[4] as string).replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(`${m[1]}T${m[2]}${m[3] ?? ''}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function decodeDateLiteral(raw: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return null;
  const date = new Date(`${raw}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw ? null : raw;
}
