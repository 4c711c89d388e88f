import { tokenMissing } from '../errors/refusals.js';
import { toServiceJwtError } from '../errors/service-jwt-error.js';
import { type Internals, internalsOf, registerInternals } from './internals.js';
import type { RouteOptions, VerifierOptions } from './options.js';
import { healthOf, whenReady } from './readiness.js';
import type { RequestLike } from './request.js';
import { resolveVerifierOptions } from './resolve-options.js';
import { type ResolvedRoute, resolveRoute } from './resolve-route.js';
import type { VerifiedServiceJwt } from './result.js';
import type { ReadyOptions, ServiceJwtVerifier, VerifierHealth } from './verifier-interface.js';
import { createVerifierState, type VerifierState } from './verifier-state.js';
import { verifyNow } from './verify-now.js';

function makeVerifier(
  state: VerifierState,
  route: ResolvedRoute,
  settings: Settings,
): ServiceJwtVerifier {
  // The internals of the verifier derived for each `verifyToken` overrides object, made once.
  const overrideRoutes = new WeakMap<RouteOptions, Internals>();
  const derive = (overrides: RouteOptions, prefix: string) =>
    makeVerifier(state, resolveRoute(settings, route.input, overrides, prefix), settings);
  const internals: Internals = { state, route, derive };
  const verifier: ServiceJwtVerifier = Object.freeze({
    verify(request: RequestLike): Promise<VerifiedServiceJwt> {
      try {
        return Promise.resolve(verifyNow(internals, request));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    verifyToken(token: string, overrides?: RouteOptions): Promise<VerifiedServiceJwt> {
      try {
        let target = internals;
        if (overrides !== undefined) {
          let routed = overrideRoutes.get(overrides);
          if (routed === undefined) {
            routed = internalsOf(derive(overrides, 'verifyToken overrides: '));
            overrideRoutes.set(overrides, routed);
          }
          target = routed;
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
    ready(options?: ReadyOptions): Promise<void> {
      return whenReady(state, options);
    },
    health(): VerifierHealth {
      return healthOf(state);
    },
    close(): Promise<void> {
      state.close();
      return Promise.resolve();
    },
  });
  registerInternals(verifier, internals);
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
