import { ServiceJwtError } from '../errors/service-jwt-error.js';

/**
 * A bounded LRU cache of verification results keyed by the exact token string. It only saves
 * the signature check and parsing of a repeated token: every per-request check (expiry,
 * revocation, request binding, body hash, replay) must still run on a hit.
 */
export interface VerificationCache<T> {
  /**
   * The cached value, or `undefined` when absent or when `nowSeconds` (epoch seconds) is at or
   * past the entry's expiry (the entry is then dropped). A hit becomes most recently used.
   */
  get(token: string, nowSeconds: number): T | undefined;
  /**
   * Caches `value` until `expiresAt` (epoch seconds; the token's `exp`, or `undefined` for a
   * token without one), and never longer than `maxAgeSeconds` after `nowSeconds`.
   *
   * @param nowSeconds - The verifier's clock, epoch seconds. @default Date.now() / 1000
   */
  set(token: string, value: T, expiresAt: number | undefined, nowSeconds?: number): void;
  /** Drops one token (e.g. its key left the issuer's key set). */
  delete(token: string): void;
  /** Drops everything. */
  clear(): void;
  /** Entries held (expired ones included until they are touched or evicted). */
  readonly size: number;
}

/** Options of {@link createVerificationCache}. */
export interface VerificationCacheOptions {
  /** Most entries held; the least recently used is evicted beyond it. */
  readonly maxEntries: number;
  /**
   * Longest an entry lives, in seconds, whatever its `exp` (tokens without `exp`, and
   * long-lived ones). @default 600
   */
  readonly maxAgeSeconds?: number;
}

interface Entry<T> {
  readonly token: string;
  readonly value: T;
  readonly expiresAt: number;
}

// Each request brings a new header string, so a Map keyed by the whole token hashes all of it
// (hundreds of characters) on every lookup. The key is a small integer hashed from the token's
// tail instead (no allocation): the last characters of the signature, which no one can choose
// for a verified token without the key. Eight base64url characters carry at least 44 bits of
// any signature (the last character of one may carry only 2), more than the 30-bit key holds.
// A hit is confirmed by comparing the whole token, so two tokens with the same key never see
// each other's entry: the later one replaces the earlier (only verified tokens are stored).
const TAIL_LENGTH = 8;

function keyOf(token: string): number {
  const end = token.length;
  let hash = 0x811c9dc5 | 0;
  for (let i = end > TAIL_LENGTH ? end - TAIL_LENGTH : 0; i < end; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  // 30 bits: a small integer, never a heap number.
  return hash & 0x3fffffff;
}

/**
 * Creates a {@link VerificationCache}: O(1) `get`/`set` on a `Map`, whose insertion order is
 * the recency order (a hit is deleted and re-inserted at the end; eviction takes the first).
 * The map is keyed by a hash of the token's last 8 characters and a hit is confirmed by
 * comparing the whole token, so a lookup hashes a short tail, and only the exact token string is ever
 * answered. Never returns an entry at or past its expiry. Memory is bounded by `maxEntries` × the
 * largest accepted token.
 *
 * @throws ServiceJwtError `configuration_error` when `cache.maxEntries` is not a positive
 *   integer or `cache.maxAgeSeconds` not a positive number.
 * @example
 * ```ts
 * const cache = createVerificationCache<Verified>({ maxEntries: 1000 });
 * cache.set(token, verified, claims.exp, nowSeconds);
 * cache.get(token, nowSeconds);
 * ```
 */
export function createVerificationCache<T>(
  options: VerificationCacheOptions,
): VerificationCache<T> {
  const { maxEntries, maxAgeSeconds = 600 } = options ?? ({} as VerificationCacheOptions);
  if (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new ServiceJwtError('configuration_error', 'cache.maxEntries must be a positive integer');
  }
  if (
    typeof maxAgeSeconds !== 'number' ||
    !(maxAgeSeconds > 0) ||
    !Number.isFinite(maxAgeSeconds)
  ) {
    throw new ServiceJwtError(
      'configuration_error',
      'cache.maxAgeSeconds must be a positive number',
    );
  }
  const entries = new Map<number, Entry<T>>();
  // The key inserted last (`-1`: unknown). A hit on it is already the most recently used, so
  // the move to the end is skipped: a run of requests with one token (a caller's burst, a
  // single upstream) costs a lookup, not a `Map` delete and insert each.
  let newest = -1;

  return {
    get(token: string, nowSeconds: number): T | undefined {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (entry === undefined || entry.token !== token) return undefined;
      // `!(a < b)` also refuses a NaN clock.
      if (!(nowSeconds < entry.expiresAt)) {
        entries.delete(key);
        return undefined;
      }
      if (key !== newest) {
        entries.delete(key);
        entries.set(key, entry);
        newest = key;
      }
      return entry.value;
    },
    set(token: string, value: T, expiresAt: number | undefined, nowSeconds?: number): void {
      const limit = (nowSeconds ?? Date.now() / 1000) + maxAgeSeconds;
      const until = expiresAt === undefined || !(expiresAt < limit) ? limit : expiresAt;
      if (!(until > (nowSeconds ?? Number.NEGATIVE_INFINITY))) return;
      const key = keyOf(token);
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { token, value, expiresAt: until });
      newest = key;
    },
    delete(token: string): void {
      const key = keyOf(token);
      if (entries.get(key)?.token === token) entries.delete(key);
    },
    clear(): void {
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
}
