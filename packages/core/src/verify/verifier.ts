import { ServiceJwtError, toServiceJwtError } from '../errors/service-jwt-error.js';
import { createIssuerKeyResolver } from '../keys/index.js';
import type { IssuerKeyResolver } from '../keys/key-resolver.js';
import {
  type Authenticated,
  authenticateToken,
  SEEN_SLOTS,
  type Shared,
} from './authenticate-token.js';
import { extractTokenCandidate } from './extract-token.js';
import type { RouteOptions, VerifierOptions } from './options.js';
import { checkRequestBinding } from './request-binding.js';
import { resolveVerifierOptions } from './resolve-options.js';
import { type ResolvedRoute, resolveRoute } from './resolve-route.js';
import type {
  PendingVerification,
  RequestLike,
  ServiceJwtClaims,
  VerifiedServiceJwt,
} from './types.js';
import { createVerificationCache } from './verification-cache.js';
import type { ServiceJwtVerifier } from './verifier-interface.js';
import { pending } from './verify-body.js';
import {
  afterAuthentication,
  chain,
  checkRevocation,
  checkRoute,
  rethrow,
  settle,
} from './verify-checks.js';

function makeVerifier(shared: Shared, route: ResolvedRoute): ServiceJwtVerifier {
  const { options } = shared;
  const overrideRoutes = new WeakMap<RouteOptions, ResolvedRoute>();
  const routeFor = (overrides: RouteOptions | undefined): ResolvedRoute => {
    if (overrides === undefined) return route;
    let resolved = overrideRoutes.get(overrides);
    if (resolved === undefined) {
      resolved = resolveRoute(options, route.input, overrides, 'verifyToken overrides: ');
      overrideRoutes.set(overrides, resolved);
    }
    return resolved;
  };

  // Synchronous until a key fetch or a store answers with a promise; callers settle it once.
  const begin = (request: RequestLike): PendingVerification | Promise<PendingVerification> => {
    // The token68 scan runs in authenticateToken, only for a token not already verified.
    const token = extractTokenCandidate(request.headers, options.token, options.maxTokenLength);
    const now = options.now() / 1000;
    return chain(authenticateToken(shared, token, now, true), (entry) => {
      checkRoute(shared, route, entry, now);
      return chain(checkRevocation(shared, entry), () => {
        checkRequestBinding(entry.claims as ServiceJwtClaims, request, route.requestBinding);
        return pending(shared, route, request, token, entry);
      });
    });
  };

  return Object.freeze({
    authenticate(request: RequestLike): Promise<PendingVerification> {
      try {
        return settle(begin(request));
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
    verify(request: RequestLike): Promise<VerifiedServiceJwt> {
      try {
        return settle(chain(begin(request), (verification) => verification.complete(request.body)));
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
    verifyToken(token: string, overrides?: RouteOptions): Promise<VerifiedServiceJwt> {
      try {
        const effective = routeFor(overrides);
        if (typeof token !== 'string' || token === '') {
          throw new ServiceJwtError('token_missing', 'no token given');
        }
        if (token.length > options.maxTokenLength) {
          throw new ServiceJwtError(
            'token_too_large',
            `token exceeds ${options.maxTokenLength} bytes`,
          );
        }
        const now = options.now() / 1000;
        const entry = authenticateToken(shared, token, now);
        if (entry instanceof Promise) {
          return entry
            .then((found) => afterAuthentication(shared, effective, token, found, now))
            .catch(rethrow);
        }
        return settle(afterAuthentication(shared, effective, token, entry, now));
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
    forRoute(overrides: RouteOptions): ServiceJwtVerifier {
      return makeVerifier(shared, resolveRoute(options, route.input, overrides, 'forRoute: '));
    },
    close(): Promise<void> {
      for (const resolver of shared.resolvers.values()) resolver.close();
      return Promise.resolve();
    },
  });
}

/**
 * Creates a verifier for service JWTs. Options are validated and frozen here; per-route
 * verifiers from `forRoute` share the key resolvers (one per issuer), the verification cache
 * and the stores.
 *
 * Pipeline (cheap before expensive): token extraction and size limit → strict compact syntax
 * and JSON → issuer chosen from `iss` before any key fetch → signature with the issuer's key
 * bound to one algorithm → `exp`/`nbf`/`iat`/age/lifetime/`aud`/`typ` → `source`, required
 * claims, claim rules, callers → revocation → `htm`/`htu` → `bdy` over the raw body → replay
 * (`(iss, jti)`, last).
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
  const resolvers = new Map<string, IssuerKeyResolver>();
  try {
    for (const [issuer, { config, algorithms }] of resolved.issuers) {
      resolvers.set(
        issuer,
        createIssuerKeyResolver(issuer, config, {
          algorithms,
          optionPath: `issuers[${JSON.stringify(issuer)}]`,
          now: resolved.now,
        }),
      );
    }
  } catch (err) {
    for (const resolver of resolvers.values()) resolver.close();
    throw err;
  }
  const cache =
    resolved.cacheEntries === 0
      ? null
      : createVerificationCache<Authenticated>({
          maxEntries: resolved.cacheEntries,
          maxAgeSeconds: 3600,
        });
  const seen = new Int32Array(SEEN_SLOTS);
  let single: Shared['single'] = null;
  if (resolvers.size === 1) {
    for (const [issuer, resolver] of resolvers) single = { issuer, resolver };
  }
  return makeVerifier({ options: resolved, resolvers, single, cache, seen }, resolved.route);
}
