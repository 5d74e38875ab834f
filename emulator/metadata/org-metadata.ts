/**
 * The org's metadata: components loaded from force-app at start-up (the fast path) plus every component
 * deployed through the Metadata API, persisted in the data dir (emulator_metadata_components) so a restart
 * rebuilds the same schema. Deployed components win over start-up ones of the same type and name.
 */
import type { PGlite } from '@electric-sql/pglite';
import { syncTables, type SqlRunner } from '../core/database';
import { newId } from '../core/ids';
import { packageFromComponents, readSourceComponents, type RawComponent } from '../core/metadata-loader';
import { DEFAULT_FORCE_APP_DIR, buildOrgSchema, mutableSchema, type LoadedSchema, type MutableSchema } from '../core/schema';
import { transactionAwareDb } from '../http/tx-aware-db';
import { componentKey, toRawComponent, type OrgComponent } from './components';
import { readSourceExtras } from './source-extras';
import { writeMetadataMirrorRows, writePermissionSetRows } from './package-rows';

const TABLE = 'emulator_metadata_components';

export interface StoredComponent extends OrgComponent {
  id: string;
  createdDate: string;
  lastModifiedDate: string;
  /** 'startup' = read from force-app when the org started; 'deploy' = deployed through the Metadata API. */
  origin: 'startup' | 'deploy';
}

/** Metadata-format file of a source-format component (what a retrieve returns it as). */
function metadataFileName(c: RawComponent): string {
  const objectOf = (fullName: string) => fullName.split('.')[0] ?? fullName;
  switch (c.type) {
    case 'CustomObject':
      return `objects/${c.fullName}.object`;
    case 'CustomField':
    case 'ValidationRule':
      return `objects/${objectOf(c.fullName)}.object`;
    case 'CustomMetadata':
      return `customMetadata/${c.fullName}.md`;
    case 'PermissionSet':
      return `permissionsets/${c.fullName}.permissionset`;
    default:
      return c.fileName;
  }
}

export class OrgMetadata {
  private constructor(
    public readonly schema: MutableSchema,
    private readonly startup: Map<string, StoredComponent>,
    private deployed: Map<string, StoredComponent>
  ) {}

  /**
   * Opens the org's metadata: reads force-app (unless forceAppDir is null), the deployed components from the
   * database, builds the schema from both and syncs tables and package rows.
   */
  static async open(db: PGlite, opts: { forceAppDir?: string | null; orgId: string; now: () => Date }): Promise<OrgMetadata> {
    const startedAt = opts.now().toISOString();
    const dir = opts.forceAppDir ?? DEFAULT_FORCE_APP_DIR;
    const source = opts.forceAppDir === null ? [] : await readSourceComponents(dir);
    const startup = new Map<string, StoredComponent>();
    for (const c of source) {
      startup.set(componentKey(c.type, c.fullName), {
        type: c.type,
        fullName: c.fullName,
        fileName: metadataFileName(c),
        body: c.body,
        id: newId('000'),
        createdDate: startedAt,
        lastModifiedDate: startedAt,
        origin: 'startup'
      });
    }
    if (opts.forceAppDir !== null) {
      for (const c of await readSourceExtras(dir)) {
        startup.set(componentKey(c.type, c.fullName), { ...c, id: newId('000'), createdDate: startedAt, lastModifiedDate: startedAt, origin: 'startup' });
      }
    }
    await db.exec(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (key text PRIMARY KEY, type text NOT NULL, full_name text NOT NULL, data jsonb NOT NULL)`
    );
    const rows = await db.query<{ key: string; data: StoredComponent }>(`SELECT key, data FROM ${TABLE}`);
    const deployed = new Map(rows.rows.map((r) => [r.key, r.data]));
    // Start-up problems keep their old behaviour: the org refuses to start, naming the file.
    const { pkg, problems } = packageFromComponents(OrgMetadata.rawOf(OrgMetadata.merge(startup, deployed)));
    if (problems[0]) throw problems[0];
    const schema = buildOrgSchema(pkg);
    await syncTables(db, schema, { orgId: opts.orgId });
    await writePermissionSetRows(db, schema, opts.now());
    await writeMetadataMirrorRows(db, schema, OrgMetadata.merge(startup, deployed), opts.now());
    return new OrgMetadata(mutableSchema(schema), startup, deployed);
  }

  private static merge(startup: Map<string, StoredComponent>, deployed: Map<string, StoredComponent>): StoredComponent[] {
    const all = new Map(startup);
    for (const [key, c] of deployed) all.set(key, c);
    return [...all.values()];
  }

  static rawOf(components: OrgComponent[]): RawComponent[] {
    return components.map(toRawComponent).filter((c): c is RawComponent => c !== null);
  }

  /** Every component in the org (deployed over start-up). */
  all(): StoredComponent[] {
    return OrgMetadata.merge(this.startup, this.deployed);
  }

  get(type: string, fullName: string): StoredComponent | undefined {
    const key = componentKey(type, fullName);
    return this.deployed.get(key) ?? this.startup.get(key);
  }

  /** Key prefixes of the custom objects in the running org, kept by a deploy. */
  keyPrefixes(): Map<string, string> {
    const prefixes = new Map<string, string>();
    for (const o of this.schema.all()) if (o.custom) prefixes.set(o.name.toLowerCase(), o.keyPrefix);
    return prefixes;
  }

  /**
   * Applies a validated deploy in one transaction: tables and columns for the new schema (existing rows stay),
   * custom metadata and permission set rows, the deployed components; then swaps the schema. If anything
   * fails nothing is applied and the old schema stays.
   */
  async apply(rawDb: PGlite, next: LoadedSchema, components: StoredComponent[], opts: { orgId: string; now: Date }): Promise<void> {
    // syncTables runs its own statements on the db it is given: route them into this transaction (a plain PGlite
    // would wait for the open transaction forever). Wrapping the server's already transaction-aware db is harmless.
    const db = transactionAwareDb(rawDb).db;
    const previous = this.schema.current();
    const deployed = new Map(this.deployed);
    for (const c of components) deployed.set(componentKey(c.type, c.fullName), c);
    await db.transaction(async (tx) => {
      await syncTables(db, next, { orgId: opts.orgId });
      await writePermissionSetRows(tx, next, opts.now);
      await writeMetadataMirrorRows(tx, next, OrgMetadata.merge(this.startup, deployed), opts.now);
      await saveComponents(tx, components);
      // Swap while the transaction still holds the database: no request sees the new tables with the old schema.
      this.schema.replace(next);
    }).catch((error: unknown) => {
      this.schema.replace(previous);
      throw error;
    });
    this.deployed = deployed;
  }
}

async function saveComponents(db: SqlRunner, components: StoredComponent[]): Promise<void> {
  for (const c of components) {
    const { text: _text, ...data } = c;
    await db.query(
      `INSERT INTO ${TABLE} (key, type, full_name, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (key) DO UPDATE SET type = EXCLUDED.type, full_name = EXCLUDED.full_name, data = EXCLUDED.data`,
      [componentKey(c.type, c.fullName), c.type, c.fullName, JSON.stringify(data)]
    );
  }
}

