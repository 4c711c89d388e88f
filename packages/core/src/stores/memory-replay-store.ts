import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { answeringInMemory } from './in-memory.js';
import type { ReplayStore } from './store-interfaces.js';

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
 * - `claim` is atomic: it checks and records in one synchronous step and returns the boolean
 *   itself (no promise), so of any number of concurrent claims for one key exactly one is
 *   `true`.
 * - A key is held until `expiresAt` (epoch seconds), then released. A key whose `expiresAt`
 *   has already passed is not recorded: the verifier rejects such a token as expired anyway.
 * - Memory is bounded by `maxEntries`. Expired keys are swept with no timer, in O(1) per claim:
 *   each claim advances a cursor over a few keys and drops the expired ones (a clock sweep),
 *   looks further when the store is full, and while full a full pass runs at most once per
 *   second of clock or per `max(1024, maxEntries / 4)` claims.
 * - Full of unexpired keys, `claim` throws `store_unavailable` (503) rather than
 *   forgetting a key, which would let that token be replayed. (Full with expired keys the
 *   sweep has not reached yet, it may also refuse for a while; it never forgets a live key.)
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
  let attemptsSinceFullSweep = 0;
  let lastFullSweepAt = Number.NEGATIVE_INFINITY;

  // Clock-style incremental sweep: a cursor that survives between claims walks the map a few
  // entries per claim and drops the expired ones, so each claim does O(1) work and every key
  // is visited once per `size / budget` claims whatever the mix of lifetimes. (Restarting an
  // iterator from the front on every claim would be O(n): V8 leaves deleted slots at the front
  // of a Map's table until it rehashes.)
  let cursor = entries.entries();
  function sweepSome(nowSeconds: number, budget: number): void {
    let restarted = false;
    while (budget-- > 0) {
      const step = cursor.next();
      if (step.done === true) {
        if (restarted) return;
        cursor = entries.entries();
        restarted = true;
        continue;
      }
      if (step.value[1] <= nowSeconds) entries.delete(step.value[0]);
    }
  }

  function sweepAll(nowSeconds: number): void {
    for (const [key, expiresAt] of entries) if (expiresAt <= nowSeconds) entries.delete(key);
    attemptsSinceFullSweep = 0;
    lastFullSweepAt = nowSeconds;
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
    sweepSome(nowSeconds, 4);
    if (entries.size >= maxEntries) {
      sweepSome(nowSeconds, 64);
      // A full pass when the clock has moved on by a second since the last one, or after
      // max(1024, maxEntries / 4) claims made while full: a store full of live keys (an
      // overload) refuses in O(1) instead of scanning itself on every claim.
      if (
        entries.size >= maxEntries &&
        (nowSeconds - lastFullSweepAt >= 1 ||
          ++attemptsSinceFullSweep >= Math.max(1024, maxEntries >>> 2))
      ) {
        sweepAll(nowSeconds);
      }
      if (entries.size >= maxEntries) {
        throw new ServiceJwtError('store_unavailable', 'replay store is full');
      }
    }
    entries.set(key, expiresAt);
    return true;
  }

  return answeringInMemory({
    // Answers on the spot (a boolean, or a synchronous throw): the verifier's synchronous
    // path relies on it.
    claim: claimSync,
    // Nothing to release (no timer, no connection); keys stay so a closed store still refuses
    // replays if something keeps using it.
    close(): Promise<void> {
      return Promise.resolve();
    },
  });
}
