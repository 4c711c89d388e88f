/**
 * Replay protection: remembers `(issuer, jti)` pairs until the token expires.
 *
 * Implementations must make {@link ReplayStore.claim} atomic (set-if-absent): of any number
 * of concurrent claims for one key, exactly one resolves `true`. A store that cannot answer
 * (unreachable, full) rejects with a `store_unavailable` {@link ServiceJwtError}; it never
 * resolves `true` for a key it could not record.
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (epoch seconds). `true` if the key was new, `false` if it
   * was already recorded (a replay). A store that does I/O returns a promise; one that
   * answers from memory may return the boolean itself.
   *
   * `issuedAt` is the token's `iat` (epoch seconds), `undefined` when it has none. A store
   * that finds it has lost its records (a restart without persistence, a flush, a failover to
   * a lagging replica) cannot tell a replay of a token it saw before the loss from a first
   * use: it refuses (`store_unavailable`) every token issued before the loss, or without
   * `iat`, until such tokens have expired.
   */
  claim(key: string, expiresAt: number, issuedAt?: number): boolean | Promise<boolean>;
  /** Releases timers and connections the store opened. */
  close?(): Promise<void>;
}

/** What a revocation check needs to know about a verified token. */
export interface RevocationSubject {
  readonly issuer: string;
  readonly subject: string | undefined;
  readonly jti: string | undefined;
  readonly kid: string | undefined;
  /** `iat` in epoch seconds, when present. */
  readonly issuedAt: number | undefined;
  /**
   * `exp` in epoch seconds, when present: how long a list that lost its records must keep
   * refusing tokens issued before the loss.
   */
  readonly expiresAt?: number | undefined;
}

/** Why a token is revoked. */
export type RevocationReason = 'jti' | 'subject' | 'issuer' | 'kid';

/**
 * A revocation list: cuts off a token id, everything an issuer or a subject was issued before a
 * time, or a key id. Checked on every request after the signature and claims pass, so
 * {@link RevocationList.check} must be cheap (no network round trip per request). A list that
 * cannot vouch for its state rejects with `store_unavailable`.
 */
export interface RevocationList {
  /** Resolves the reason the token is revoked, or `undefined` when it is not. */
  check(
    token: RevocationSubject,
  ): RevocationReason | undefined | Promise<RevocationReason | undefined>;
  /** Revokes one token id of `issuer` until `expiresAt` (epoch seconds). */
  revokeToken(issuer: string, jti: string, expiresAt: number): Promise<void>;
  /** Revokes every token of `issuer` for `subject` issued before `before` (epoch seconds). */
  revokeSubject(issuer: string, subject: string, before: number): Promise<void>;
  /** Revokes every token of `issuer` issued before `before` (epoch seconds). */
  revokeIssuer(issuer: string, before: number): Promise<void>;
  /** Revokes every token signed by key `kid` of `issuer`. */
  revokeKey(issuer: string, kid: string): Promise<void>;
  /** Releases timers and connections the list opened. */
  close?(): Promise<void>;
}
