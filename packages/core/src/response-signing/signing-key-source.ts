import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Algorithm } from '../jws/algorithms.js';
import { fetchJson } from '../keys/fetch-key-set.js';
import type { JsonWebKeyInput } from '../keys/key-input.js';
import { importSigningKey, type SigningKey } from '../signer/signing-keys.js';
import type { ResolvedResponseSignerOptions } from './options.js';

/** Where the response signer gets its one signing key. */
export interface SigningKeySource {
  /** The key to sign with now; rejects (`keys_unavailable`) rather than hand out a doubtful key. */
  get(): Promise<SigningKey>;
}

// A failed fetch is remembered this long (the `Retry-After` of keys_unavailable), so a burst
// of responses does not turn into a burst of fetches against a failing key server.
const RETRY_AFTER_SECONDS = 5;

function configError(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message, { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Picks the JWK `kid` out of a key set and imports it as a private (or `oct`) signing key
 * bound to `alg`. The JWK's own `use`, `key_ops` and `alg` must agree with signing under
 * `alg`. Throws `configuration_error` naming `where`.
 */
export function selectSigningKey(
  keys: readonly unknown[],
  kid: string,
  alg: Algorithm,
  where: string,
): SigningKey {
  const matches = keys.filter((jwk) => isRecord(jwk) && jwk.kid === kid);
  if (matches.length === 0) throw configError(`${where} has no key with kid "${kid}"`);
  if (matches.length > 1) throw configError(`${where} holds several keys with kid "${kid}"`);
  const jwk = matches[0] as JsonWebKeyInput;
  const path = `${where}["${kid}"]`;
  if (jwk.use !== undefined && jwk.use !== 'sig') throw configError(`${path}.use must be "sig"`);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('sign'))) {
    throw configError(`${path}.key_ops must include "sign"`);
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw configError(`${path}.alg is ${String(jwk.alg)}, but options.alg is ${alg}`);
  }
  return importSigningKey({ key: jwk, kid, algorithm: alg }, alg, path);
}

/** A key set given in the options: imported once, at construction. */
export function createLocalKeySource(options: ResolvedResponseSignerOptions): SigningKeySource {
  const key = selectSigningKey(options.keys ?? [], options.kid, options.alg, 'options.keys');
  const ready = Promise.resolve(key);
  return { get: () => ready };
}

function unavailable(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('keys_unavailable', message, {
    cause,
    retryAfter: RETRY_AFTER_SECONDS,
  });
}

/**
 * A key set fetched from `jwkSetUrl` with core's `fetchJson` (https only unless allowed, CA,
 * fingerprint pinning, ciphers, time-out, size cap, no redirects). The key is used for
 * `refreshInterval`, then fetched again before the next signature; one fetch is in flight at
 * a time. A failed fetch or an unusable set drops the key (fail closed): nothing is signed
 * until a fetch succeeds, and a failure is retried at most every few seconds.
 */
export function createRemoteKeySource(options: ResolvedResponseSignerOptions): SigningKeySource {
  const url = options.jwkSetUrl as string;
  const where = `the key set at ${new URL(url).origin}`;
  let current: { readonly key: SigningKey; readonly fetchedAt: number } | undefined;
  let failure: { readonly error: ServiceJwtError; readonly at: number } | undefined;
  let inflight: Promise<SigningKey> | undefined;

  async function load(): Promise<SigningKey> {
    let document: unknown;
    try {
      document = await fetchJson(url, options.fetch);
    } catch (err) {
      throw err instanceof ServiceJwtError && err.code === 'keys_unavailable'
        ? unavailable(err.message, err)
        : unavailable(`fetching ${where} failed`, err);
    }
    if (!isRecord(document) || !Array.isArray(document.keys)) {
      throw unavailable(`${where} is not a JWK set`);
    }
    try {
      return selectSigningKey(document.keys, options.kid, options.alg, where);
    } catch (err) {
      throw unavailable(`${where} has no usable signing key "${options.kid}"`, err);
    }
  }

  function refresh(): Promise<SigningKey> {
    current = undefined;
    return load().then(
      (key) => {
        current = { key, fetchedAt: options.now() };
        failure = undefined;
        return key;
      },
      (err: ServiceJwtError) => {
        failure = { error: err, at: options.now() };
        throw err;
      },
    );
  }

  return {
    get() {
      const now = options.now();
      if (current !== undefined && now - current.fetchedAt < options.refreshIntervalMs) {
        return Promise.resolve(current.key);
      }
      if (failure !== undefined && now - failure.at < RETRY_AFTER_SECONDS * 1000) {
        return Promise.reject(failure.error);
      }
      inflight ??= refresh().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
