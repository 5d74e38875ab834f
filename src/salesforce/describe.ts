/** Describe surface, cached per client (one describe call per object per client lifetime). */
import type { Connection } from '@jsforce/jsforce-node';
import { SalesforceError, type DescribeApi, type FieldDescribe } from './types';
import { call } from './rest';

interface RawField {
  name: string;
  type: string;
  label: string;
  custom?: boolean;
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
  referenceTo?: string[] | null;
  picklistValues?: { value: string; label: string | null; active?: boolean; defaultValue?: boolean }[] | null;
  length?: number;
  nillable?: boolean;
  defaultedOnCreate?: boolean;
  precision?: number;
  scale?: number;
  digits?: number;
}

export function toFieldDescribe(f: RawField): FieldDescribe {
  return {
    name: f.name,
    type: f.type,
    label: f.label,
    custom: Boolean(f.custom),
    createable: Boolean(f.createable),
    updateable: Boolean(f.updateable),
    externalId: Boolean(f.externalId),
    referenceTo: f.referenceTo ?? [],
    length: f.length ?? 0,
    nillable: f.nillable !== false,
    defaultedOnCreate: Boolean(f.defaultedOnCreate),
    precision: f.precision ?? 0,
    scale: f.scale ?? 0,
    digits: f.digits ?? 0,
    picklistValues: (f.picklistValues ?? []).map((p) => ({
      value: p.value,
      label: p.label ?? p.value,
      active: p.active !== false,
      defaultValue: Boolean(p.defaultValue)
    }))
  };
}

/** A describe response body (from GET .../describe, or a Composite subrequest of it) in the client's shape. */
export function parseSObjectDescribe(body: unknown): { name: string; fields: FieldDescribe[] } {
  const d = body as { name?: unknown; fields?: unknown } | null;
  if (!d || typeof d.name !== 'string' || !Array.isArray(d.fields)) {
    throw new SalesforceError('UNEXPECTED_RESPONSE', 'Describe response has no name or fields list', body);
  }
  return { name: d.name, fields: (d.fields as RawField[]).map(toFieldDescribe) };
}

export function createDescribeApi(conn: Connection): DescribeApi {
  const cache = new Map<string, Promise<{ name: string; fields: FieldDescribe[] }>>();
  const sobject = (type: string) => {
    const key = type.toLowerCase();
    let hit = cache.get(key);
    if (!hit) {
      hit = call<unknown>(conn, 'GET', `/sobjects/${encodeURIComponent(type)}/describe`).then(parseSObjectDescribe);
      // A failed describe is not cached: the next call tries again.
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    sobject,
    async fieldNames(type) {
      return new Set((await sobject(type)).fields.map((f) => f.name));
    }
  };
}
