/** Turns result rows into Salesforce records: `attributes`, nested parents (null when absent), child results. */
import type { SObjectRecord } from '../core/types';
import type { OutNode } from './compile';

export type Row = Record<string, unknown>;

/** Child-relationship results for one parent record, keyed by relationship name. */
export type ChildResults = Map<string, SObjectRecord[]>;

export function recordUrl(apiVersion: string, type: string, id: string): string {
  return `/services/data/v${apiVersion}/sobjects/${type}/${id}`;
}

export function buildRecord(
  nodes: OutNode[],
  row: Row,
  type: string,
  id: string,
  apiVersion: string,
  children?: ChildResults
): SObjectRecord {
  const record: SObjectRecord = { attributes: { type, url: recordUrl(apiVersion, type, id) } };
  fill(record, nodes, row, apiVersion, children);
  return record;
}

function fill(
  record: SObjectRecord,
  nodes: OutNode[],
  row: Row,
  apiVersion: string,
  children?: ChildResults
): void {
  for (const node of nodes) {
    if (node.kind === 'field') {
      record[node.key] = row[node.col] ?? null;
    } else if (node.kind === 'parent') {
      const parentId = row[node.idCol];
      record[node.key] =
        typeof parentId === 'string'
          ? buildRecord(node.children, row, String(row[node.typeCol]), parentId, apiVersion)
          : null;
    } else {
      const list = children?.get(node.key) ?? [];
      // Salesforce returns null, not an empty result, for a subquery without rows.
      record[node.key] = list.length ? { totalSize: list.length, done: true, records: list } : null;
    }
  }
}

export function buildAggregate(nodes: OutNode[], row: Row): SObjectRecord {
  const record: SObjectRecord = { attributes: { type: 'AggregateResult' } };
  for (const node of nodes) if (node.kind === 'field') record[node.key] = row[node.col] ?? null;
  return record;
}
