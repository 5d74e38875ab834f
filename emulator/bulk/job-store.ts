/**
 * Persistence of Bulk API 2.0 jobs in PGlite, so jobs, uploads and results survive an emulator restart.
 * Ingest results are stored per processed chunk as ready-made CSV lines (no header): the result
 * endpoints only concatenate them. Query results are stored one CSV line per record so any
 * locator/maxRecords page is a single indexed range read.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { ColumnDelimiter, LineEnding } from './csv';

export type JobType = 'V2Ingest' | 'V2Query';
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export type QueryOperation = 'query' | 'queryAll';
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export const TERMINAL_STATES: readonly JobState[] = ['JobComplete', 'Failed', 'Aborted'];

export interface JobRecord {
  id: string;
  jobType: JobType;
  object: string;
  operation: IngestOperation | QueryOperation;
  externalIdFieldName: string | null;
  query: string | null;
  state: JobState;
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
  apiVersion: string;
  createdById: string;
  createdDate: Date;
  systemModstamp: Date;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  totalProcessingTime: number;
  apiActiveProcessingTime: number;
  errorMessage: string | null;
  /** Original CSV header of the upload (ingest) or the result columns (query). */
  header: string[] | null;
  dataUploaded: boolean;
  /** Ingest: number of chunks whose results are stored (resume point after a restart). */
  chunksDone: number;
}

