/** Custom metadata records from the package as rows of their __mdt object (read-only in the org). */
import { fixedId } from './ids';
import type { LoadedSchema } from './schema';
import type { CustomMetadataRecord } from './metadata-loader';
import type { SObjectRecord } from './types';

/** A record's fields by API name, as the org holds them (its row without the Id). */
export function customMetadataFields(record: CustomMetadataRecord): SObjectRecord {
  return {
    DeveloperName: record.developerName,
    MasterLabel: record.label,
    Label: record.label,
    QualifiedApiName: record.developerName,
    Language: 'en_US',
    NamespacePrefix: null,
    ...record.values
  };
}

/**
 * Rows by __mdt type. Ids are fixed by the record's position in DeveloperName order; syncTables
 * replaces all rows of a type on every start, so ids only need to be stable for one run of the package.
 */
export function customMetadataDefaults(schema: LoadedSchema): Map<string, SObjectRecord[]> {
  const byType = new Map<string, SObjectRecord[]>();
  const sorted = [...schema.customMetadataRecords].sort((a, b) => a.developerName.localeCompare(b.developerName));
  for (const record of sorted) {
    const type = schema.get(record.type);
    if (!type) continue;
    const rows = byType.get(type.name) ?? [];
    rows.push({ Id: fixedId(type.keyPrefix, rows.length + 1), ...customMetadataFields(record) });
    byType.set(type.name, rows);
  }
  // Types without records still get an (empty) entry so stale rows are cleared.
  for (const type of schema.all()) if (type.name.endsWith('__mdt') && !byType.has(type.name)) byType.set(type.name, []);
  return byType;
}
