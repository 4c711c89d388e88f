import type { KeySetHealth } from '../keys/key-resolver.js';
import type { RouteOptions } from './options.js';
import type { RequestLike } from './request.js';
import type { VerifiedServiceJwt } from './result.js';

/** Options of {@link ServiceJwtVerifier.ready}. */
export interface ReadyOptions {
  /** How long to wait for every remote key set, in milliseconds. @default 10000 */
  readonly timeout?: number;
}

/** What {@link ServiceJwtVerifier.health} reports. */
export interface VerifierHealth {
  /**
   * `ok`: every issuer has local or fresh keys; `degraded`: some issuer's keys are stale
   * (served past their cache age while the endpoint fails), requests still pass; `unavailable`:
   * some issuer's keys are not fetched yet or cannot be fetched, so its tokens are refused
   * (503 `keys_unavailable`) or wait for a fetch.
   */
  readonly status: 'ok' | 'degraded' | 'unavailable';
  /** Per configured issuer, where its keys stand. */
  readonly issuers: Readonly<Record<string, KeySetHealth>>;
  /** Per trusted token service (`transactionTokens.issuers`), where its keys stand. */
  readonly tokenServices?: Readonly<Record<string, KeySetHealth>>;
}

/**
 * A configured verifier. Create one per process with `createVerifier` and derive per-route
 * verifiers with {@link ServiceJwtVerifier.forRoute}: they share key caches, the verification
 * cache and the stores.
 */
export interface ServiceJwtVerifier {
  /** Verifies the token a request carries, including body hash and request binding. */
  verify(request: RequestLike): Promise<VerifiedServiceJwt>;
  /** Verifies a bare compact token (no request binding or body checks). */
  verifyToken(token: string, overrides?: RouteOptions): Promise<VerifiedServiceJwt>;
  /** A verifier with route-specific options that shares every cache with this one. */
  forRoute(overrides: RouteOptions): ServiceJwtVerifier;
  /**
   * Fetches every remote key set now (local keys are ready at once) and resolves when every
   * issuer has usable keys. Call it at start-up, before taking traffic.
   *
   * @throws ServiceJwtError `keys_unavailable` (rejects) naming each issuer whose keys could
   *   not be had within `timeout`, with the failures as `cause` (an `AggregateError` when
   *   several issuers failed).
   * @example
   * ```ts
   * await verifier.ready({ timeout: 5000 });
   * server.listen(8080);
   * ```
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * A snapshot, per issuer, of its keys: state, key count, last success and failure, whether
   * stale keys are served, next refresh. Cheap: no fetch. For a health endpoint.
   */
  health(): VerifierHealth;
  /** Stops background timers of key sources. Stores are closed by their owners. */
  close(): Promise<void>;
}
