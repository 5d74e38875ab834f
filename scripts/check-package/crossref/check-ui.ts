import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PackageSchema } from './schema';
import type { FindingSink } from './report';
import { deepValues, list, readMetadata, text } from './xml';

/** Layouts: every field exists on the layout's object; every quick action it places exists. */
export async function checkLayouts(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of schema.filesIn('layouts', '.layout-meta.xml')) {
    const objectName = path.basename(file, '.layout-meta.xml').split('-')[0] as string;
    const object = await schema.object(objectName);
    if (!object) {
      sink.add(file, 'layout-object', `layout for ${objectName}: object does not exist`);
      continue;
    }
    const node = readMetadata(file, 'Layout');
    for (const field of deepValues(node.layoutSections, 'field')) {
      if (!object.fields.has(field.toLowerCase()))
        sink.add(file, 'layout-field', `layout field ${field} does not exist on ${objectName}`);
    }
    for (const related of list(node, 'relatedLists')) {
      // Package related lists are "<ChildObject>.<LookupField>"; standard ones (RelatedContactList) are not checked.
      const [childName, lookup] = text(related, 'relatedList').split('.');
      if (!lookup) continue;
      const child = await schema.object(childName as string);
      if (!child || !child.fields.has(lookup.toLowerCase())) {
        sink.add(
          file,
          'layout-related-list',
          `related list ${text(related, 'relatedList')}: no such lookup field on ${childName}`
        );
        continue;
      }
      for (const field of deepValues({ fields: related.fields }, 'fields')) {
        if (field !== 'NAME' && !child.fields.has(field.toLowerCase())) {
          sink.add(
            file,
            'layout-related-list',
            `related list ${childName} column ${field} does not exist on ${childName}`
          );
        }
      }
    }
    for (const item of list(list(node, 'platformActionList')[0], 'platformActionListItems')) {
      if (text(item, 'actionType') !== 'QuickAction') continue;
      checkQuickActionRef(schema, sink, file, objectName, text(item, 'actionName'));
    }
    for (const item of list(node, 'quickActionListItems'))
      checkQuickActionRef(schema, sink, file, objectName, text(item, 'quickActionName'));
  }
}

/** "Lead.Convert_Qualified_Lead" (object-specific) or a global action name; standard actions ("Convert") pass. */
function checkQuickActionRef(
  schema: PackageSchema,
  sink: FindingSink,
  file: string,
  objectName: string,
  name: string
): void {
  if (!name.includes('.')) return; // standard actions (Convert, Edit, FeedItem.TextPost is dotted but not ours)
  const [prefix] = name.split('.');
  if (
    prefix !== objectName &&
    prefix !== 'FeedItem' &&
    prefix !== 'NewEvent' &&
    !schema.quickActions.has(name)
  ) {
    sink.add(
      file,
      'layout-quick-action',
      `quick action ${name} belongs to ${prefix}, not to this ${objectName} layout`
    );
    return;
  }
  if (prefix === objectName && !schema.quickActions.has(name))
    sink.add(file, 'layout-quick-action', `quick action ${name} does not exist in the package`);
}

/** Lightning pages: the object exists and each custom component exists and is exposed to that page type. */
export async function checkFlexiPages(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of schema.filesIn('flexipages', '.flexipage-meta.xml')) {
    const node = readMetadata(file, 'FlexiPage');
    const type = text(node, 'type');
    const sobject = text(node, 'sobjectType');
    if (sobject && !(await schema.object(sobject)))
      sink.add(file, 'flexipage-object', `sobjectType ${sobject} does not exist`);
    const target =
      type === 'RecordPage'
        ? 'lightning__RecordPage'
        : type === 'AppPage'
          ? 'lightning__AppPage'
          : 'lightning__HomePage';
    for (const component of deepValues(node, 'componentName')) {
      const m = /^c[:_]{1,2}(\w+)$/.exec(component);
      if (!m) continue; // Salesforce's own components (force:, flexipage:, runtime_*)
      const lwc = schema.lwc.get(m[1] as string);
      if (!lwc) sink.add(file, 'flexipage-component', `component ${component} does not exist in lwc/`);
      else if (!lwc.targets.has(target))
        sink.add(
          file,
          'flexipage-component',
          `component ${component} is not exposed to ${target} (targets in ${path.basename(lwc.file)})`
        );
    }
  }
}

