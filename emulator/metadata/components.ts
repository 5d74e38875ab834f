/**
 * Metadata components as the org holds them, and the reader for a Metadata API deploy zip (metadata format:
 * package.xml, objects/X.object with fields inline, classes/X.cls + X.cls-meta.xml, lwc/<bundle>/...).
 * Children stored inside their parent's file (CustomField and ValidationRule in objects/X.object, CustomLabel
 * in labels/CustomLabels.labels) become components of their own, as the Metadata API reports them.
 */
import path from 'node:path';
import JSZip from 'jszip';
import { MetadataLoadError, parseMetadataXml, type RawComponent } from '../core/metadata-loader';
import { CHILD_TYPES, FOLDER_TYPES, typeByDirectory, type MetadataTypeInfo } from './registry';

export interface OrgComponent {
  type: string;
  fullName: string;
  /** Metadata-format path of the file that holds it, e.g. 'objects/Lead.object' (children: their parent's file). */
  fileName: string;
  /** Parsed XML of XML-described components (root element content, attributes under '@_'). */
  body?: Record<string, unknown>;
  /** Files of content types (classes, triggers, static resources, bundles): metadata-format path -> base64. */
  files?: Record<string, string>;
  /** File text when line numbers in it help the user (not persisted). */
  text?: string;
}

/** A DeployMessage of a failed component (Metadata API shape). */
export interface DeployProblem {
  componentType: string;
  fullName: string;
  fileName: string;
  problem: string;
  problemType: 'Error' | 'Warning';
  lineNumber?: number;
  columnNumber?: number;
}

export interface DeployZip {
  components: OrgComponent[];
  /** package.xml: type -> member names ('*' allowed). */
  manifest: Map<string, Set<string>>;
  problems: DeployProblem[];
}

export const componentKey = (type: string, fullName: string): string => `${type}#${fullName.toLowerCase()}`;

export function toRawComponent(c: OrgComponent): RawComponent | null {
  if (!c.body) return null;
  return { type: c.type, fullName: c.fullName, fileName: c.fileName, body: c.body, ...(c.text ? { text: c.text } : {}) };
}

export function problemFrom(error: unknown, fallback: { componentType: string; fullName: string; fileName: string }): DeployProblem {
  if (error instanceof MetadataLoadError && error.component) {
    const c = error.component;
    return {
      componentType: c.type,
      fullName: c.fullName,
      fileName: fallback.fileName,
      problem: stripFilePrefix(error.message, c.fileName),
      problemType: 'Error',
      ...(c.lineNumber !== undefined ? { lineNumber: c.lineNumber, columnNumber: c.columnNumber ?? 1 } : {})
    };
  }
  return { ...fallback, problem: error instanceof Error ? error.message : String(error), problemType: 'Error' };
}

/** Messages of the loader start with the file name; a DeployMessage carries the file separately. */
function stripFilePrefix(message: string, fileName: string): string {
  return message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return String((value as Record<string, unknown>)['#text']);
  return '';
}

export function parseManifest(text: string, fileName: string): Map<string, Set<string>> {
  const body = parseMetadataXml(text, 'Package', { type: 'Package', fullName: 'package.xml', fileName });
  const manifest = new Map<string, Set<string>>();
  for (const entry of asArray(body.types)) {
    if (!entry || typeof entry !== 'object') continue;
    const record = entry as Record<string, unknown>;
    const name = textOf(record.name);
    if (!name) continue;
    const members = manifest.get(name) ?? new Set<string>();
    for (const m of asArray(record.members)) members.add(textOf(m));
    manifest.set(name, members);
  }
  return manifest;
}

