import { takeoverTimings } from './scheduler';

describe('takeoverTimings', () => {
  it.each([
    [120, { expireSeconds: 90, maintenanceSeconds: 30 }],
    [20, { expireSeconds: 15, maintenanceSeconds: 5 }],
    [10, { expireSeconds: 7, maintenanceSeconds: 3 }],
    [3600, { expireSeconds: 3570, maintenanceSeconds: 30 }]
  ])('should release a dead instance\'s job within serve.takeoverSeconds=%i', (takeover, expected) => {
    const timings = takeoverTimings(takeover);
    expect(timings).toEqual(expected);
    // Worst case: the job expires just after a maintenance pass and is noticed by the next one.
    expect(timings.expireSeconds + timings.maintenanceSeconds).toBe(takeover);
  });
});
