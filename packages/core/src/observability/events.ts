import type { ServiceJwtErrorCode } from '../errors/service-jwt-error.js';

// What service-jwt publishes on its `node:diagnostics_channel` channels (public API, see
// CHANNELS). No event ever holds a token, an Authorization value, a signature or key
// material; of the claims only `iss`, `sub` and `jti` appear.

/** One verification, accepted or refused, on `service-jwt:verification`. */
export interface VerificationEvent {
  readonly outcome: 'accepted' | 'refused';
  /** The refusal's code; `undefined` when accepted. */
  readonly code: ServiceJwtErrorCode | undefined;
  /** The HTTP status of the answer: 200 when accepted. */
  readonly status: number;
  /**
   * The token's `iss` as sent (at most 256 characters), when it could be read; see
   * `issuerTrusted`: an untrusted value is whatever the caller wrote.
   */
  readonly issuer: string | undefined;
  /** `true` when `issuer` is one of the verifier's configured issuers. */
  readonly issuerTrusted: boolean;
  readonly subject: string | undefined;
  readonly jti: string | undefined;
  /** The header's `kid` and `alg`, when they could be read. */
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  /**
   * The audiences the route accepts (frozen, shared by the route's events); `null` when the
   * route opted out of the check.
   */
  readonly audience: readonly string[] | null;
  /** `true` when the token's signature check was answered from the verification cache. */
  readonly cached: boolean;
  /** Wall-clock time from the start of the verification to its answer, in milliseconds. */
  readonly durationMs: number;
  /**
   * The accepted request's Txn-Token, named by its SHA-256 (base64url), never by the token;
   * absent when the request carried none or was refused.
   */
  readonly transactionHash?: string;
}

/** One fetch of an issuer's remote key set (JWKS URL or discovery), on `service-jwt:key-set:fetch`. */
export interface KeySetFetchEvent {
  readonly issuer: string;
  /** The URL fetched (the discovery document's or the key set's). */
  readonly url: string;
  readonly outcome: 'fetched' | 'failed';
  /** The HTTP status when the server answered. */
  readonly httpStatus: number | undefined;
  /** The system error code of a failed connection (`ECONNREFUSED`, `ETIMEDOUT`, …). */
  readonly errno: string | undefined;
  /** The failure, as short text without key material. */
  readonly error: string | undefined;
  readonly durationMs: number;
  /** Usable keys after the fetch (the set as it stands when the fetch failed). */
  readonly keyCount: number;
}

/** Keys past their `cacheMaxAge` served while the endpoint fails, on `service-jwt:key-set:stale`. */
export interface KeySetStaleEvent {
  readonly issuer: string;
  readonly url: string;
  /** Seconds since the last successful fetch. */
  readonly ageSeconds: number;
}

/** A refetch for an unknown `kid` held back by the cooldown, on `service-jwt:key-set:cooldown`. */
export interface KeySetCooldownEvent {
  readonly issuer: string;
  readonly url: string;
  /** Seconds until a refetch is allowed again. */
  readonly retryInSeconds: number;
}

/** A replay store or revocation list that could not answer, on `service-jwt:store:error`. */
export interface StoreErrorEvent {
  readonly store: 'replay' | 'revocation';
  /** What the verifier answered: always `store_unavailable` (503), failing closed. */
  readonly code: ServiceJwtErrorCode;
  /** The failure, as short text (`ECONNREFUSED`, `replay store is full`, …). */
  readonly error: string;
}

/**
 * The revocation list's synchronisation with its shared store (`@service-jwt/redis`), on
 * `service-jwt:revocation:sync`: a reload, or a change of whether it is in sync.
 */
export interface RevocationSyncEvent {
  readonly event: 'synchronized' | 'lagging' | 'resync';
  /** Seconds since the mirror was last known to be in sync. */
  readonly lagSeconds: number;
  readonly reason: string | undefined;
}
