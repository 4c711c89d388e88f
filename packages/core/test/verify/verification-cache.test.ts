import { ServiceJwtError } from '@service-jwt/core';
import { createVerificationCache } from '../../src/verify/verification-cache.js';

const NOW = 1_900_000_000;

describe('createVerificationCache', () => {
  it('returns a cached value before its expiry and never at or past it', () => {
    const cache = createVerificationCache<string>({ maxEntries: 10 });
    cache.set('t', 'v', NOW + 10, NOW);
    expect(cache.get('t', NOW)).toBe('v');
    expect(cache.get('t', NOW + 9.999)).toBe('v');
    expect(cache.get('t', NOW + 10)).toBeUndefined();
    // Dropped, not just hidden.
    expect(cache.size).toBe(0);
    expect(cache.get('t', NOW)).toBeUndefined();
  });

  it('bounds tokens without exp (and long-lived ones) by maxAgeSeconds', () => {
    const cache = createVerificationCache<string>({ maxEntries: 10, maxAgeSeconds: 60 });
    cache.set('no-exp', 'a', undefined, NOW);
    cache.set('century', 'b', NOW + 100 * 365 * 86400, NOW);
    expect(cache.get('no-exp', NOW + 59)).toBe('a');
    expect(cache.get('century', NOW + 59)).toBe('b');
    expect(cache.get('no-exp', NOW + 60)).toBeUndefined();
    expect(cache.get('century', NOW + 60)).toBeUndefined();
  });

  it('defaults maxAgeSeconds to 600 and the clock of set() to Date.now', () => {
    const cache = createVerificationCache<string>({ maxEntries: 10 });
    const now = Date.now() / 1000;
    cache.set('t', 'v', undefined);
    expect(cache.get('t', now + 599)).toBe('v');
    expect(cache.get('t', now + 601)).toBeUndefined();
  });

  it('does not store an entry that is already expired, and refuses a NaN clock', () => {
    const cache = createVerificationCache<string>({ maxEntries: 10 });
    cache.set('old', 'v', NOW - 1, NOW);
    expect(cache.size).toBe(0);
    cache.set('t', 'v', NOW + 10, NOW);
    expect(cache.get('t', Number.NaN)).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createVerificationCache<number>({ maxEntries: 3 });
    cache.set('a', 1, NOW + 100, NOW);
    cache.set('b', 2, NOW + 100, NOW);
    cache.set('c', 3, NOW + 100, NOW);
    expect(cache.get('a', NOW)).toBe(1); // a is now the most recent
    cache.set('d', 4, NOW + 100, NOW); // evicts b
    expect(cache.size).toBe(3);
    expect(cache.get('b', NOW)).toBeUndefined();
    expect(cache.get('a', NOW)).toBe(1);
    expect(cache.get('c', NOW)).toBe(3);
    expect(cache.get('d', NOW)).toBe(4);
    // Re-setting an existing key does not evict anything.
    cache.set('c', 30, NOW + 100, NOW);
    expect(cache.size).toBe(3);
    expect(cache.get('c', NOW)).toBe(30);
  });

  it('keeps the exact recency order when the newest entry is hit, deleted or expired', () => {
    const cache = createVerificationCache<number>({ maxEntries: 2 });
    cache.set('a', 1, NOW + 100, NOW);
    cache.set('b', 2, NOW + 100, NOW);
    // Hits on the newest entry leave the order as it is: a, then b.
    expect(cache.get('b', NOW)).toBe(2);
    expect(cache.get('b', NOW)).toBe(2);
    cache.set('c', 3, NOW + 100, NOW); // evicts a
    expect(cache.get('a', NOW)).toBeUndefined();
    // A hit on an older entry makes it the newest: c, then b.
    expect(cache.get('b', NOW)).toBe(2);
    cache.set('d', 4, NOW + 100, NOW); // evicts c
    expect(cache.get('c', NOW)).toBeUndefined();
    expect(cache.get('b', NOW)).toBe(2);
    // The newest deleted and stored again is the newest again: b, then d.
    cache.delete('d');
    cache.set('d', 4, NOW + 100, NOW);
    expect(cache.get('d', NOW)).toBe(4);
    cache.set('e', 5, NOW + 100, NOW); // evicts b
    expect(cache.get('b', NOW)).toBeUndefined();
    expect(cache.get('d', NOW)).toBe(4);
    // An expired newest entry is dropped on its hit, not kept in place.
    cache.set('f', 6, NOW + 10, NOW);
    expect(cache.get('f', NOW + 10)).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.get('d', NOW)).toBe(4);
  });

  it('stays bounded under many distinct tokens', () => {
    const cache = createVerificationCache<number>({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) cache.set(`token-${i}`, i, NOW + 100, NOW);
    expect(cache.size).toBe(100);
    expect(cache.get('token-9999', NOW)).toBe(9999);
    expect(cache.get('token-9899', NOW)).toBeUndefined();
  });

  it('deletes and clears', () => {
    const cache = createVerificationCache<number>({ maxEntries: 10 });
    cache.set('a', 1, NOW + 100, NOW);
    cache.set('b', 2, NOW + 100, NOW);
    cache.delete('a');
    expect(cache.get('a', NOW)).toBeUndefined();
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('never answers for another token that shares its tail', () => {
    const cache = createVerificationCache<string>({ maxEntries: 10 });
    const tail = `.${'s'.repeat(64)}`;
    const first = `aaaa.bbbb${tail}`;
    const second = `cccc.dddd${tail}`;
    const short = tail.slice(tail.length - 22);
    cache.set(first, 'first', NOW + 100, NOW);
    expect(cache.get(first, NOW)).toBe('first');
    expect(cache.get(second, NOW)).toBeUndefined();
    expect(cache.get(short, NOW)).toBeUndefined();
    expect(cache.get(first.slice(1), NOW)).toBeUndefined();
    // A miss on a look-alike leaves the entry alone; deleting the look-alike too.
    cache.delete(second);
    expect(cache.get(first, NOW)).toBe('first');
    // The later of two colliding tokens replaces the earlier: one entry, its own value.
    cache.set(second, 'second', NOW + 100, NOW);
    expect(cache.size).toBe(1);
    expect(cache.get(second, NOW)).toBe('second');
    expect(cache.get(first, NOW)).toBeUndefined();
    cache.set(short, 'short', NOW + 100, NOW);
    expect(cache.get(short, NOW)).toBe('short');
    expect(cache.get(second, NOW)).toBeUndefined();
    // A fresh string with the same characters (as each request's header brings) hits.
    const copy = ['cccc.', 'dddd', tail].join('');
    cache.set(second, 'second', NOW + 100, NOW);
    expect(cache.get(copy, NOW)).toBe('second');
  });

  it('validates its options with configuration_error naming the option', () => {
    for (const [options, name] of [
      [{ maxEntries: 0 }, 'cache.maxEntries'],
      [{ maxEntries: 1.5 }, 'cache.maxEntries'],
      [{ maxEntries: '10' }, 'cache.maxEntries'],
      [{ maxEntries: 10, maxAgeSeconds: 0 }, 'cache.maxAgeSeconds'],
      [{ maxEntries: 10, maxAgeSeconds: Number.POSITIVE_INFINITY }, 'cache.maxAgeSeconds'],
    ] as const) {
      try {
        createVerificationCache(options as never);
        throw new Error('unreachable');
      } catch (err) {
        expect(err).toBeInstanceOf(ServiceJwtError);
        expect((err as ServiceJwtError).code).toBe('configuration_error');
        expect((err as ServiceJwtError).message).toContain(name);
      }
    }
  });
});
