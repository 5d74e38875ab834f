import { clockAt, formatDuration, SOON_MS } from 'c/salClock';

jest.mock('@salesforce/label/c.LF_Sal_Time_Left', () => ({ default: '{0} left to accept' }), {
  virtual: true
});
jest.mock('@salesforce/label/c.LF_Sal_Overdue', () => ({ default: 'Overdue by {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Days_Hours', () => ({ default: '{0} d {1} h' }), { virtual: true });
jest.mock('@salesforce/label/c.LF_Sal_Hours_Minutes', () => ({ default: '{0} h {1} min' }), {
  virtual: true
});

const NOW = Date.parse('2026-03-05T10:00:00.000Z');
const MINUTE = 60 * 1000;

describe('c/salClock', () => {
  it.each([
    [0, '0 h 0 min'],
    [59 * 1000, '0 h 0 min'],
    [61 * MINUTE, '1 h 1 min'],
    [24 * 60 * MINUTE, '1 d 0 h'],
    [(7 * 24 + 5) * 60 * MINUTE + 59 * MINUTE, '7 d 5 h']
  ])('should format %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('should be waiting exactly at the deadline and overdue one millisecond after, like SalSlaRule', () => {
    expect(clockAt(new Date(NOW).toISOString(), NOW)).toMatchObject({
      overdue: false,
      urgency: 'soon',
      msLeft: 0
    });
    expect(clockAt(new Date(NOW - 1).toISOString(), NOW)).toMatchObject({
      overdue: true,
      urgency: 'overdue'
    });
  });

  it('should turn to a warning within a day of the deadline', () => {
    expect(clockAt(NOW + SOON_MS + 1, NOW).urgency).toBe('ok');
    expect(clockAt(NOW + SOON_MS, NOW).urgency).toBe('soon');
  });

  it('should read as the rep reads it', () => {
    expect(clockAt(NOW + 26 * 60 * MINUTE, NOW).text).toBe('1 d 2 h left to accept');
    expect(clockAt(NOW - 90 * MINUTE, NOW).text).toBe('Overdue by 1 h 30 min');
  });

  it('should have no clock without a deadline', () => {
    expect(clockAt(null, NOW)).toBeNull();
    expect(clockAt('', NOW)).toBeNull();
    expect(clockAt('not a date', NOW)).toBeNull();
  });
});
