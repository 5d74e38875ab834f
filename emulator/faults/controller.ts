/**
 * Decides, call by call (and record by record for row locks), which fault to inject.
 * Each rule counts the calls it matches, so `calls: [5, 9]` means "the 5th and 9th matching call".
 */
import { createRng } from './rng';
import type { FaultConfig, FaultRule } from './config';

export interface CallInfo {
  method: string;
  /** Full path without the query string, e.g. /services/data/v62.0/composite/sobjects. */
  path: string;
  /** Path after /services/data/vXX.X (e.g. /composite/sobjects); the full path for other APIs (SOAP). */
  apiPath: string;
}

export interface FaultState {
  seed: number;
  rules: Array<FaultRule & { matched: number; fired: number }>;
}

export interface FaultController {
  state(): FaultState;
  replace(config: FaultConfig): void;
  /** The call-level fault to inject for this call, or null. */
  forCall(call: CallInfo): FaultRule | null;
  /** True when this DML record should fail with UNABLE_TO_LOCK_ROW (record-scoped rules). */
  lockRecord(call: CallInfo | null): boolean;
}

const WRITE_METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'];

function matches(rule: FaultRule, call: CallInfo | null): boolean {
  if (
    rule.pathPrefix &&
    (!call || !(call.path.startsWith(rule.pathPrefix) || call.apiPath.startsWith(rule.pathPrefix)))
  )
    return false;
  const methods =
    rule.methods ?? (rule.kind === 'UNABLE_TO_LOCK_ROW' && rule.scope === 'call' ? WRITE_METHODS : undefined);
  if (methods && (!call || !methods.includes(call.method.toUpperCase()))) return false;
  return true;
}

export function createFaultController(initial: FaultConfig): FaultController {
  let seed = initial.seed;
  let random = createRng(seed);
  let rules = initial.rules.map((rule) => ({ ...rule, matched: 0, fired: 0 }));

  /** Count the event for the rule and tell whether it fires. */
  function fires(rule: (typeof rules)[number]): boolean {
    rule.matched += 1;
    const byNumber = rule.calls?.includes(rule.matched) ?? false;
    const byRate = rule.rate !== undefined && random() < rule.rate;
    if (byNumber || byRate) rule.fired += 1;
    return byNumber || byRate;
  }

  return {
    state: () => ({ seed, rules: rules.map((rule) => ({ ...rule })) }),
    replace(config: FaultConfig): void {
      seed = config.seed;
      random = createRng(seed);
      rules = config.rules.map((rule) => ({ ...rule, matched: 0, fired: 0 }));
    },
    forCall(call: CallInfo): FaultRule | null {
      let chosen: FaultRule | null = null;
      for (const rule of rules) {
        if (rule.kind === 'UNABLE_TO_LOCK_ROW' && rule.scope === 'record') continue;
        if (!matches(rule, call)) continue;
        // Every matching rule counts the call, even when an earlier rule already fired.
        if (fires(rule) && !chosen) chosen = rule;
      }
      return chosen;
    },
    lockRecord(call: CallInfo | null): boolean {
      let locked = false;
      for (const rule of rules) {
        if (rule.kind !== 'UNABLE_TO_LOCK_ROW' || rule.scope !== 'record' || !matches(rule, call)) continue;
        if (fires(rule)) locked = true;
      }
      return locked;
    }
  };
}