/** Quick actions: the object exists; an LWC action names an existing component exposed as lightning__RecordAction. */
export async function checkQuickActions(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const file of schema.filesIn('quickActions', '.quickAction-meta.xml')) {
    const name = path.basename(file, '.quickAction-meta.xml');
    const node = readMetadata(file, 'QuickAction');
    if (name.includes('.')) {
      const objectName = name.split('.')[0] as string;
      if (!(await schema.object(objectName)))
        sink.add(file, 'quick-action-object', `object ${objectName} does not exist`);
    }
    if (text(node, 'type') === 'LightningWebComponent') {
      const component = text(node, 'lightningWebComponent');
      const lwc = schema.lwc.get(component);
      if (!component)
        sink.add(file, 'quick-action-component', 'type LightningWebComponent needs <lightningWebComponent>');
      else if (!lwc)
        sink.add(file, 'quick-action-component', `lightningWebComponent ${component} does not exist in lwc/`);
      else if (!lwc.targets.has('lightning__RecordAction'))
        sink.add(file, 'quick-action-component', `${component} is not exposed to lightning__RecordAction`);
    }
  }
}

const IMPORT_RE = /import\s+(?:[\w{}\s,*]+\s+from\s+)?['"]([^'"]+)['"]/g;

/** LWC imports: @salesforce/schema fields, @salesforce/apex @AuraEnabled methods, labels, custom permissions, c/ modules. */
export async function checkLwcImports(schema: PackageSchema, sink: FindingSink): Promise<void> {
  for (const dir of schema.metadataDirs('lwc')) {
    for (const bundle of readdirSync(dir).sort()) {
      let files: string[];
      try {
        files = readdirSync(path.join(dir, bundle)).filter((f) => f.endsWith('.js'));
      } catch {
        continue;
      }
      for (const f of files) {
        const file = path.join(dir, bundle, f);
        const source = readFileSync(file, 'utf8');
        for (const m of source.matchAll(IMPORT_RE)) {
          const line = source.slice(0, m.index).split('\n').length;
          await checkImport(schema, sink, file, m[1] as string, line);
        }
      }
    }
  }
}

async function checkImport(
  schema: PackageSchema,
  sink: FindingSink,
  file: string,
  spec: string,
  line: number
): Promise<void> {
  if (spec.startsWith('@salesforce/schema/')) {
    const parts = spec.slice('@salesforce/schema/'.length).split('.');
    let object = await schema.object(parts[0] as string);
    if (!object) {
      sink.add(file, 'lwc-schema', `${spec}: object ${parts[0]} does not exist`, line);
      return;
    }
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i < parts.length - 1) {
        const rel = await schema.relationship(object.name, part);
        const parent = rel?.referenceTo ? await schema.object(rel.referenceTo) : undefined;
        if (!parent) {
          sink.add(
            file,
            'lwc-schema',
            `${spec}: ${part} is not a lookup relationship on ${object.name}`,
            line
          );
          return;
        }
        object = parent;
      } else if (
        !object.fields.has(part.toLowerCase()) ||
        object.fields.get(part.toLowerCase())?.kind === 'relationship'
      ) {
        sink.add(file, 'lwc-schema', `${spec}: field ${part} does not exist on ${object.name}`, line);
      }
    }
  } else if (spec.startsWith('@salesforce/apex/')) {
    const parts = spec.slice('@salesforce/apex/'.length).split('.');
    const method = parts.pop() ?? '';
    const className = parts.pop() ?? '';
    const cls = schema.apexClasses.get(className.toLowerCase());
    if (!cls) sink.add(file, 'lwc-apex', `${spec}: Apex class ${className} does not exist`, line);
    else if (!cls.auraEnabled.has(method.toLowerCase()))
      sink.add(file, 'lwc-apex', `${spec}: ${className}.${method} is not an @AuraEnabled method`, line);
  } else if (spec.startsWith('@salesforce/label/')) {
    const name = spec.slice('@salesforce/label/'.length).replace(/^c\./, '');
    if (!schema.labels.has(name))
      sink.add(file, 'lwc-label', `${spec}: custom label ${name} does not exist`, line);
  } else if (spec.startsWith('@salesforce/customPermission/')) {
    const name = spec.slice('@salesforce/customPermission/'.length);
    if (!schema.customPermissions.has(name))
      sink.add(file, 'lwc-custom-permission', `${spec}: custom permission ${name} does not exist`, line);
  } else if (spec.startsWith('c/')) {
    const name = spec.slice(2);
    if (!schema.lwc.has(name))
      sink.add(file, 'lwc-module', `${spec}: component ${name} does not exist in lwc/`, line);
  }
}
