import { createRateLimiter } from './webhook';
import { findUnstorable, jsonNestingExceeds } from './storable-json';

describe('createRateLimiter', () => {
  it('should allow limitPerMinute hits per key in a one-minute window, then say when to retry', () => {
    let now = 1_000_000;
    const limit = createRateLimiter({ now: () => now });
    const hits = Array.from({ length: 4 }, () => limit('web|10.0.0.1', 3));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
    now += 45_000;
    expect(limit('web|10.0.0.1', 3)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(limit('web|10.0.0.2', 3).allowed).toBe(true); // another client has its own window
    now += 15_000;
    expect(limit('web|10.0.0.1', 3).allowed).toBe(true); // a new window
  });

  it('should never hold more than maxKeys keys, however many clients appear', () => {
    const limit = createRateLimiter({ maxKeys: 100 });
    for (let i = 0; i < 20_000; i++) limit(`web|10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 60);
    expect(limit.size()).toBe(100);
  });

  it('should forget the least recently seen client first when full', () => {
    let now = 0;
    const limit = createRateLimiter({ maxKeys: 2, now: () => now });
    limit('a', 1);
    limit('b', 1);
    expect(limit('a', 1).allowed).toBe(false); // a is now the most recent
    limit('c', 1); // evicts b
    expect(limit('a', 1).allowed).toBe(false);
    now += 1;
    expect(limit('b', 1).allowed).toBe(true);
  });
});

describe('jsonNestingExceeds / findUnstorable', () => {
  it('should count brackets outside strings only', () => {
    expect(jsonNestingExceeds('{"a":"[[[[[[[[\\"[[[["}', 2)).toBe(false);
    expect(jsonNestingExceeds('{"a":[[1]]}', 2)).toBe(true);
    expect(jsonNestingExceeds('{"a":[[1]]}', 3)).toBe(false);
  });

  it('should name the path of the first unstorable text, escaping odd keys and cutting long ones', () => {
    const long = 'k'.repeat(60);
    expect(findUnstorable({ ok: 'x', [long]: ['fine', 'bad\u0000'] }, 32)?.message).toBe(
      `The value at $["${'k'.repeat(40)}…"][1] contains the NUL character (\\u0000), which cannot be stored; remove it`
    );
    expect(findUnstorable({ a: { b: [{ c: 1 }] } }, 3)?.code).toBe('JSON_TOO_DEEP');
    expect(findUnstorable({ a: { b: [{ c: 1 }] } }, 4)).toBeNull();
    expect(findUnstorable({ name: 'Ștefan 😀' }, 32)).toBeNull();
  });
});
