import { existsSync, readdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageDirectories, packageFiles } from '../project';
import { list, readMetadata, text } from './xml';
import { standardObjectFields, standardObjectNames } from './standard-objects';

/** What a field holds, at the precision the checks need (e.g. "isTrue" needs boolean, "greaterOrEqual" a number). */
export type FieldKind =
  | 'text'
  | 'picklist'
  | 'boolean'
  | 'number'
  | 'date'
  | 'datetime'
  | 'time'
  | 'id'
  | 'reference'
  | 'relationship'
  | 'compound';

export interface FieldInfo {
  name: string;
  kind: FieldKind;
  custom: boolean;
  /** Formula, roll-up and auto-number fields: Salesforce refuses edit access and writes to them. */
  readOnly?: boolean;
  /** Universally required custom fields: permission sets may not list them. */
  required?: boolean;
  referenceTo?: string;
  /** Lookup relationship name as used in SOQL/report paths: "Lead__r", "Account". */
  relationshipName?: string;
  picklistValues?: string[];
}

export interface ObjectInfo {
  name: string;
  custom: boolean;
  fields: Map<string, FieldInfo>;
  /** Child relationship name (lowercase) -> child object, for relationships the package defines. */
  children: Map<string, string>;
}

export interface ApexClassInfo {
  name: string;
  file: string;
  /** @AuraEnabled methods, lowercase. */
  auraEnabled: Set<string>;
}

const CUSTOM_TYPE_KIND: Record<string, FieldKind> = {
  Text: 'text',
  TextArea: 'text',
  LongTextArea: 'text',
  Html: 'text',
  Email: 'text',
  Url: 'text',
  Phone: 'text',
  EncryptedText: 'text',
  AutoNumber: 'text',
  Picklist: 'picklist',
  MultiselectPicklist: 'picklist',
  Checkbox: 'boolean',
  Number: 'number',
  Currency: 'number',
  Percent: 'number',
  Summary: 'number',
  Date: 'date',
  DateTime: 'datetime',
  Time: 'time',
  Lookup: 'reference',
  MasterDetail: 'reference',
  MetadataRelationship: 'reference',
  Location: 'compound'
};

/** Standard fields that exist on every custom object (and custom metadata type). */
const CUSTOM_OBJECT_SYSTEM_FIELDS: Array<[string, FieldKind]> = [
  ['Id', 'id'],
  ['Name', 'text'],
  ['OwnerId', 'reference'],
  ['CreatedDate', 'datetime'],
  ['CreatedById', 'reference'],
  ['LastModifiedDate', 'datetime'],
  ['LastModifiedById', 'reference'],
  ['SystemModstamp', 'datetime'],
  ['IsDeleted', 'boolean'],
  ['DeveloperName', 'text'],
  ['MasterLabel', 'text'],
  ['Label', 'text'],
  ['QualifiedApiName', 'text']
];

/**
 * Everything the package defines plus Salesforce's standard objects, loaded once per check run.
 * Standard objects come from apex-ls' type stubs; custom fields on them from the package's objects/ folder.
 */
export class PackageSchema {
  readonly packageDirs: string[];
  readonly localObjects = new Map<string, ObjectInfo>();
  readonly labels = new Set<string>();
  readonly apexClasses = new Map<string, ApexClassInfo>();
  readonly lwc = new Map<string, { targets: Set<string>; file: string }>();
  readonly customPermissions = new Set<string>();
  readonly quickActions = new Set<string>();
  readonly permissionSets = new Set<string>();
  readonly reportTypes = new Set<string>();
  readonly reports = new Set<string>();
  readonly layouts = new Set<string>();
  private readonly merged = new Map<string, Promise<ObjectInfo | undefined>>();

  constructor(readonly projectDir: string) {
    this.packageDirs = packageDirectories(projectDir);
    this.load();
  }

