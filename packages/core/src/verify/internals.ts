import { configurationError } from '../errors/refusals.js';
import type { RouteOptions } from './options.js';
import type { ResolvedRoute } from './resolve-route.js';
import type { ServiceJwtVerifier } from './verifier-interface.js';
import type { VerifierState } from './verifier-state.js';

/** What the adapter kit and `verifyNow` reach behind a verifier. */
export interface Internals {
  readonly state: VerifierState;
  readonly route: ResolvedRoute;
  /**
   * `forRoute` with the caller's name for the overrides: an adapter's route options fail with
   * what the user wrote (`requireServiceJwt(options): audience …`), not with `forRoute:`.
   * `prefix` goes before each option name.
   */
  readonly derive: (overrides: RouteOptions, prefix: string) => ServiceJwtVerifier;
}

// The adapter kit reaches a verifier's state through this map rather than through members of
// the public object, which stays the small user API.
const internals = new WeakMap<ServiceJwtVerifier, Internals>();

export function registerInternals(verifier: ServiceJwtVerifier, found: Internals): void {
  internals.set(verifier, found);
}

export function internalsOf(verifier: ServiceJwtVerifier): Internals {
  const found = internals.get(verifier);
  if (found === undefined) throw configurationError('verifier must be made by createVerifier');
  return found;
}

/** `true` for a verifier made by `createVerifier` (or its `forRoute`). */
export function isVerifier(value: unknown): value is ServiceJwtVerifier {
  return typeof value === 'object' && value !== null && internals.has(value as ServiceJwtVerifier);
}
