import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { importJwk } from './key-import.js';
import type {
  IssuerKeyResolver,
  KeyImportContext,
  KeyLookup,
  VerificationKey,
} from './key-resolver.js';
import { indexKeys, type KeyIndex, selectKey } from './local-key-set.js';

/** Cache policy of a remote key set (all durations in seconds). */
export interface RemoteKeySetPolicy {
  readonly cacheMaxAge: number;
  readonly cooldown: number;
  readonly staleMaxAge: number;
  readonly maxKeys: number;
}

/** What {@link createRemoteKeyResolver} needs besides the policy. */
export interface RemoteKeySetConfig extends RemoteKeySetPolicy {
  /** Fetches the JWK set document (e.g. {@link fetchJson} of the JWKS URL). */
  readonly load: (signal: AbortSignal) => Promise<unknown>;
  readonly context: KeyImportContext;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** First retry one second after a failure, doubling up to one minute. */
export function backoffDelay(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), 60_000);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function identity(key: VerificationKey): string {
  const material = key.key.export({ format: 'der', type: 'spki' }).toString('base64');
  return `${key.kid ?? ''}|${key.algorithm}|${material}`;
}

/**
 * Parses a fetched JWK set leniently per key and strictly per set: keys that are unusable
 * (wrong `use`, unsupported `kty`, weak RSA, private or symmetric material, disallowed `alg`,
 * or missing `kid` in a several-key set) are skipped; a document that is not a key set, holds
 * more than `maxKeys` keys or repeats a `kid` among usable keys is refused as a whole.
 */
export function parseRemoteKeySet(
  document: unknown,
  ctx: KeyImportContext,
  maxKeys: number,
): VerificationKey[] {
  if (!isRecord(document) || !Array.isArray(document.keys)) {
    throw new ServiceJwtError('keys_unavailable', 'the key set document has no "keys" array');
  }
  if (document.keys.length > maxKeys) {
    throw new ServiceJwtError('keys_unavailable', `the key set holds more than ${maxKeys} keys`);
  }
  const usable: VerificationKey[] = [];
  document.keys.forEach((jwk, i) => {
    try {
      usable.push(
        importJwk(jwk, { ...ctx, allowSymmetric: false, optionPath: `${ctx.optionPath} key ${i}` }),
      );
    } catch {
      // Skipped on purpose: providers publish encryption keys beside signing keys.
    }
  });
  return usable.length > 1 ? usable.filter((key) => key.kid !== undefined) : usable;
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

  function adopt(keys: VerificationKey[]): void {
    const next = new Map<string, VerificationKey>();
    // Reusing an unchanged key object keeps isActive() true for verification-cache entries.
    const kept = keys.map((key) => {
      const id = identity(key);
      const same = identities.get(id) ?? key;
      next.set(id, same);
      return same;
    });
    const built = indexKeys(kept);
    if ('duplicateKid' in built) {
      throw new ServiceJwtError('keys_unavailable', 'the key set holds two keys with the same kid');
    }
    index = built;
    identities = next;
  }

  async function fetchOnce(signal: AbortSignal): Promise<void> {
    try {
      const document = await load(signal);
      if (closed) return;
      adopt(parseRemoteKeySet(document, context, config.maxKeys));
      fetchedAt = now();
      failures = 0;
      retryAt = Number.NEGATIVE_INFINITY;
    } catch (err) {
      failures += 1;
      lastError = err;
      retryAt = now() + backoffDelay(failures);
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

  function unavailable(t: number): ServiceJwtError {
    const retryAfter = Math.max(1, Math.ceil((retryAt - t) / 1000));
    const cause = lastError;
    return new ServiceJwtError('keys_unavailable', "the issuer's key set cannot be fetched", {
      cause,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : 1,
    });
  }

  function keyNotFound(): ServiceJwtError {
    return new ServiceJwtError('key_not_found', 'no key of the issuer has the token kid');
  }

  // Fetching failed (or is backing off): serve stale keys until their limit, else 503.
  function fromStale(lookup: KeyLookup): VerificationKey {
    const t = now();
    if (index !== undefined && t < fetchedAt + maxAgeMs + staleMs) {
      const key = selectKey(index, lookup);
      if (key !== undefined) return key;
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
      if (closed) throw new ServiceJwtError('keys_unavailable', 'the key set is closed');
      const t = now();
      if (index !== undefined && t < fetchedAt + maxAgeMs) {
        const key = selectKey(index, lookup);
        if (key !== undefined) return key;
        if (inflight === undefined && (t < retryAt || t - lastAttemptAt < cooldownMs)) {
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
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