  private load(): void {
    for (const file of packageFiles(this.projectDir, ['.object-meta.xml'])) {
      const name = path.basename(file, '.object-meta.xml');
      this.localObject(name, true);
    }
    for (const file of packageFiles(this.projectDir, ['.field-meta.xml'])) {
      const objectName = path.basename(path.dirname(path.dirname(file)));
      const node = readMetadata(file, 'CustomField');
      const name = text(node, 'fullName') || path.basename(file, '.field-meta.xml');
      const type = text(node, 'type');
      const isCustom = name.endsWith('__c');
      const object = this.localObject(objectName, false);
      const kind = CUSTOM_TYPE_KIND[type] ?? (text(node, 'formula') ? 'text' : 'text');
      const info: FieldInfo = {
        name,
        kind,
        custom: isCustom,
        readOnly: Boolean(text(node, 'formula')) || type === 'AutoNumber' || type === 'Summary',
        required: text(node, 'required') === 'true' || type === 'MasterDetail'
      };
      if (kind === 'reference') {
        info.referenceTo = text(node, 'referenceTo') || undefined;
        // The lookup itself is reached as Lead__r; <relationshipName> names the parent's child relationship.
        info.relationshipName = name.replace(/__c$/, '__r');
        const rel = text(node, 'relationshipName');
        if (rel && info.referenceTo) {
          this.localObject(info.referenceTo, false).children.set(`${rel}__r`.toLowerCase(), objectName);
        }
      }
      const values = list(list(node, 'valueSet')[0]?.valueSetDefinition, 'value').map((v) =>
        text(v, 'fullName')
      );
      if (values.length) info.picklistValues = values;
      object.fields.set(name.toLowerCase(), info);
    }
    for (const file of packageFiles(this.projectDir, ['.labels-meta.xml'])) {
      for (const label of list(readMetadata(file, 'CustomLabels'), 'labels'))
        this.labels.add(text(label, 'fullName'));
    }
    for (const file of packageFiles(this.projectDir, ['.cls'])) {
      const name = path.basename(file, '.cls');
      this.apexClasses.set(name.toLowerCase(), {
        name,
        file,
        auraEnabled: auraEnabledMethods(readFileSync(file, 'utf8'))
      });
    }
    for (const file of packageFiles(this.projectDir, ['.js-meta.xml'])) {
      const name = path.basename(file, '.js-meta.xml');
      if (path.basename(path.dirname(file)) !== name) continue;
      const node = readMetadata(file, 'LightningComponentBundle');
      const targets = new Set(
        list(list(node, 'targets')[0], 'target').map((t) => (typeof t === 'string' ? t : text(t, '#text')))
      );
      this.lwc.set(name, { targets, file });
    }
    const names = (suffix: string, into: Set<string>) => {
      for (const file of packageFiles(this.projectDir, [suffix])) into.add(path.basename(file, suffix));
    };
    names('.customPermission-meta.xml', this.customPermissions);
    names('.quickAction-meta.xml', this.quickActions);
    names('.permissionset-meta.xml', this.permissionSets);
    names('.reportType-meta.xml', this.reportTypes);
    names('.layout-meta.xml', this.layouts);
    for (const file of packageFiles(this.projectDir, ['.report-meta.xml'])) {
      this.reports.add(`${path.basename(path.dirname(file))}/${path.basename(file, '.report-meta.xml')}`);
    }
  }

  private localObject(name: string, definedHere: boolean): ObjectInfo {
    const key = name.toLowerCase();
    let object = this.localObjects.get(key);
    const custom = /__(c|mdt|e|b|x)$/.test(name);
    if (!object) {
      object = { name, custom, fields: new Map(), children: new Map() };
      this.localObjects.set(key, object);
      if (custom)
        for (const [f, kind] of CUSTOM_OBJECT_SYSTEM_FIELDS)
          object.fields.set(f.toLowerCase(), { name: f, kind, custom: false });
    }
    if (definedHere) (object as ObjectInfo & { defined?: boolean }).defined = true;
    return object;
  }

  /** The object as an org would have it after deploying the package, or undefined when it would not exist. */
  object(name: string): Promise<ObjectInfo | undefined> {
    const key = name.toLowerCase();
    let entry = this.merged.get(key);
    if (!entry) {
      entry = (async () => {
        const local = this.localObjects.get(key) as (ObjectInfo & { defined?: boolean }) | undefined;
        if (local?.custom) return local.defined ? local : undefined; // a custom field folder without its object
        const standard = await standardObjectFields(name);
        if (!standard) return undefined;
        const proper = (await standardObjectNames()).get(key) ?? name;
        const fields = new Map(standard);
        for (const [k, f] of local?.fields ?? []) fields.set(k, f);
        return { name: proper, custom: false, fields, children: local?.children ?? new Map() };
      })();
      this.merged.set(key, entry);
    }
    return entry;
  }

  async field(objectName: string, fieldName: string): Promise<FieldInfo | undefined> {
    const object = await this.object(objectName);
    return object?.fields.get(fieldName.toLowerCase());
  }

  /** Lookup relationship on `objectName` by its relationship name ("Lead__r", "Account"). */
  async relationship(objectName: string, relationshipName: string): Promise<FieldInfo | undefined> {
    const object = await this.object(objectName);
    if (!object) return undefined;
    const key = relationshipName.toLowerCase();
    for (const f of object.fields.values()) {
      if (f.relationshipName?.toLowerCase() === key) return f;
      if (f.kind === 'relationship' && f.name.toLowerCase() === key) return f;
    }
    return undefined;
  }

  /** The package's source folder (force-app/main/default) for a metadata folder such as "layouts". */
  metadataDirs(folder: string): string[] {
    return this.packageDirs.map((d) => path.join(d, 'main', 'default', folder)).filter((d) => existsSync(d));
  }

  filesIn(folder: string, suffix: string): string[] {
    return this.metadataDirs(folder).flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith(suffix))
        .sort()
        .map((f) => path.join(d, f))
    );
  }
}

/** Names (lowercase) of methods annotated @AuraEnabled, whatever the annotation parameters. */
export function auraEnabledMethods(source: string): Set<string> {
  const methods = new Set<string>();
  const stripped = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  const re =
    /@AuraEnabled\s*(\([^)]*\))?\s*((?:@\w+(?:\([^)]*\))?\s*)*)(?:(?:public|global|private|protected|static|override|virtual|with|without|sharing)\s+)*[\w.<>,\s[\]]+?\s+(\w+)\s*\(/gi;
  for (const m of stripped.matchAll(re)) methods.add((m[3] as string).toLowerCase());
  return methods;
}
