import { configurationError, tokenMissing } from '../errors/refusals.js';
import { toServiceJwtError } from '../errors/service-jwt-error.js';
import type { RouteOptions, VerifierOptions } from './options.js';
import type { PendingVerification } from './pending-verification.js';
import { authenticate, verifyAsync, verifySync } from './pipeline.js';
import type { RequestLike } from './request.js';
import { resolveVerifierOptions } from './resolve-options.js';
import { type ResolvedRoute, resolveRoute } from './resolve-route.js';
import type { VerifiedServiceJwt } from './result.js';
import type { ServiceJwtVerifier } from './verifier-interface.js';
import { createVerifierState, type VerifierState } from './verifier-state.js';

interface Internals {
  readonly state: VerifierState;
  readonly route: ResolvedRoute;
}

// The adapter kit reaches a verifier's state through this map rather than through members of
// the public object, which stays the small user API.
const internals = new WeakMap<ServiceJwtVerifier, Internals>();

function internalsOf(verifier: ServiceJwtVerifier): Internals {
  const found = internals.get(verifier);
  if (found === undefined) throw configurationError('verifier must be made by createVerifier');
  return found;
}

/** `true` for a verifier made by `createVerifier` (or its `forRoute`). */
export function isVerifier(value: unknown): value is ServiceJwtVerifier {
  return typeof value === 'object' && value !== null && internals.has(value as ServiceJwtVerifier);
}

function rethrow(err: unknown): never {
  throw toServiceJwtError(err);
}

/**
 * Verifies a request (or a bare token) and answers as soon as it can: the result itself when
 * no step had to wait, a promise otherwise. Throws or rejects with `ServiceJwtError` only.
 */
export function verifyNow(
  verifier: ServiceJwtVerifier,
  input: RequestLike | string,
): VerifiedServiceJwt | Promise<VerifiedServiceJwt> {
  const { state, route } = internalsOf(verifier);
  try {
    if (route.answersNow && (typeof input === 'string' || bodyInHand(input))) {
      const result = verifySync(state, route, input);
      if (result !== undefined) return result;
    }
    return verifyAsync(state, route, input).catch(rethrow);
  } catch (err) {
    return rethrow(err);
  }
}

/** Steps 1–9 now, the body and replay steps once the adapter has streamed the body. */
export function authenticateRequest(
  verifier: ServiceJwtVerifier,
  request: RequestLike,
): Promise<PendingVerification> {
  const { state, route } = internalsOf(verifier);
  return authenticate(state, route, request).then(
    (pending) => ({
      bodyCheck: pending.bodyCheck,
      complete: (body) => pending.complete(body).catch(rethrow),
    }),
    rethrow,
  );
}

// A reader is called only when a body hash must be checked, and reading takes a turn of the
// event loop; adapters pass one only for a request that announces a body.
function bodyInHand(request: RequestLike): boolean {
  return typeof request.body !== 'function';
}

function makeVerifier(
  state: VerifierState,
  route: ResolvedRoute,
  settings: Settings,
): ServiceJwtVerifier {
  const overrideRoutes = new WeakMap<RouteOptions, ServiceJwtVerifier>();
  const verifier: ServiceJwtVerifier = Object.freeze({
    verify(request: RequestLike): Promise<VerifiedServiceJwt> {
      try {
        return Promise.resolve(verifyNow(verifier, request));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    verifyToken(token: string, overrides?: RouteOptions): Promise<VerifiedServiceJwt> {
      try {
        let target = verifier;
        if (overrides !== undefined) {
          target = overrideRoutes.get(overrides) ?? derive(overrides, 'verifyToken overrides: ');
          overrideRoutes.set(overrides, target);
        }
        if (typeof token !== 'string') throw tokenMissing('no token given');
        return Promise.resolve(verifyNow(target, token));
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
    forRoute(overrides: RouteOptions): ServiceJwtVerifier {
      return derive(overrides, 'forRoute: ');
    },
    close(): Promise<void> {
      state.close();
      return Promise.resolve();
    },
  });
  const derive = (overrides: RouteOptions, prefix: string) =>
    makeVerifier(state, resolveRoute(settings, route.input, overrides, prefix), settings);
  internals.set(verifier, { state, route });
  return verifier;
}

type Settings = Parameters<typeof resolveRoute>[0];

/**
 * Creates a verifier for service JWTs. Options are validated and frozen here; per-route
 * verifiers from `forRoute` share the key resolvers (one per issuer), the verification cache
 * and the stores.
 *
 * The pipeline, cheap before expensive: token extraction and size limit → strict compact
 * syntax and JSON → issuer chosen from `iss` before any key fetch → signature with the
 * issuer's key bound to one algorithm → `exp`/`nbf`/`iat`/age/lifetime/`aud`/`typ` → `source`,
 * required claims, claim rules, callers → revocation → `htm`/`htu` → `bdy` over the raw body
 * → replay (`(iss, jti)`, last). See `verify/pipeline.ts`.
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuers: { 'https://orders.internal': { jwksUri: 'https://orders.internal/.well-known/jwks.json' } },
 *   audience: 'https://billing.internal',
 * });
 * const { claims, subject } = await verifier.verify({ method, url, headers, body });
 * ```
 */
export function createVerifier(options: VerifierOptions): ServiceJwtVerifier {
  const resolved = resolveVerifierOptions(options);
  return makeVerifier(createVerifierState(resolved), resolved.route, resolved.settings);
}
