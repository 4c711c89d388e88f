import type { BodyReader } from './request.js';
import type { VerifiedServiceJwt } from './result.js';

/** An incremental body digest, for adapters that hash a body while it streams. */
export interface BodyHasher {
  update(chunk: Uint8Array): void;
  /** Bytes seen so far. */
  readonly bytes: number;
}

/**
 * A request whose token has passed every check that does not need the body (signature,
 * claims, revocation, `htm`/`htu`). `bodyCheck` tells whether the body must be read; call
 * {@link PendingVerification.complete} to check `bdy` and record the `jti`.
 */
export interface PendingVerification {
  /**
   * `null` when neither the token nor the policy needs a body hash: don't buffer the body.
   * Otherwise the body's limits: at most `maxBodyBytes` (413 `body_too_large` beyond), all of
   * it within `timeout` milliseconds (408 `body_timeout`), hashed by a hasher it hands out.
   */
  readonly bodyCheck: {
    readonly maxBodyBytes: number;
    readonly timeout: number;
    createHasher(): BodyHasher;
  } | null;
  /**
   * Finishes verification: checks the body hash (from raw bytes, a reader, or a hasher that
   * saw the bytes), then records the `jti` in the replay store. Rejects with `ServiceJwtError`.
   */
  complete(body?: Uint8Array | string | BodyReader | BodyHasher): Promise<VerifiedServiceJwt>;
}
