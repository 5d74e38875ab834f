/**
 * SOQL value escaping. Every value placed in a SOQL string goes through these helpers
 * (Salesforce docs "Quoted String Escape Sequences"): backslash, single and double quotes,
 * newline, carriage return, tab, bell, backspace and form feed are escaped.
 */
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\u0007': '\\a'
};

export function escapeSoqlString(value: string): string {
  return value.replace(/[\\'"\n\r\t\b\f\u0007]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A quoted SOQL string literal. */
export function soqlString(value: string): string {
  return `'${escapeSoqlString(value)}'`;
}

/** Escapes LIKE wildcards too, for values used in a LIKE pattern. */
export function soqlLikeValue(value: string): string {
  return escapeSoqlString(value).replace(/[%_]/g, (ch) => `\\${ch}`);
}

/** `('a','b')` for IN clauses; throws on an empty list (SOQL has no empty IN). */
export function soqlIn(values: readonly string[]): string {
  if (values.length === 0) throw new Error('soqlIn needs at least one value');
  return `(${values.map(soqlString).join(',')})`;
}

/** Validates an identifier (object/field API name) before it is placed in SOQL. */
export function soqlIdentifier(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/.test(name)) {
    throw new Error(`Not a valid SOQL identifier: ${JSON.stringify(name)}`);
  }
  return name;
}

/** Salesforce datetime literal (UTC, no quotes), e.g. 2024-05-20T20:49:32Z. */
export function soqlDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