interface JobRow {
  id: string;
  job_type: JobType;
  object: string;
  operation: JobRecord['operation'];
  external_id_field: string | null;
  query: string | null;
  state: JobState;
  column_delimiter: ColumnDelimiter;
  line_ending: LineEnding;
  api_version: string;
  created_by_id: string;
  created_date: Date;
  system_modstamp: Date;
  records_processed: number;
  records_failed: number;
  total_processing_ms: number;
  api_active_ms: number;
  error_message: string | null;
  header: string | null;
  data_uploaded: boolean;
  chunks_done: number;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS bulk_jobs (
  id text PRIMARY KEY,
  job_type text NOT NULL,
  object text NOT NULL,
  operation text NOT NULL,
  external_id_field text,
  query text,
  state text NOT NULL,
  column_delimiter text NOT NULL,
  line_ending text NOT NULL,
  api_version text NOT NULL,
  created_by_id text NOT NULL,
  created_date timestamptz NOT NULL,
  system_modstamp timestamptz NOT NULL,
  records_processed integer NOT NULL DEFAULT 0,
  records_failed integer NOT NULL DEFAULT 0,
  total_processing_ms integer NOT NULL DEFAULT 0,
  api_active_ms integer NOT NULL DEFAULT 0,
  error_message text,
  header text,
  data_uploaded boolean NOT NULL DEFAULT false,
  chunks_done integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS bulk_jobs_type_created ON bulk_jobs (job_type, created_date);
CREATE TABLE IF NOT EXISTS bulk_job_data (
  job_id text PRIMARY KEY REFERENCES bulk_jobs (id) ON DELETE CASCADE,
  content text NOT NULL
);
CREATE TABLE IF NOT EXISTS bulk_ingest_results (
  job_id text NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
  chunk_no integer NOT NULL,
  successful text NOT NULL,
  failed text NOT NULL,
  unprocessed text NOT NULL,
  PRIMARY KEY (job_id, chunk_no)
);
CREATE TABLE IF NOT EXISTS bulk_query_rows (
  job_id text NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
  row_no integer NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (job_id, row_no)
);
`;

function fromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    jobType: row.job_type,
    object: row.object,
    operation: row.operation,
    externalIdFieldName: row.external_id_field,
    query: row.query,
    state: row.state,
    columnDelimiter: row.column_delimiter,
    lineEnding: row.line_ending,
    apiVersion: row.api_version,
    createdById: row.created_by_id,
    createdDate: new Date(row.created_date),
    systemModstamp: new Date(row.system_modstamp),
    numberRecordsProcessed: row.records_processed,
    numberRecordsFailed: row.records_failed,
    totalProcessingTime: row.total_processing_ms,
    apiActiveProcessingTime: row.api_active_ms,
    errorMessage: row.error_message,
    header: row.header === null ? null : (JSON.parse(row.header) as string[]),
    dataUploaded: row.data_uploaded,
    chunksDone: row.chunks_done
  };
}

export type NewJob = Pick<
  JobRecord,
  | 'id'
  | 'jobType'
  | 'object'
  | 'operation'
  | 'externalIdFieldName'
  | 'query'
  | 'state'
  | 'columnDelimiter'
  | 'lineEnding'
  | 'apiVersion'
  | 'createdById'
  | 'createdDate'
>;

export interface JobChanges {
  state?: JobState;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  totalProcessingTime?: number;
  apiActiveProcessingTime?: number;
  errorMessage?: string | null;
  header?: string[];
  dataUploaded?: boolean;
  chunksDone?: number;
}

const CHANGE_COLUMNS: Record<keyof JobChanges, string> = {
  state: 'state',
  numberRecordsProcessed: 'records_processed',
  numberRecordsFailed: 'records_failed',
  totalProcessingTime: 'total_processing_ms',
  apiActiveProcessingTime: 'api_active_ms',
  errorMessage: 'error_message',
  header: 'header',
  dataUploaded: 'data_uploaded',
  chunksDone: 'chunks_done'
};

export interface IngestChunkResult {
  chunkNo: number;
  successful: string;
  failed: string;
  unprocessed: string;
}

export class BulkJobStore {
  constructor(
    private readonly db: PGlite,
    private readonly now: () => Date
  ) {}

  async migrate(): Promise<void> {
    await this.db.exec(SCHEMA_SQL);
  }

  async create(job: NewJob): Promise<JobRecord> {
    await this.db.query(
      `INSERT INTO bulk_jobs (id, job_type, object, operation, external_id_field, query, state, column_delimiter, line_ending,
         api_version, created_by_id, created_date, system_modstamp)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)`,
      [
        job.id,
        job.jobType,
        job.object,
        job.operation,
        job.externalIdFieldName,
        job.query,
        job.state,
        job.columnDelimiter,
        job.lineEnding,
        job.apiVersion,
        job.createdById,
        job.createdDate.toISOString()
      ]
    );
    const created = await this.get(job.id);
    if (!created) throw new Error(`bulk job ${job.id} vanished after insert`);
    return created;
  }

  async get(id: string): Promise<JobRecord | null> {
    const res = await this.db.query<JobRow>('SELECT * FROM bulk_jobs WHERE id = $1', [id]);
    const row = res.rows[0];
    return row ? fromRow(row) : null;
  }

  /** Jobs of one type, oldest first, for GET /jobs/ingest and /jobs/query. */
  async list(jobType: JobType, offset: number, limit: number): Promise<JobRecord[]> {
    const res = await this.db.query<JobRow>(
      'SELECT * FROM bulk_jobs WHERE job_type = $1 ORDER BY created_date, id OFFSET $2 LIMIT $3',
      [jobType, offset, limit]
    );
    return res.rows.map(fromRow);
  }

  /** Jobs the processor must pick up again after a restart. */
  async listUnfinished(): Promise<JobRecord[]> {
    const res = await this.db.query<JobRow>(
      `SELECT * FROM bulk_jobs WHERE state IN ('UploadComplete', 'InProgress') ORDER BY created_date, id`
    );
    return res.rows.map(fromRow);
  }

  async update(id: string, changes: JobChanges): Promise<JobRecord> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, value] of Object.entries(changes) as [keyof JobChanges, unknown][]) {
      if (value === undefined) continue;
      params.push(key === 'header' ? JSON.stringify(value) : value);
      sets.push(`${CHANGE_COLUMNS[key]} = $${params.length}`);
    }
    params.push(this.now().toISOString());
    sets.push(`system_modstamp = $${params.length}`);
    await this.db.query(`UPDATE bulk_jobs SET ${sets.join(', ')} WHERE id = $1`, params);
    const updated = await this.get(id);
    if (!updated) throw new Error(`bulk job ${id} not found`);
    return updated;
  }

  /**
   * Atomically moves a job to `to` if its state is one of `from`; returns the previous state, or null
   * when the job is missing or in another state (so concurrent abort/close/processing never overwrite each other).
   */
  async transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    changes: JobChanges = {}
  ): Promise<JobState | null> {
    const current = await this.get(id);
    if (!current || !from.includes(current.state)) return null;
    const res = await this.db.query<{ id: string }>(
      `UPDATE bulk_jobs SET state = $2, system_modstamp = $3 WHERE id = $1 AND state = $4 RETURNING id`,
      [id, to, this.now().toISOString(), current.state]
    );
    if (res.rows.length === 0) return null;
    if (Object.keys(changes).length > 0) await this.update(id, changes);
    return current.state;
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM bulk_jobs WHERE id = $1', [id]);
  }

  async saveData(jobId: string, content: string): Promise<void> {
    await this.db.query('INSERT INTO bulk_job_data (job_id, content) VALUES ($1, $2)', [jobId, content]);
  }

  async loadData(jobId: string): Promise<string | null> {
    const res = await this.db.query<{ content: string }>(
      'SELECT content FROM bulk_job_data WHERE job_id = $1',
      [jobId]
    );
    return res.rows[0]?.content ?? null;
  }

  /** The upload is not needed once processing finished; dropping it keeps the data dir small. */
  async dropData(jobId: string): Promise<void> {
    await this.db.query('DELETE FROM bulk_job_data WHERE job_id = $1', [jobId]);
  }

  async saveIngestChunk(jobId: string, chunk: IngestChunkResult): Promise<void> {
    await this.db.query(
      `INSERT INTO bulk_ingest_results (job_id, chunk_no, successful, failed, unprocessed) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (job_id, chunk_no) DO UPDATE SET successful = EXCLUDED.successful, failed = EXCLUDED.failed, unprocessed = EXCLUDED.unprocessed`,
      [jobId, chunk.chunkNo, chunk.successful, chunk.failed, chunk.unprocessed]
    );
  }

  /** Concatenated CSV lines (no header) of one result kind, in chunk order. */
  async ingestResultLines(jobId: string, kind: 'successful' | 'failed' | 'unprocessed'): Promise<string> {
    const res = await this.db.query<{ lines: string }>(
      `SELECT ${kind} AS lines FROM bulk_ingest_results WHERE job_id = $1 ORDER BY chunk_no`,
      [jobId]
    );
    return res.rows.map((r) => r.lines).join('');
  }

  async appendQueryRows(jobId: string, firstRowNo: number, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const rowNos = lines.map((_, i) => firstRowNo + i);
    await this.db.query(
      'INSERT INTO bulk_query_rows (job_id, row_no, line) SELECT $1, r, l FROM unnest($2::int[], $3::text[]) AS t(r, l)',
      [jobId, rowNos, lines]
    );
  }

  async clearQueryRows(jobId: string): Promise<void> {
    await this.db.query('DELETE FROM bulk_query_rows WHERE job_id = $1', [jobId]);
  }

  /** Result lines from row `offset` on; limit null = all the rest. */
  async queryRows(jobId: string, offset: number, limit: number | null): Promise<string[]> {
    const res = await this.db.query<{ line: string }>(
      'SELECT line FROM bulk_query_rows WHERE job_id = $1 AND row_no >= $2 ORDER BY row_no LIMIT $3',
      [jobId, offset, limit]
    );
    return res.rows.map((r) => r.line);
  }
}
