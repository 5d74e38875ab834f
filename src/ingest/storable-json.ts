/**
 * Valid JSON that the store cannot keep. PostgreSQL's jsonb (and so PGlite) refuses the NUL character
 * (`\u0000`) and unpaired UTF-16 surrogates (`\ud800` alone), and very deep nesting overflows the stack of
 * JSON.stringify and of the database's jsonb parser. The webhook answers those with 400 and a message that
 * names the problem and where it is, instead of failing at the insert with a 500 that senders retry forever.
 */

export type UnstorableCode = 'JSON_TOO_DEEP' | 'NUL_CHARACTER' | 'LONE_SURROGATE';

export interface Unstorable {
  code: UnstorableCode;
  message: string;
}

/**
 * Deepest object/array nesting in JSON text, counted without parsing (brackets inside strings are skipped),
 * so a body of 100,000 `[` is refused before any structure is built. Stops counting once past `limit`.
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

export const tooDeepMessage = (maxDepth: number): string =>
  `Body nests objects/arrays more than ${maxDepth} levels deep; a lead needs far fewer, flatten it`;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.a.b[2]["odd key"]`, each key shown escaped and cut to 40 characters so a message never echoes much. */
function pathOf(parts: readonly (string | number)[]): string {
  let out = '$';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (IDENTIFIER.test(p) && p.length <= 40) out += `.${p}`;
    else out += `[${JSON.stringify(p.length > 40 ? `${p.slice(0, 40)}…` : p)}]`;
  }
  return out;
}

/** First unpaired surrogate code unit in s, or -1 when s is well-formed UTF-16. */
function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function checkText(s: string, where: string): Unstorable | null {
  if (s.includes('\u0000')) {
    return {
      code: 'NUL_CHARACTER',
      message: `${where} contains the NUL character (\\u0000), which cannot be stored; remove it`
    };
  }
  const at = loneSurrogateAt(s);
  if (at >= 0) {
    const unit = s.charCodeAt(at).toString(16).padStart(4, '0');
    return {
      code: 'LONE_SURROGATE',
      message: `${where} contains an unpaired UTF-16 surrogate (\\u${unit}), which is not valid Unicode and cannot be stored`
    };
  }
  return null;
}

/**
 * The first reason `value` (a parsed JSON body) cannot be stored, or null. Walks iteratively (no recursion),
 * checking every key and string value; `maxDepth` counts the top-level object as 1.
 */
export function findUnstorable(value: unknown, maxDepth: number): Unstorable | null {
  const tooDeep: Unstorable = { code: 'JSON_TOO_DEEP', message: tooDeepMessage(maxDepth) };
  const stack: { v: unknown; path: (string | number)[]; depth: number }[] = [
    { v: value, path: [], depth: 0 }
  ];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const bad = checkText(v, `The value at ${pathOf(path)}`);
      if (bad) return bad;
    } else if (Array.isArray(v)) {
      if (depth + 1 > maxDepth) return tooDeep;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i], depth: depth + 1 });
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > maxDepth) return tooDeep;
      const entries = Object.entries(v as Record<string, unknown>);
      for (const [k] of entries) {
        const bad = checkText(k, `A key in ${pathOf(path)}`);
        if (bad) return bad;
      }
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push({ v: entries[i]![1], path: [...path, entries[i]![0]], depth: depth + 1 });
    }
  }
  return null;
}