/** Splits objects/X.object and labels/CustomLabels.labels into the parent and its child components. */
function splitChildren(parent: OrgComponent): OrgComponent[] {
  const out: OrgComponent[] = [];
  const body = { ...(parent.body ?? {}) };
  for (const [childType, info] of Object.entries(CHILD_TYPES)) {
    if (info.parent !== parent.type || !(info.element in body)) continue;
    for (const child of asArray(body[info.element])) {
      if (!child || typeof child !== 'object') continue;
      const childBody = child as Record<string, unknown>;
      const name = textOf(childBody.fullName);
      const fullName = parent.type === 'CustomLabels' ? name : `${parent.fullName}.${name}`;
      out.push({ type: childType, fullName, fileName: parent.fileName, body: childBody });
    }
    delete body[info.element];
  }
  return [{ ...parent, body }, ...out];
}

interface ZipFileEntry {
  /** Path below the package root. */
  rel: string;
  data: Buffer;
}

function xmlComponent(info: MetadataTypeInfo, fullName: string, entry: ZipFileEntry, problems: DeployProblem[]): OrgComponent | null {
  const text = entry.data.toString('utf8');
  const ref = { type: info.xmlName, fullName, fileName: entry.rel };
  try {
    const body = parseMetadataXml(text, info.xmlName, ref);
    return { type: info.xmlName, fullName, fileName: entry.rel, body, text };
  } catch (error) {
    problems.push(problemFrom(error, { componentType: info.xmlName, fullName, fileName: entry.rel }));
    return null;
  }
}

function readTypeDirectory(info: MetadataTypeInfo, entries: ZipFileEntry[], problems: DeployProblem[]): OrgComponent[] {
  const out: OrgComponent[] = [];
  const dir = info.directoryName;
  if (info.suffix === null) {
    // Bundles: one component per folder, every file kept.
    const bundles = new Map<string, ZipFileEntry[]>();
    for (const e of entries) {
      const name = e.rel.split('/')[1] ?? '';
      bundles.set(name, [...(bundles.get(name) ?? []), e]);
    }
    for (const [name, files] of bundles) {
      const metaName = `${dir}/${name}/${name}.js-meta.xml`;
      if (info.xmlName === 'LightningComponentBundle' && !files.some((f) => f.rel === metaName)) {
        problems.push({
          componentType: info.xmlName,
          fullName: name,
          fileName: `${dir}/${name}`,
          problem: `The bundle ${name} has no ${name}.js-meta.xml`,
          problemType: 'Error'
        });
        continue;
      }
      out.push({
        type: info.xmlName,
        fullName: name,
        fileName: `${dir}/${name}`,
        files: Object.fromEntries(files.map((f) => [f.rel, f.data.toString('base64')]))
      });
    }
    return out;
  }
  const suffix = `.${info.suffix}`;
  if (info.metaFile) {
    const byName = new Map<string, { content?: ZipFileEntry; meta?: ZipFileEntry }>();
    for (const e of entries) {
      const base = path.posix.basename(e.rel);
      const isMeta = base.endsWith(`${suffix}-meta.xml`);
      const name = isMeta ? base.slice(0, -`${suffix}-meta.xml`.length) : base.endsWith(suffix) ? base.slice(0, -suffix.length) : null;
      if (name === null) {
        problems.push(unexpectedFile(info, e.rel));
        continue;
      }
      const slot = byName.get(name) ?? {};
      if (isMeta) slot.meta = e;
      else slot.content = e;
      byName.set(name, slot);
    }
    for (const [name, { content, meta }] of byName) {
      const fileName = `${dir}/${name}${suffix}`;
      if (!content || !meta) {
        problems.push({
          componentType: info.xmlName,
          fullName: name,
          fileName,
          problem: content ? `${name}${suffix}-meta.xml is missing` : `${name}${suffix}-meta.xml has no ${name}${suffix} content file`,
          problemType: 'Error'
        });
        continue;
      }
      const parsed = xmlComponent(info, name, meta, problems);
      if (!parsed) continue;
      out.push({
        type: info.xmlName,
        fullName: name,
        fileName,
        body: parsed.body ?? {},
        files: { [content.rel]: content.data.toString('base64'), [meta.rel]: meta.data.toString('base64') }
      });
    }
    return out;
  }
  for (const e of entries) {
    const parts = e.rel.split('/');
    if (info.inFolder) {
      if (parts.length === 2 && parts[1]?.endsWith('-meta.xml')) {
        const folder = parts[1].slice(0, -'-meta.xml'.length);
        const folderType = FOLDER_TYPES[info.xmlName] ?? `${info.xmlName}Folder`;
        const c = xmlComponent({ ...info, xmlName: folderType }, folder, e, problems);
        if (c) out.push(c);
        continue;
      }
      if (parts.length === 3 && parts[2]?.endsWith(suffix)) {
        const c = xmlComponent(info, `${parts[1]}/${parts[2].slice(0, -suffix.length)}`, e, problems);
        if (c) out.push(c);
        continue;
      }
      problems.push(unexpectedFile(info, e.rel));
      continue;
    }
    const base = parts.slice(1).join('/');
    if (parts.length !== 2 || !base.endsWith(suffix)) {
      problems.push(unexpectedFile(info, e.rel));
      continue;
    }
    const c = xmlComponent(info, base.slice(0, -suffix.length), e, problems);
    if (!c) continue;
    out.push(...(info.childXmlNames.length > 0 ? splitChildren(c) : [c]));
  }
  return out;
}

