import { SalesforceError, type RecordResult, type SObjectRecord } from '../salesforce/types';
import { withRowRetry } from './writes';

const ok = (index: number): RecordResult => ({ index, id: `00Q${index}`, success: true, created: true, errors: [] });
const fail = (index: number, statusCode: string): RecordResult => ({ index, id: null, success: false, errors: [{ statusCode, message: statusCode, fields: [] }] });
const cfg = { maxRetries: 3, retryBaseMs: 1 };
const noSleep = async () => undefined;

describe('withRowRetry', () => {
  it('should retry only rows that failed transiently and keep permanent failures', async () => {
    const calls: number[][] = [];
    let attempt = 0;
    const records: SObjectRecord[] = [{ n: 0 }, { n: 1 }, { n: 2 }];
    const { results, retried } = await withRowRetry(
      records,
      async (rs) => {
        calls.push(rs.map((r) => r.n as number));
        attempt++;
        return {
          results: rs.map((r, i) => {
            if (r.n === 1 && attempt === 1) return fail(i, 'UNABLE_TO_LOCK_ROW');
            if (r.n === 2) return fail(i, 'REQUIRED_FIELD_MISSING');
            return ok(i);
          })
        };
      },
      cfg,
      noSleep
    );
    expect(calls).toEqual([[0, 1, 2], [1]]);
    expect(retried).toBe(1);
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results[2]!.errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(results[1]!.index).toBe(1);
  });

  it('should give up after maxRetries and report the last error', async () => {
    let calls = 0;
    const { results } = await withRowRetry([{}], async () => {
      calls++;
      return { results: [fail(0, 'UNABLE_TO_LOCK_ROW')] };
    }, cfg, noSleep);
    expect(calls).toBe(4);
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW' }] });
  });

  it('should retry a transient failure of the whole call and rethrow a permanent one', async () => {
    let calls = 0;
    const { results } = await withRowRetry([{}], async () => {
      calls++;
      if (calls === 1) throw new SalesforceError('SERVER_UNAVAILABLE', 'down', undefined, 503);
      return { results: [ok(0)] };
    }, cfg, noSleep);
    expect(results[0]!.success).toBe(true);
    await expect(withRowRetry([{}], async () => { throw new SalesforceError('INVALID_FIELD', 'bad'); }, cfg, noSleep)).rejects.toThrow('bad');
  });

  it('should retry rows Bulk API left unprocessed', async () => {
    let calls = 0;
    const { results } = await withRowRetry([{}, {}], async (rs) => {
      calls++;
      return calls === 1 ? { results: [ok(0)], unprocessed: [1] } : { results: rs.map((_, i) => ok(i)) };
    }, cfg, noSleep);
    expect(results.every((r) => r.success)).toBe(true);
    expect(calls).toBe(2);
  });
});
