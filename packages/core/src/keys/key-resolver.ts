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
  /** Accept `kty: "oct"` JWKs (only the secret path and its tests do). @default false */
  readonly allowSymmetric?: boolean;
}