function unexpectedFile(info: MetadataTypeInfo, rel: string): DeployProblem {
  return {
    componentType: info.xmlName,
    fullName: rel,
    fileName: rel,
    problem: `Unexpected file ${rel} in the ${info.directoryName} directory of a ${info.xmlName} deploy`,
    problemType: 'Error'
  };
}

/** Reads a deploy zip. Problems (bad XML, unknown directories, half components) are returned, not thrown. */
export async function readDeployZip(zipData: Buffer): Promise<DeployZip> {
  const problems: DeployProblem[] = [];
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(zipData);
  } catch (error) {
    const problem = `The deploy zip cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    return {
      components: [],
      manifest: new Map(),
      problems: [{ componentType: '', fullName: 'package.xml', fileName: 'package.xml', problem, problemType: 'Error' }]
    };
  }
  const all = Object.values(zip.files).filter((f) => !f.dir);
  const manifestFile = all
    .filter((f) => f.name === 'package.xml' || f.name.endsWith('/package.xml'))
    .sort((a, b) => a.name.length - b.name.length)[0];
  if (!manifestFile) {
    return {
      components: [],
      manifest: new Map(),
      problems: [
        { componentType: '', fullName: 'package.xml', fileName: 'package.xml', problem: 'No package.xml found in the deploy zip', problemType: 'Error' }
      ]
    };
  }
  const root = manifestFile.name.slice(0, -'package.xml'.length);
  let manifest = new Map<string, Set<string>>();
  try {
    manifest = parseManifest(await manifestFile.async('string'), 'package.xml');
  } catch (error) {
    problems.push(problemFrom(error, { componentType: '', fullName: 'package.xml', fileName: 'package.xml' }));
  }
  const byDirectory = new Map<string, ZipFileEntry[]>();
  for (const f of all) {
    if (f === manifestFile || !f.name.startsWith(root)) continue;
    const rel = f.name.slice(root.length);
    if (/^destructiveChanges(Pre|Post)?\.xml$/.test(rel)) {
      problems.push({
        componentType: '',
        fullName: rel,
        fileName: rel,
        problem: `${rel}: deleting components is not supported by the local org; restart it with a fresh data directory instead`,
        problemType: 'Error'
      });
      continue;
    }
    const dir = rel.split('/')[0] ?? '';
    byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), { rel, data: await f.async('nodebuffer') }]);
  }
  const components: OrgComponent[] = [];
  for (const [dir, entries] of byDirectory) {
    const info = typeByDirectory(dir);
    if (!info) {
      for (const e of entries) {
        problems.push({
          componentType: '',
          fullName: e.rel,
          fileName: e.rel,
          problem: `The local org does not support the metadata in ${dir}/ (file ${e.rel}); see docs/emulator.md "Metadata API" for the supported types`,
          problemType: 'Error'
        });
      }
      continue;
    }
    components.push(...readTypeDirectory(info, entries, problems));
  }
  return { components, manifest, problems };
}
