/**
 * The start-up (fast path) reader for the package metadata the schema does not need but the org mirrors as rows
 * and serves on retrieve: Apex classes and triggers (their files), custom permissions, permission set groups,
 * reports and dashboards (with their folders). Source format on disk becomes the metadata-format components a
 * deploy of the same files would store, so both paths give clients the same org.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseMetadataXml } from '../core/metadata-loader';
import type { OrgComponent } from './components';

async function filesIn(dir: string, suffix: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((f) => f.endsWith(suffix)).sort();
}

async function xmlComponent(file: string, root: string, fullName: string, fileName: string): Promise<OrgComponent> {
  const text = await readFile(file, 'utf8');
  return { type: root, fullName, fileName, body: parseMetadataXml(text, root, { type: root, fullName, fileName: file }) };
}

async function codeComponents(forceAppDir: string, dir: string, type: string, suffix: string): Promise<OrgComponent[]> {
  const out: OrgComponent[] = [];
  for (const meta of await filesIn(path.join(forceAppDir, dir), `${suffix}-meta.xml`)) {
    const name = meta.slice(0, -`${suffix}-meta.xml`.length);
    const content = path.join(forceAppDir, dir, `${name}${suffix}`);
    if (!existsSync(content)) continue;
    const metaPath = path.join(forceAppDir, dir, meta);
    const c = await xmlComponent(metaPath, type, name, `${dir}/${name}${suffix}`);
    c.files = {
      [`${dir}/${name}${suffix}`]: (await readFile(content)).toString('base64'),
      [`${dir}/${name}${suffix}-meta.xml`]: (await readFile(metaPath)).toString('base64')
    };
    out.push(c);
  }
  return out;
}

async function folderComponents(forceAppDir: string, dir: string, type: string, suffix: string): Promise<OrgComponent[]> {
  const out: OrgComponent[] = [];
  const base = path.join(forceAppDir, dir);
  const folderSuffix = `.${type.charAt(0).toLowerCase()}${type.slice(1)}Folder-meta.xml`;
  for (const f of await filesIn(base, folderSuffix)) {
    const folder = f.slice(0, -folderSuffix.length);
    out.push(await xmlComponent(path.join(base, f), `${type}Folder`, folder, `${dir}/${folder}-meta.xml`));
    for (const item of await filesIn(path.join(base, folder), `.${suffix}-meta.xml`)) {
      const name = item.slice(0, -`.${suffix}-meta.xml`.length);
      out.push(await xmlComponent(path.join(base, folder, item), type, `${folder}/${name}`, `${dir}/${folder}/${name}.${suffix}`));
    }
  }
  return out;
}

async function simpleComponents(forceAppDir: string, dir: string, type: string, suffix: string): Promise<OrgComponent[]> {
  const out: OrgComponent[] = [];
  for (const f of await filesIn(path.join(forceAppDir, dir), `.${suffix}-meta.xml`)) {
    const name = f.slice(0, -`.${suffix}-meta.xml`.length);
    out.push(await xmlComponent(path.join(forceAppDir, dir, f), type, name, `${dir}/${name}.${suffix}`));
  }
  return out;
}

export async function readSourceExtras(forceAppDir: string): Promise<OrgComponent[]> {
  return [
    ...(await codeComponents(forceAppDir, 'classes', 'ApexClass', '.cls')),
    ...(await codeComponents(forceAppDir, 'triggers', 'ApexTrigger', '.trigger')),
    ...(await simpleComponents(forceAppDir, 'customPermissions', 'CustomPermission', 'customPermission')),
    ...(await simpleComponents(forceAppDir, 'permissionsetgroups', 'PermissionSetGroup', 'permissionsetgroup')),
    ...(await folderComponents(forceAppDir, 'reports', 'Report', 'report')),
    ...(await folderComponents(forceAppDir, 'dashboards', 'Dashboard', 'dashboard'))
  ];
}
