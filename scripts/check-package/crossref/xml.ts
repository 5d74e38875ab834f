import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Keep values as written: "0012" or "true" must not become numbers/booleans before we check them.
  parseTagValue: false,
  trimValues: true
});

export type XmlNode = Record<string, unknown>;

/** Parses a metadata file and returns its root element (e.g. the <PermissionSet> node). */
export function readMetadata(file: string, root: string): XmlNode {
  const doc = parser.parse(readFileSync(file, 'utf8')) as XmlNode;
  const node = doc[root];
  if (node === undefined) throw new Error(`${file}: expected a <${root}> root element`);
  return (node === '' ? {} : node) as XmlNode;
}

/** A repeated child as an array (fast-xml-parser gives a single child as an object). */
export function list(node: unknown, key: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const value = (node as XmlNode)[key];
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

/** Text of a child element ("" when absent). */
export function text(node: unknown, key: string): string {
  if (!node || typeof node !== 'object') return '';
  const value = (node as XmlNode)[key];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return String((value as XmlNode)['#text'] ?? '');
  return String(value);
}

/** Every value of `key` anywhere below `node`, e.g. every <field> of a layout however deeply nested. */
export function deepValues(node: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) deepValues(item, key, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XmlNode)) {
      if (k === key && (typeof v === 'string' || typeof v === 'number')) out.push(String(v));
      else if (k === key && Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
      deepValues(v, key, out);
    }
  }
  return out;
}
