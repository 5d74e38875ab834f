/** Output escaping for report cells: HTML text and spreadsheet formula injection. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/**
 * Neutralises spreadsheet formulas (OWASP "CSV injection"): a cell starting with = + - @ tab or CR
 * is prefixed with a single quote so Excel/Sheets show it as text. Numbers are left alone.
 */
export function escapeCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
