/** GET /limits: DailyApiRequests from the live usage counters, the other limits at Developer Edition sizes. */
import type { FastifyInstance } from 'fastify';
import type { OrgContext } from '../core/types';
import { apiVersionOf, DATA_PREFIX, resource } from './shared';

/** Static limits (Max, Remaining = Max: the emulator does not meter them). */
const STATIC_LIMITS: Record<string, number> = {
  DailyAsyncApexExecutions: 250000,
  DailyBulkApiBatches: 15000,
  DailyBulkV2QueryFileStorageMB: 976562,
  DailyBulkV2QueryJobs: 10000,
  DailyDurableGenericStreamingApiEvents: 10000,
  DailyDurableStreamingApiEvents: 10000,
  DailyGenericStreamingApiEvents: 10000,
  DailyStreamingApiEvents: 10000,
  DailyWorkflowEmails: 390,
  DataStorageMB: 5,
  FileStorageMB: 20,
  HourlyAsyncReportRuns: 1200,
  HourlyDashboardRefreshes: 200,
  HourlySyncReportRuns: 500,
  HourlyTimeBasedWorkflow: 1000,
  MassEmail: 10,
  SingleEmail: 15,
  StreamingApiConcurrentClients: 20
};

export function registerLimitsRoutes(app: FastifyInstance, ctx: OrgContext): void {
  resource(app, `${DATA_PREFIX}/limits`, {
    GET: async (request) => {
      apiVersionOf(request);
      const max = ctx.usage.max();
      const limits: Record<string, { Max: number; Remaining: number }> = {
        DailyApiRequests: { Max: max, Remaining: Math.max(0, max - ctx.usage.used()) }
      };
      for (const [name, value] of Object.entries(STATIC_LIMITS))
        limits[name] = { Max: value, Remaining: value };
      return Object.fromEntries(Object.entries(limits).sort(([a], [b]) => a.localeCompare(b)));
    }
  });
}
