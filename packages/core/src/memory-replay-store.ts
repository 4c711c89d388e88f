import { ServiceJwtError } from './errors.js';
import type { ReplayStore } from './stores.js';

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most unexpired keys held at once; beyond it `claim` rejects. @default 100000 */
  readonly maxEntries?: number;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Validates a `maxEntries` option; shared by the memory stores. @internal */
export function checkMaxEntries(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ServiceJwtError('configuration_error', `${option} must be a positive integer`);
  }
  return value;
}

/** Validates a `now` option; shared by the memory stores. @internal */
export function checkNow(value: unknown, option: string): () => number {
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') {
    throw new ServiceJwtError('configuration_error', `${option} must be a function`);
  }
  return value as () => number;
}

/**
 * An in-process {@link ReplayStore}: one-time `jti` for a single instance (use
 * `@service-jwt/redis` for a fleet).
 *
 * - `claim` is atomic: it checks and records in one synchronous step, so of any number of
 *   concurrent claims for one key exactly one resolves `true`.
 * - A key is held until `expiresAt` (epoch seconds), then released. A key whose `expiresAt`
 *   has already passed is not recorded: the verifier rejects such a token as expired anyway.
 * - Memory is bounded by `maxEntries`. Expired keys are swept in amortised O(1) (a full pass
 *   after every `max(1024, size / 2)` new keys, and when the store is full), with no timer.
 * - Full of unexpired keys, `claim` rejects with `store_unavailable` (503) rather than
 *   forgetting a key, which would let that token be replayed.
 *
 * @throws ServiceJwtError `configuration_error` for invalid options.
 * @example
 * ```ts
 * const verifier = createVerifier({ ..., replay: createMemoryReplayStore() });
 * ```
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const maxEntries = checkMaxEntries(options.maxEntries ?? 100_000, 'replay.maxEntries');
  const now = checkNow(options.now, 'replay.now');
  const entries = new Map<string, number>();
  let insertsSinceSweep = 0;
  // Earliest expiry left after the last full sweep: sweeping before then frees nothing, which
  // keeps a store full of long-lived keys from scanning itself on every claim.
  let nextUsefulSweep = 0;

  function sweep(nowSeconds: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, expiresAt] of entries) {
      if (expiresAt <= nowSeconds) entries.delete(key);
      else if (expiresAt < earliest) earliest = expiresAt;
    }
    insertsSinceSweep = 0;
    nextUsefulSweep = earliest;
  }

  function claimSync(key: string, expiresAt: number): boolean {
    if (typeof key !== 'string') {
      throw new ServiceJwtError('configuration_error', 'replay key must be a string');
    }
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new ServiceJwtError('configuration_error', 'replay expiresAt must be a finite number');
    }
    const nowSeconds = now() / 1000;
    const existing = entries.get(key);
    if (existing !== undefined) {
      if (existing > nowSeconds) return false;
      entries.delete(key);
    }
    if (expiresAt <= nowSeconds) return true;
    if (entries.size >= maxEntries && nowSeconds >= nextUsefulSweep) sweep(nowSeconds);
    else if (insertsSinceSweep >= Math.max(1024, entries.size >>> 1)) sweep(nowSeconds);
    if (entries.size >= maxEntries) {
      throw new ServiceJwtError('store_unavailable', 'replay store is full');
    }
    entries.set(key, expiresAt);
    insertsSinceSweep++;
    if (expiresAt < nextUsefulSweep) nextUsefulSweep = expiresAt;
    return true;
  }

  return {
    claim(key: string, expiresAt: number): Promise<boolean> {
      try {
        return Promise.resolve(claimSync(key, expiresAt));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    // Nothing to release (no timer, no connection); keys stay so a closed store still refuses
    // replays if something keeps using it.
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
