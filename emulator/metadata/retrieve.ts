/**
 * Metadata API retrieve in the local org: a zip (root folder `unpackaged/`, as Salesforce returns an unpackaged
 * retrieve) with package.xml and the requested components in metadata format. Children are written into their
 * parent's file (objects/Lead.object holds the requested fields and rules); a CustomObject brings all its children.
 * Members that the org does not have become RetrieveMessages, as in Salesforce.
 */
import { XMLBuilder } from 'fast-xml-parser';
import JSZip from 'jszip';
import { CHILD_TYPES, FOLDER_TYPES, typeByName } from './registry';
import type { StoredComponent } from './org-metadata';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

export interface FileProperties {
  createdById: string;
  createdByName: string;
  createdDate: string;
  fileName: string;
  fullName: string;
  id: string;
  lastModifiedById: string;
  lastModifiedByName: string;
  lastModifiedDate: string;
  manageableState: string;
  type: string;
}

export interface RetrieveOutput {
  zipFile: string;
  fileProperties: FileProperties[];
  messages: Array<{ fileName: string; problem: string }>;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '    ',
  suppressEmptyNode: true,
  // xsi:nil="true" must stay an attribute with a value.
  suppressBooleanAttributes: false
});

/** Elements keep the order they were deployed in (children are appended to their parent's elements). */
export function metadataXmlDocument(root: string, body: Record<string, unknown>): string {
  const withNs = { '@_xmlns': METADATA_NS, ...body };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${String(builder.build({ [root]: withNs }))}`;
}

function matches(members: Set<string>, fullName: string): boolean {
  if (members.has('*')) return true;
  for (const m of members) if (m.toLowerCase() === fullName.toLowerCase()) return true;
  return false;
}

interface CompositeFile {
  root: string;
  body: Record<string, unknown>;
  children: Map<string, Map<string, Record<string, unknown>>>;
}

export async function buildRetrieveZip(
  all: StoredComponent[],
  request: Map<string, Set<string>>,
  opts: { apiVersion: string; userId: string; userName: string }
): Promise<RetrieveOutput> {
  const zip = new JSZip();
  const files = new Map<string, Buffer>();
  const composites = new Map<string, CompositeFile>();
  const fileProperties: FileProperties[] = [];
  const messages: RetrieveOutput['messages'] = [];
  const returned = new Set<StoredComponent>();

  const composite = (path: string, root: string, body: Record<string, unknown> | undefined): CompositeFile => {
    let file = composites.get(path);
    if (!file) {
      file = { root, body: {}, children: new Map() };
      composites.set(path, file);
    }
    if (body) file.body = { ...body };
    return file;
  };
  const addChild = (c: StoredComponent) => {
    const info = CHILD_TYPES[c.type];
    if (!info || !c.body) return;
    const file = composite(c.fileName, info.parent, undefined);
    const list = file.children.get(info.element) ?? new Map<string, Record<string, unknown>>();
    list.set(c.fullName.toLowerCase(), c.body);
    file.children.set(info.element, list);
    returned.add(c);
  };
  const addComponent = (c: StoredComponent) => {
    returned.add(c);
    if (c.files) {
      for (const [path, base64] of Object.entries(c.files)) files.set(path, Buffer.from(base64, 'base64'));
      return;
    }
    if (!c.body) return;
    if (c.type === 'CustomObject' || c.type === 'CustomLabels') {
      composite(c.fileName, c.type, c.body);
      for (const child of all) {
        const info = CHILD_TYPES[child.type];
        if (info?.parent === c.type && child.fileName === c.fileName) addChild(child);
      }
      return;
    }
    files.set(c.fileName, Buffer.from(metadataXmlDocument(c.type, c.body), 'utf8'));
  };

  for (const [type, rawMembers] of request) {
    // Folders are requested under their content type as `Folder/` (reports/Leadflow_Reports-meta.xml is a ReportFolder).
    const folderType = FOLDER_TYPES[type];
    const folders = [...rawMembers].filter((m) => folderType && m.endsWith('/')).map((m) => m.slice(0, -1));
    const members = new Set([...rawMembers].filter((m) => !(folderType && m.endsWith('/'))));
    if (folderType) {
      for (const c of all) {
        if (c.type === folderType && (rawMembers.has('*') || folders.some((f) => f.toLowerCase() === c.fullName.toLowerCase()))) addComponent(c);
      }
      for (const f of folders) {
        if (!all.some((c) => c.type === folderType && c.fullName.toLowerCase() === f.toLowerCase())) {
          messages.push({ fileName: 'unpackaged/package.xml', problem: `Entity of type '${type}' named '${f}/' cannot be found` });
        }
      }
    }
    const ofType = all.filter((c) => c.type.toLowerCase() === type.toLowerCase());
    const known = Boolean(typeByName(type)) || type in CHILD_TYPES || type.endsWith('Folder');
    if (!known) {
      messages.push({ fileName: 'unpackaged/package.xml', problem: `The local org does not support retrieving metadata of type ${type}` });
      continue;
    }
    for (const c of ofType) {
      if (!matches(members, c.fullName)) continue;
      if (CHILD_TYPES[c.type]) addChild(c);
      else addComponent(c);
    }
    for (const member of members) {
      if (member === '*' || ofType.some((c) => c.fullName.toLowerCase() === member.toLowerCase())) continue;
      messages.push({ fileName: 'unpackaged/package.xml', problem: `Entity of type '${type}' named '${member}' cannot be found` });
    }
  }

  for (const [path, file] of composites) {
    const body: Record<string, unknown> = { ...file.body };
    for (const [element, children] of file.children) {
      body[element] = [...children.values()].sort((a, b) => String(a.fullName).localeCompare(String(b.fullName)));
    }
    files.set(path, Buffer.from(metadataXmlDocument(file.root, body), 'utf8'));
  }

  const manifestTypes = [...request.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]) => ({ members: [...members].sort(), name }));
  const packageXml = `<?xml version="1.0" encoding="UTF-8"?>\n${String(
    builder.build({ Package: { '@_xmlns': METADATA_NS, types: manifestTypes, version: opts.apiVersion } })
  )}`;
  zip.file('unpackaged/package.xml', packageXml);
  for (const [path, data] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) zip.file(`unpackaged/${path}`, data);

  const who = { createdById: opts.userId, createdByName: opts.userName, lastModifiedById: opts.userId, lastModifiedByName: opts.userName };
  for (const c of [...returned].sort((a, b) => `${a.type}.${a.fullName}`.localeCompare(`${b.type}.${b.fullName}`))) {
    fileProperties.push({
      ...who,
      createdDate: c.createdDate,
      fileName: `unpackaged/${c.fileName}`,
      fullName: c.fullName,
      id: c.id,
      lastModifiedDate: c.lastModifiedDate,
      manageableState: 'unmanaged',
      type: c.type
    });
  }
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  return { zipFile: buffer.toString('base64'), fileProperties, messages };
}
