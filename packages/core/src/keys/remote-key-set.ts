import { keyNotFound, keysUnavailable } from '../errors/refusals.js';
import { isServiceJwtError } from '../errors/service-jwt-error.js';
import type {
  IssuerKeyResolver,
  KeyImportContext,
  KeyLookup,
  VerificationKey,
} from './key-resolver.js';
import { createKeySetStatus, type KeySetStateChange } from './key-set-status.js';
import { indexKeys, type KeyIndex, selectKey } from './local-key-set.js';
import { keyIdentity, parseRemoteKeySet } from './remote-key-set-document.js';

/** Cache policy of a remote key set (all durations in seconds). */
export interface RemoteKeySetPolicy {
  readonly cacheMaxAge: number;
  readonly cooldown: number;
  readonly staleMaxAge: number;
  readonly maxKeys: number;
}

/** What {@link createRemoteKeyResolver} needs besides the policy. */
export interface RemoteKeySetConfig extends RemoteKeySetPolicy {
  /** Fetches the JWK set document (e.g. `fetchJson` of the JWKS URL). */
  readonly load: (signal: AbortSignal) => Promise<unknown>;
  readonly context: KeyImportContext;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** For events, logs and health: whose set, from where, found how. */
  readonly issuer: string;
  readonly url: string;
  readonly source: 'jwks' | 'discovery';
  /** Told once per change of state (cold, fresh, stale, unavailable), never per request. */
  readonly onStateChange?: (change: KeySetStateChange) => void;
}

/** First retry one second after a failure, doubling up to one minute. */
export function backoffDelay(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), 60_000);
}

/**
 * A resolver over a remote JWK set: cached for `cacheMaxAge`, refreshed on an unknown `kid` at
 * most once per `cooldown`, one fetch in flight, stale keys served for `staleMaxAge` past
 * expiry while fetches fail (with back-off), `keys_unavailable` when nothing usable is cached.
 */
export function createRemoteKeyResolver(config: RemoteKeySetConfig): IssuerKeyResolver {
  const { load, context, now } = config;
  const maxAgeMs = config.cacheMaxAge * 1000;
  const cooldownMs = config.cooldown * 1000;
  const staleMs = config.staleMaxAge * 1000;
  const status = createKeySetStatus({
    issuer: config.issuer,
    url: config.url,
    source: config.source,
    now,
    onChange: config.onStateChange,
  });

  let index: KeyIndex | undefined;
  let identities = new Map<string, VerificationKey>();
  let fetchedAt = 0;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let retryAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let lastError: unknown;
  let inflight: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let closed = false;

  const keyCount = () => index?.keys.size ?? 0;

  function adopt(keys: VerificationKey[]): void {
    const next = new Map<string, VerificationKey>();
    // Reusing an unchanged key object keeps isActive() true for verification-cache entries.
    const kept = keys.map((key) => {
      const id = keyIdentity(key);
      const same = identities.get(id) ?? key;
      next.set(id, same);
      return same;
    });
    const built = indexKeys(kept);
    if ('duplicateKid' in built) {
      throw keysUnavailable('the key set holds two keys with the same kid');
    }
    index = built;
    identities = next;
  }

  async function fetchOnce(signal: AbortSignal): Promise<void> {
    const startedAt = performance.now();
    try {
      const document = await load(signal);
      if (closed) return;
      adopt(parseRemoteKeySet(document, context, config.maxKeys));
      fetchedAt = now();
      failures = 0;
      retryAt = Number.NEGATIVE_INFINITY;
      status.fetched(startedAt, keyCount());
    } catch (err) {
      failures += 1;
      lastError = err;
      const t = now();
      retryAt = t + backoffDelay(failures);
      const usable =
        index === undefined
          ? 'none'
          : t < fetchedAt + maxAgeMs
            ? 'fresh'
            : t < fetchedAt + maxAgeMs + staleMs
              ? 'stale'
              : 'none';
      status.failed(startedAt, err, keyCount(), usable);
      throw err;
    }
  }

  function refresh(): Promise<void> {
    if (inflight !== undefined) return inflight;
    lastAttemptAt = now();
    controller = new AbortController();
    const signal = controller.signal;
    inflight = Promise.resolve()
      .then(() => fetchOnce(signal))
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function unavailable(t: number): Error {
    const retryAfter = Math.max(1, Math.ceil((retryAt - t) / 1000));
    return keysUnavailable("the issuer's key set cannot be fetched", {
      cause: lastError,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : 1,
    });
  }

  // Fetching failed (or is backing off): serve stale keys until their limit, else 503.
  function fromStale(lookup: KeyLookup): VerificationKey {
    const t = now();
    if (index !== undefined && t < fetchedAt + maxAgeMs + staleMs) {
      const key = selectKey(index, lookup);
      if (key !== undefined) {
        if (t >= fetchedAt + maxAgeMs) status.servedStale(fetchedAt);
        return key;
      }
    }
    throw unavailable(t);
  }

  function afterRefresh(lookup: KeyLookup): VerificationKey {
    const t = now();
    if (index === undefined || t >= fetchedAt + maxAgeMs) return fromStale(lookup);
    const key = selectKey(index, lookup);
    if (key === undefined) throw keyNotFound();
    return key;
  }

  return {
    resolve(lookup) {
      if (closed) throw keysUnavailable('the key set is closed');
      const t = now();
      if (index !== undefined && t < fetchedAt + maxAgeMs) {
        const key = selectKey(index, lookup);
        if (key !== undefined) return key;
        if (inflight === undefined && (t < retryAt || t - lastAttemptAt < cooldownMs)) {
          status.heldBack(Math.max(retryAt, lastAttemptAt + cooldownMs));
          throw keyNotFound();
        }
        return refresh().then(
          () => afterRefresh(lookup),
          () => {
            throw keyNotFound();
          },
        );
      }
      if (inflight === undefined && t < retryAt) return fromStale(lookup);
      return refresh().then(
        () => afterRefresh(lookup),
        () => fromStale(lookup),
      );
    },
    isActive(key) {
      if (closed || index === undefined || !index.keys.has(key)) return false;
      const t = now();
      if (t >= fetchedAt + maxAgeMs + staleMs) return false;
      if (t >= fetchedAt + maxAgeMs && inflight === undefined && t >= retryAt) {
        // Revalidate in the background so a key removed upstream stops verifying cached tokens.
        refresh().catch(() => {});
      }
      return true;
    },
    async ready(signal) {
      if (closed) throw keysUnavailable('the key set is closed');
      if (index !== undefined && now() < fetchedAt + maxAgeMs) return;
      const aborted = new Promise<never>((_, reject) => {
        const abort = () =>
          reject(
            keysUnavailable("the issuer's key set was not fetched in time", { cause: lastError }),
          );
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
      try {
        await Promise.race([refresh(), aborted]);
      } catch (err) {
        if (index !== undefined && now() < fetchedAt + maxAgeMs + staleMs) return;
        throw isServiceJwtError(err) && err.code === 'keys_unavailable'
          ? err
          : keysUnavailable("the issuer's key set cannot be fetched", { cause: err });
      }
    },
    health() {
      const nextRefresh = index === undefined ? undefined : Math.max(fetchedAt + maxAgeMs, retryAt);
      return status.health(keyCount(), Number.isFinite(nextRefresh) ? nextRefresh : undefined);
    },
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
