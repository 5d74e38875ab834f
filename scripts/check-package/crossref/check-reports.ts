import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ObjectInfo, PackageSchema } from './schema';
import type { FindingSink } from './report';
import { deepValues, list, readMetadata, text, type XmlNode } from './xml';

interface ReportTypeModel {
  /** Table path ("Lead", "Lead.Funnel_Stage_Changes__r") -> object. */
  tables: Map<string, ObjectInfo>;
  /** "Table$Field" tokens a report built on this type may use. */
  columns: Set<string>;
}

/**
 * Custom report types: base object, join relationships and section columns exist. Reports: the report type exists
 * and every column, grouping, filter and sort token ("Object$Field") is a column of that report type.
 * Dashboards: every component's report exists.
 */
export async function checkReports(schema: PackageSchema, sink: FindingSink): Promise<void> {
  const models = new Map<string, ReportTypeModel>();
  for (const file of schema.filesIn('reportTypes', '.reportType-meta.xml')) {
    const model = await checkReportType(schema, sink, file);
    if (model) models.set(`${path.basename(file, '.reportType-meta.xml')}__c`, model);
  }
  for (const dir of schema.metadataDirs('reports')) {
    for (const folder of schema.reports) {
      const [folderName, name] = folder.split('/') as [string, string];
      const file = path.join(dir, folderName, `${name}.report-meta.xml`);
      try {
        await checkReport(sink, file, readMetadata(file, 'Report'), models);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  for (const dir of schema.metadataDirs('dashboards')) {
    for (const file of walk(dir, '.dashboard-meta.xml')) {
      const node = readMetadata(file, 'Dashboard');
      for (const report of deepValues(node, 'report')) {
        if (!schema.reports.has(report))
          sink.add(file, 'dashboard-report', `component report ${report} does not exist in reports/`);
      }
    }
  }
}

function walk(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full, suffix));
    else if (entry.endsWith(suffix)) out.push(full);
  }
  return out;
}

async function checkReportType(
  schema: PackageSchema,
  sink: FindingSink,
  file: string
): Promise<ReportTypeModel | undefined> {
  const node = readMetadata(file, 'ReportType');
  const baseName = text(node, 'baseObject');
  const base = await schema.object(baseName);
  if (!base) {
    sink.add(file, 'report-type-object', `baseObject ${baseName} does not exist`);
    return undefined;
  }
  const tables = new Map<string, ObjectInfo>([[base.name, base]]);
  let parentPath = base.name;
  let parent: ObjectInfo = base;
  for (let join: XmlNode | undefined = list(node, 'join')[0]; join; join = list(join, 'join')[0]) {
    const rel = text(join, 'relationship');
    const childName = parent.children.get(rel.toLowerCase());
    const child = childName ? await schema.object(childName) : undefined;
    if (!child) {
      sink.add(
        file,
        'report-type-join',
        `join relationship ${rel}: no such child relationship on ${parent.name}`
      );
      break;
    }
    parentPath = `${parentPath}.${rel}`;
    tables.set(parentPath, child);
    parent = child;
  }
  const columns = new Set<string>();
  for (const section of list(node, 'sections')) {
    for (const column of list(section, 'columns')) {
      const table = text(column, 'table');
      const field = text(column, 'field');
      const object = tables.get(table);
      if (!object) {
        sink.add(
          file,
          'report-type-column',
          `column ${field}: table ${table} is neither the base object nor a joined relationship path`
        );
        continue;
      }
      if (!(await fieldPathExists(schema, object, field))) {
        sink.add(
          file,
          'report-type-column',
          `column ${table}.${field}: field does not exist on ${object.name}`
        );
        continue;
      }
      columns.add(`${table}$${field}`);
    }
  }
  return { tables, columns };
}

/** "Name" or a lookup path "Lead__r.Funnel_Stage__c" / "Account.Name". */
async function fieldPathExists(schema: PackageSchema, object: ObjectInfo, dotted: string): Promise<boolean> {
  const parts = dotted.split('.');
  let current: ObjectInfo | undefined = object;
  for (let i = 0; i < parts.length - 1; i++) {
    const rel = await schema.relationship((current as ObjectInfo).name, parts[i] as string);
    current = rel?.referenceTo ? await schema.object(rel.referenceTo) : undefined;
    if (!current) return false;
  }
  return current.fields.has((parts[parts.length - 1] as string).toLowerCase());
}

async function checkReport(
  sink: FindingSink,
  file: string,
  node: XmlNode,
  models: Map<string, ReportTypeModel>
): Promise<void> {
  const typeName = text(node, 'reportType');
  const model = models.get(typeName);
  if (!model) {
    sink.add(
      file,
      'report-type',
      `reportType ${typeName} is not a custom report type of the package (custom report types end in __c)`
    );
    return;
  }
  const tokens = [
    ...list(node, 'columns').map((c) => text(c, 'field')),
    ...deepValues(node.groupingsDown, 'field'),
    ...deepValues(node.groupingsAcross, 'field'),
    ...list(list(node, 'filter')[0], 'criteriaItems').map((c) => text(c, 'column')),
    text(list(node, 'timeFrameFilter')[0], 'dateColumn'),
    text(node, 'sortColumn')
  ].filter((t) => t && !t.startsWith('BucketField_') && !t.startsWith('CDF'));
  // Summary formulas name columns as Table.Field:SUM (dots, not $): each must be a column of the report type.
  for (const aggregate of list(node, 'aggregates')) {
    const formula = text(aggregate, 'calculatedFormula');
    for (const m of formula.matchAll(/([A-Za-z]\w*(?:\.\w+)+):(SUM|AVG|MAX|MIN|UNIQUE)\b/g)) {
      const dotted = m[1] as string;
      const cut = dotted.lastIndexOf('.');
      const token = `${dotted.slice(0, cut)}$${dotted.slice(cut + 1)}`;
      if (!model.columns.has(token)) {
        sink.add(
          file,
          'report-formula',
          `summary formula ${text(aggregate, 'developerName')}: ${dotted} is not a column of report type ${typeName}`
        );
      }
    }
  }
  for (const token of tokens) {
    if (!token.includes('$')) {
      sink.add(file, 'report-column', `${token}: reports on custom report types name columns Table$Field`);
    } else if (!model.columns.has(token)) {
      sink.add(file, 'report-column', `${token} is not a column of report type ${typeName}`);
    }
  }
}
