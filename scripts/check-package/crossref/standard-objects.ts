import { readFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { JAVA_LIB } from '../java';
import type { FieldInfo, FieldKind } from './schema';

/**
 * Salesforce's standard objects and their fields, read from apex-ls' sobject-types jar (one Java class per
 * sObject, one public field per sObject field, typed with the Apex type). Read with a small class-file
 * reader so no JDK tool (javap) is needed: CI installs only a JRE.
 */
const SOBJECTS_JAR = path.join(JAVA_LIB, 'sobject-types-65.0.0.jar');
const CLASS_PREFIX = 'com/nawforce/runforce/SObjects/';

let zipPromise: Promise<JSZip> | undefined;
const cache = new Map<string, Promise<Map<string, FieldInfo> | undefined>>();
let namesPromise: Promise<Map<string, string>> | undefined;

function jar(): Promise<JSZip> {
  zipPromise ??= JSZip.loadAsync(readFileSync(SOBJECTS_JAR));
  return zipPromise;
}

/** Lowercase name -> proper name of every standard sObject in the jar. */
export function standardObjectNames(): Promise<Map<string, string>> {
  namesPromise ??= jar().then((zip) => {
    const names = new Map<string, string>();
    for (const file of Object.keys(zip.files)) {
      if (file.startsWith(CLASS_PREFIX) && file.endsWith('.class') && !file.includes('$')) {
        const name = file.slice(CLASS_PREFIX.length, -'.class'.length);
        names.set(name.toLowerCase(), name);
      }
    }
    return names;
  });
  return namesPromise;
}

/** Fields of a standard object, or undefined when Salesforce has no such object. */
export function standardObjectFields(objectName: string): Promise<Map<string, FieldInfo> | undefined> {
  const key = objectName.toLowerCase();
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const proper = (await standardObjectNames()).get(key);
      if (!proper) return undefined;
      const file = (await jar()).file(`${CLASS_PREFIX}${proper}.class`);
      if (!file) return undefined;
      return fieldsFromClass(Buffer.from(await file.async('uint8array')));
    })();
    cache.set(key, entry);
  }
  return entry;
}

const APEX_TYPE_KIND: Record<string, FieldKind> = {
  'System/String': 'text',
  'System/Id': 'id',
  'System/Boolean': 'boolean',
  'System/Decimal': 'number',
  'System/Integer': 'number',
  'System/Long': 'number',
  'System/Double': 'number',
  'System/Date': 'date',
  'System/Datetime': 'datetime',
  'System/Time': 'time'
};

function kindOf(descriptor: string): { kind: FieldKind; parent?: string } | undefined {
  // anyType fields (the OldValue/NewValue of field history objects) are typed java.lang.Object in the jar.
  if (descriptor === 'Ljava/lang/Object;') return { kind: 'compound' };
  const m = /^Lcom\/nawforce\/runforce\/(.+);$/.exec(descriptor);
  if (!m) return undefined;
  const type = m[1] as string;
  if (APEX_TYPE_KIND[type]) return { kind: APEX_TYPE_KIND[type] };
  if (type.startsWith('SObjects/')) return { kind: 'relationship', parent: type.slice('SObjects/'.length) };
  if (type.startsWith('Internal/')) return undefined; // SObjectType, SObjectFields, child RecordSets
  return { kind: 'compound' };
}

/** Minimal JVM class-file reader: constant pool + fields table (JVMS §4). */
export function fieldsFromClass(buf: Buffer): Map<string, FieldInfo> {
  let pos = 8;
  const u1 = () => buf.readUInt8(pos++);
  const u2 = () => {
    const v = buf.readUInt16BE(pos);
    pos += 2;
    return v;
  };
  const u4 = () => {
    const v = buf.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const utf8: string[] = [];
  const count = u2();
  for (let i = 1; i < count; i++) {
    const tag = u1();
    switch (tag) {
      case 1: {
        const len = u2();
        utf8[i] = buf.toString('utf8', pos, pos + len);
        pos += len;
        break;
      }
      case 3:
      case 4:
        pos += 4;
        break;
      case 5:
      case 6:
        pos += 8;
        i++; // 8-byte constants take two slots
        break;
      case 7:
      case 8:
      case 16:
      case 19:
      case 20:
        pos += 2;
        break;
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        pos += 4;
        break;
      case 15:
        pos += 3;
        break;
      default:
        throw new Error(`unknown constant pool tag ${tag}`);
    }
  }
  pos += 6; // access_flags, this_class, super_class
  const interfaces = u2(); // (read first: `pos += u2()` would lose u2's own advance)
  pos += interfaces * 2;
  const fields = new Map<string, FieldInfo>();
  const fieldCount = u2();
  for (let i = 0; i < fieldCount; i++) {
    u2(); // access flags
    const name = utf8[u2()] ?? '';
    const descriptor = utf8[u2()] ?? '';
    const attributes = u2();
    for (let a = 0; a < attributes; a++) {
      u2();
      const length = u4();
      pos += length;
    }
    const kind = kindOf(descriptor);
    if (!kind || !name) continue;
    fields.set(name.toLowerCase(), {
      name,
      kind: kind.kind,
      custom: false,
      ...(kind.parent ? { referenceTo: kind.parent } : {})
    });
  }
  // "AccountId" (Id) with "Account" (relationship to Account) is a lookup: type the Id field as a reference.
  for (const field of fields.values()) {
    if (field.kind !== 'id' || !/Id$/.test(field.name) || field.name === 'Id') continue;
    const rel = fields.get(field.name.slice(0, -2).toLowerCase());
    if (rel?.kind === 'relationship') {
      field.kind = 'reference';
      field.referenceTo = rel.referenceTo;
      field.relationshipName = rel.name;
    }
  }
  return fields;
}
