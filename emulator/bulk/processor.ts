/**
 * Background processing of Bulk API 2.0 jobs. Jobs run after the HTTP request that closed them
 * returns; work is split into chunks (one record-layer call each) with a yield to the event loop
 * in between, so a large upload never blocks other requests. Progress is persisted per chunk:
 * after a restart, unfinished jobs continue from the first chunk without stored results.
 */
import type { OrgContext } from '../core/types';
import { BulkCsvError, formatCsvHeader, formatCsvLines, readCsvRows, type CsvDialect } from './csv';
import { processIngestChunk } from './ingest-chunk';
import { planColumns, type ColumnPlan } from './ingest-columns';
import type { BulkJobStore, IngestOperation, JobRecord } from './job-store';

export type ProcessorContext = Pick<OrgContext, 'db' | 'schema' | 'records' | 'query' | 'now'>;

export interface ProcessorOptions {
  /** Rows per record-layer call. */
  chunkSize: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function dialectOf(job: JobRecord): CsvDialect {
  return { columnDelimiter: job.columnDelimiter, lineEnding: job.lineEnding };
}

export class BulkJobProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly ctx: ProcessorContext,
    private readonly store: BulkJobStore,
    private readonly options: ProcessorOptions
  ) {}

  /** Starts processing in the background (no-op if the job is already running). */
  start(jobId: string): void {
    if (this.stopping || this.running.has(jobId)) return;
    const run = yieldToEventLoop()
      .then(() => this.run(jobId))
      .catch(() => undefined)
      .finally(() => this.running.delete(jobId));
    this.running.set(jobId, run);
  }

  /** Picks up jobs left in UploadComplete/InProgress by a previous run of the emulator. */
  async resumeUnfinished(): Promise<void> {
    for (const job of await this.store.listUnfinished()) this.start(job.id);
  }

  /** Stops after the chunk in flight; unfinished jobs stay InProgress and resume on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when the job's current background run ends (tests). */
  async settled(jobId: string): Promise<void> {
    await this.running.get(jobId);
  }

  private async run(jobId: string): Promise<void> {
    const job = await this.store.get(jobId);
    if (!job || (job.state !== 'UploadComplete' && job.state !== 'InProgress')) return;
    const started = Date.now();
    try {
      if (
        job.state === 'UploadComplete' &&
        (await this.store.transition(jobId, ['UploadComplete'], 'InProgress')) === null
      )
        return;
      const inProgress = (await this.store.get(jobId)) ?? job;
      if (job.jobType === 'V2Ingest') await this.runIngest(inProgress, started);
      else await this.runQuery(inProgress, started);
    } catch (err) {
      if (this.stopping) return; // database closing under us: leave the job for the next start
      const message =
        err instanceof BulkCsvError
          ? err.message
          : `UNKNOWN_EXCEPTION : ${err instanceof Error ? err.message : String(err)}`;
      await this.store.transition(jobId, ['InProgress'], 'Failed', {
        errorMessage: message,
        totalProcessingTime: job.totalProcessingTime + (Date.now() - started)
      });
    }
  }

  /** True when processing must end now: shutdown, or the job was aborted/deleted meanwhile. */
  private async interrupted(jobId: string): Promise<'stop' | 'aborted' | null> {
    if (this.stopping) return 'stop';
    const current = await this.store.get(jobId);
    if (!current || current.state === 'Aborted') return 'aborted';
    return null;
  }

  private async runIngest(job: JobRecord, started: number): Promise<void> {
    const object = this.ctx.schema.get(job.object);
    if (!object) throw new BulkCsvError(`InvalidJob : sObject type '${job.object}' is not supported.`);
    const content = await this.store.loadData(job.id);
    const dialect = dialectOf(job);
    const operation = job.operation as IngestOperation;

    // Pass 1: validate the whole file (quotes, column counts, header) before any record is written.
    let header: string[] | null = null;
    let plans: ColumnPlan[] = [];
    if (content !== null && content.trim() !== '') {
      let rowCount = 0;
      for await (const row of readCsvRows(content, dialect)) {
        if (header === null) {
          header = row;
          plans = planColumns(row, object, this.ctx.schema);
        }
        if (++rowCount % this.options.chunkSize === 0) await yieldToEventLoop();
      }
    }
    if (header === null) {
      await this.finishIngest(job, started, 0);
      return;
    }
    if (job.header === null) await this.store.update(job.id, { header });

    // Pass 2: process chunk by chunk, skipping chunks finished before a restart.
    let processed = job.numberRecordsProcessed;
    let failed = job.numberRecordsFailed;
    let chunksDone = job.chunksDone;
    let apiMillis = job.apiActiveProcessingTime;
    let chunkNo = 0;
    let chunk: string[][] = [];
    let isHeader = true;
    const unprocessed: string[][] = [];
    let stopReason: 'stop' | 'aborted' | null = null;

    const flush = async (): Promise<void> => {
      const rows = chunk;
      chunk = [];
      const thisChunk = chunkNo++;
      if (thisChunk < chunksDone) return;
      if (stopReason === null) stopReason = await this.interrupted(job.id);
      if (stopReason !== null) {
        unprocessed.push(...rows);
        return;
      }
      const out = await processIngestChunk(this.ctx, {
        object,
        operation,
        externalIdFieldName: job.externalIdFieldName,
        userId: job.createdById,
        plans,
        rows,
        dialect
      });
      await this.store.saveIngestChunk(job.id, {
        chunkNo: thisChunk,
        successful: out.successful,
        failed: out.failed,
        unprocessed: ''
      });
      processed += rows.length;
      failed += out.failures;
      apiMillis += out.dmlMillis;
      chunksDone = thisChunk + 1;
      await this.store.update(job.id, {
        numberRecordsProcessed: processed,
        numberRecordsFailed: failed,
        chunksDone,
        apiActiveProcessingTime: apiMillis,
        totalProcessingTime: job.totalProcessingTime + (Date.now() - started)
      });
      await yieldToEventLoop();
    };

    for await (const row of readCsvRows(content ?? '', dialect)) {
      if (isHeader) {
        isHeader = false;
        continue;
      }
      chunk.push(row);
      if (chunk.length >= this.options.chunkSize) await flush();
    }
    if (chunk.length > 0) await flush();

    if (stopReason === 'stop') return;
    if (stopReason === 'aborted') {
      const current = await this.store.get(job.id);
      if (!current) return; // deleted while running
      await this.store.saveIngestChunk(job.id, {
        chunkNo,
        successful: '',
        failed: '',
        unprocessed: formatCsvLines(unprocessed, dialect)
      });
      await this.store.update(job.id, {
        totalProcessingTime: job.totalProcessingTime + (Date.now() - started)
      });
      await this.store.dropData(job.id);
      return;
    }
    await this.finishIngest(job, started, apiMillis);
  }

  private async finishIngest(job: JobRecord, started: number, apiMillis: number): Promise<void> {
    if (this.stopping) return;
    const previous = await this.store.transition(job.id, ['InProgress'], 'JobComplete', {
      totalProcessingTime: job.totalProcessingTime + (Date.now() - started),
      apiActiveProcessingTime: apiMillis
    });
    if (previous !== null) await this.store.dropData(job.id);
  }

  private async runQuery(job: JobRecord, started: number): Promise<void> {
    const soql = job.query ?? '';
    const { columns, rows } = await this.ctx.query.queryAllRows(soql, {
      includeDeleted: job.operation === 'queryAll'
    });
    const dialect = dialectOf(job);
    // A restart may have left a partial result: rebuild it from scratch.
    await this.store.clearQueryRows(job.id);
    const lineEnding = dialect.lineEnding === 'CRLF' ? '\r\n' : '\n';
    for (let offset = 0; offset < rows.length; offset += this.options.chunkSize) {
      const reason = await this.interrupted(job.id);
      if (reason !== null) return;
      const slice = rows.slice(offset, offset + this.options.chunkSize);
      // One stringify per row: quoted values may themselves contain line breaks.
      const lines = slice.map((row) => formatCsvLines([row], dialect).slice(0, -lineEnding.length));
      await this.store.appendQueryRows(job.id, offset, lines);
      await yieldToEventLoop();
    }
    if (this.stopping) return;
    await this.store.transition(job.id, ['InProgress'], 'JobComplete', {
      header: columns,
      numberRecordsProcessed: rows.length,
      totalProcessingTime: job.totalProcessingTime + (Date.now() - started)
    });
  }
}

/** Header line of a query job's results file. */
export function queryResultHeader(job: JobRecord): string {
  return formatCsvHeader(job.header ?? [], dialectOf(job));
}
