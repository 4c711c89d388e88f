import type { RouteOptions } from './options.js';
import type { RequestLike } from './request.js';
import type { VerifiedServiceJwt } from './result.js';

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
  /** Stops background timers of key sources. Stores are closed by their owners. */
  close(): Promise<void>;
}
