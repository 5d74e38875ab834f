/**
 * RecordStore decorator that makes individual DML records fail with UNABLE_TO_LOCK_ROW when a
 * record-scoped fault rule fires, the way a busy org does: other records of the call still save
 * (unless allOrNone, then the whole call is rolled back, i.e. nothing reaches the real store).
 */
import type { DmlOptions, RecordStore, SaveResult, SObjectRecord } from '../core/types';
import type { CallInfo, FaultController } from './controller';

export const LOCK_ERROR_MESSAGE = 'unable to obtain exclusive access to this record';
export const ROLLED_BACK_MESSAGE =
  'Record rolled back because not all records were valid and the request was using AllOrNone header';

function lockFailure(id: string | null): SaveResult {
  return {
    id,
    success: false,
    errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: LOCK_ERROR_MESSAGE, fields: [] }]
  };
}

function rolledBack(id: string | null): SaveResult {
  return {
    id,
    success: false,
    errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: ROLLED_BACK_MESSAGE, fields: [] }]
  };
}

function recordId(record: SObjectRecord): string | null {
  const id = record.Id ?? record.id;
  return typeof id === 'string' ? id : null;
}

export function withRowLockFaults(
  store: RecordStore,
  faults: FaultController,
  currentCall: () => CallInfo | null
): RecordStore {
  async function guarded<T>(
    items: T[],
    opts: DmlOptions,
    idOf: (item: T) => string | null,
    run: (subset: T[]) => Promise<SaveResult[]>
  ): Promise<SaveResult[]> {
    const call = currentCall();
    const locked = items.map(() => faults.lockRecord(call));
    if (!locked.some(Boolean)) return run(items);
    if (opts.allOrNone)
      return items.map((item, i) => (locked[i] ? lockFailure(null) : rolledBack(idOf(item))));
    const free = items.filter((_, i) => !locked[i]);
    const freeResults = free.length > 0 ? await run(free) : [];
    let next = 0;
    return items.map((item, i) =>
      locked[i] ? lockFailure(idOf(item)) : (freeResults[next++] as SaveResult)
    );
  }

  const overrides: Partial<RecordStore> = {
    insert: (type, records, opts) =>
      guarded(
        records,
        opts,
        () => null,
        (subset) => store.insert(type, subset, opts)
      ),
    update: (type, records, opts) =>
      guarded(records, opts, recordId, (subset) => store.update(type, subset, opts)),
    upsert: (type, field, records, opts) =>
      guarded(records, opts, recordId, (subset) => store.upsert(type, field, subset, opts)),
    delete: (ids, opts) =>
      guarded(
        ids,
        opts,
        (id) => id,
        (subset) => store.delete(subset, opts)
      )
  };

  // A Proxy keeps every other (and any future) RecordStore method working unchanged.
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides)
        return overrides[property as keyof RecordStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    }
  });
}
