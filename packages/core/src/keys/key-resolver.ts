import type { KeyObject } from 'node:crypto';
import type { Algorithm } from '../jws/algorithms.js';

/** A verification key bound, at load time, to exactly one algorithm. */
export interface VerificationKey {
  /** Public key, or a secret `KeyObject` for HS*. */
  readonly key: KeyObject;
  /** The single algorithm this key verifies. */
  readonly algorithm: Algorithm;
  readonly kid: string | undefined;
}

/** The protected-header members a key lookup may use. Never `jku`, `x5u`, `jwk` or `x5c`. */
export interface KeyLookup {
  readonly alg: string;
  readonly kid?: string | undefined;
}

/**
 * Finds the verification key of one trusted issuer. Local sources answer synchronously, so the
 * hot path stays free of promise overhead; remote ones may return a promise while they fetch.
 *
 * Rejects with `ServiceJwtError`: `algorithm_not_allowed`, `key_not_found` (including a
 * missing `kid` when the set has several keys) or `keys_unavailable` (cold set unreachable).
 */
export interface IssuerKeyResolver {
  resolve(lookup: KeyLookup): VerificationKey | Promise<VerificationKey>;
  /**
   * Resolves once the issuer has usable keys: at once for local keys; for a remote set after a
   * fetch now unless fresh keys are cached. Rejects with `keys_unavailable` (its `cause` the
   * fetch failure) when the fetch fails and nothing usable is cached, or when `signal` aborts.
   */
  ready(signal: AbortSignal): Promise<void>;
  /** Where this issuer's keys stand now. */
  health(): KeySetHealth;
  /** `false` once `key` has left the issuer's key set (verification cache entries are dropped). */
  isActive(key: VerificationKey): boolean;
  /** Stops timers and aborts fetches in flight. */
  close(): void;
}

/** Where a key is loaded from and what it may be bound to. */
export interface KeyImportContext {
  /** The effective allow-list of the issuer. */
  readonly algorithms: readonly Algorithm[];
  /** Names the key in error messages, e.g. `issuers["https://a"].publicKey`. */
  readonly optionPath: string;
  /** Accept `kty: "oct"` JWKs: a local set of shared secrets; never a remote set. @default false */
  readonly allowSymmetric?: boolean;
}

/** Where one issuer's keys stand: what `verifier.health()` reports per issuer. */
export interface KeySetHealth {
  /** Where the keys come from. */
  readonly source: 'local' | 'secret' | 'jwks' | 'discovery';
  /**
   * `local`: configured keys; `fresh`: a fetched set within `cacheMaxAge`; `stale`: past it,
   * still served while fetches fail (within `staleMaxAge`); `unavailable`: fetches fail and
   * nothing usable is cached; `cold`: not fetched yet.
   */
  readonly state: 'local' | 'fresh' | 'stale' | 'unavailable' | 'cold';
  readonly keyCount: number;
  /** The remote set's URL (the discovery document's for `discovery`). */
  readonly url: string | undefined;
  /** When the set was last fetched successfully (ISO 8601). */
  readonly lastSuccess: string | undefined;
  /** The last failed fetch: when, and why (no key material). */
  readonly lastError: { readonly at: string; readonly message: string } | undefined;
  /** `true` while keys past `cacheMaxAge` are being served. */
  readonly stale: boolean;
  /** When the set will be fetched again at the latest (ISO 8601), for a remote set. */
  readonly nextRefresh: string | undefined;
}
