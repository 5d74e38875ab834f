/**
 * API usage counters (the org's "DailyApiRequests"): one count per REST/bulk/SOAP call, per endpoint too.
 * Kept in memory: a restart is a new "day" (documented in docs/emulator.md).
 */
import type { ApiUsage } from '../core/types';

export const DEFAULT_DAILY_API_LIMIT = 15000;

export interface MutableApiUsage extends ApiUsage {
  setMax(max: number): void;
  /** Set the used count directly (e.g. to simulate a nearly exhausted day). */
  setUsed(used: number): void;
  reset(): void;
  /** True once the daily limit is reached: every API call is refused with REQUEST_LIMIT_EXCEEDED. */
  exhausted(): boolean;
}

export function createApiUsage(max = DEFAULT_DAILY_API_LIMIT): MutableApiUsage {
  let limit = max;
  let used = 0;
  let perEndpoint = new Map<string, number>();
  return {
    record(endpoint: string): void {
      used += 1;
      perEndpoint.set(endpoint, (perEndpoint.get(endpoint) ?? 0) + 1);
    },
    used: () => used,
    max: () => limit,
    byEndpoint: () => Object.fromEntries([...perEndpoint.entries()].sort(([a], [b]) => a.localeCompare(b))),
    setMax(newMax: number): void {
      if (!Number.isInteger(newMax) || newMax < 0)
        throw new Error(`daily API limit must be a non-negative integer, got ${newMax}`);
      limit = newMax;
    },
    setUsed(newUsed: number): void {
      if (!Number.isInteger(newUsed) || newUsed < 0)
        throw new Error(`used must be a non-negative integer, got ${newUsed}`);
      used = newUsed;
    },
    reset(): void {
      used = 0;
      perEndpoint = new Map();
    },
    exhausted: () => used >= limit
  };
}
