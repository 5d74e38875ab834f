import { microBatchWaitMs } from './run';

describe('microBatchWaitMs (continuous delivery micro-batches)', () => {
  const at = (ms: number) => ({ receivedAt: new Date(ms) });
  const microBatch = { windowMs: 250, size: 200 };

  it('should wait until the oldest submission of a small batch is one window old', () => {
    expect(microBatchWaitMs([at(1_000), at(1_100)], microBatch, 1_100)).toBe(150);
    expect(microBatchWaitMs([at(1_000)], microBatch, 1_300)).toBe(0);
  });

  it('should not wait for a full batch, an empty one, or when not asked to', () => {
    expect(microBatchWaitMs(Array.from({ length: 200 }, () => at(1_000)), microBatch, 1_000)).toBe(0);
    expect(microBatchWaitMs([], microBatch, 1_000)).toBe(0);
    expect(microBatchWaitMs([at(1_000)], undefined, 1_000)).toBe(0);
  });

  it('should never wait longer than one window when the store clock is ahead of this process', () => {
    expect(microBatchWaitMs([at(60_000)], microBatch, 1_000)).toBe(250);
  });
});
