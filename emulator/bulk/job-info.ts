/**
 * Request bodies (zod) and JobInfo response shapes of Bulk API 2.0, as Salesforce returns them.
 */
import { z } from 'zod';
import { COLUMN_DELIMITERS, type ColumnDelimiter } from './csv';
import type { JobRecord } from './job-store';

const delimiterNames = Object.keys(COLUMN_DELIMITERS) as [ColumnDelimiter, ...ColumnDelimiter[]];

export const createIngestJobBody = z.object({
  object: z.string().min(1),
  operation: z.enum(['insert', 'update', 'upsert', 'delete', 'hardDelete']),
  externalIdFieldName: z.string().min(1).nullish(),
  contentType: z.literal('CSV').nullish(),
  columnDelimiter: z.enum(delimiterNames).nullish(),
  lineEnding: z.enum(['LF', 'CRLF']).nullish(),
  assignmentRuleId: z.string().nullish()
});
export type CreateIngestJobBody = z.infer<typeof createIngestJobBody>;

export const createQueryJobBody = z.object({
  operation: z.enum(['query', 'queryAll']),
  query: z.string().min(1),
  contentType: z.literal('CSV').nullish(),
  columnDelimiter: z.enum(delimiterNames).nullish(),
  lineEnding: z.enum(['LF', 'CRLF']).nullish()
});
export type CreateQueryJobBody = z.infer<typeof createQueryJobBody>;

export const patchJobBody = z.object({ state: z.enum(['UploadComplete', 'Aborted']) });

/** Salesforce's timestamp format in job info: 2024-05-06T10:00:00.000+0000 */
export function formatSfDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Turns a zod failure on a job body into Salesforce's message (first issue, with its path). */
export function describeBodyIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid job definition';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function baseInfo(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatSfDateTime(job.createdDate),
    systemModstamp: formatSfDateTime(job.systemModstamp),
    state: job.state
  };
}

/** JobInfo as returned by create/PATCH (summary = true) and GET (adds counters and timings). */
export function ingestJobInfo(job: JobRecord, detailed: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    ...baseInfo(job),
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter
  };
  if (!detailed) return info;
  return {
    ...info,
    jobType: 'V2Ingest',
    numberRecordsProcessed: job.numberRecordsProcessed,
    numberRecordsFailed: job.numberRecordsFailed,
    retries: 0,
    totalProcessingTime: job.totalProcessingTime,
    apiActiveProcessingTime: job.apiActiveProcessingTime,
    apexProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {})
  };
}

/** Query JobInfo; like Salesforce, a Failed query job carries no errorMessage. */
export function queryJobInfo(job: JobRecord, detailed: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    ...baseInfo(job),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter
  };
  if (!detailed) return info;
  return {
    ...info,
    jobType: 'V2Query',
    numberRecordsProcessed: job.numberRecordsProcessed,
    retries: 0,
    totalProcessingTime: job.totalProcessingTime,
    isPkChunkingSupported: true
  };
}
