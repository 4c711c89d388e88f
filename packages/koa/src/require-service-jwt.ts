import type { RequestLike, ServiceJwtVerifier, VerifiedServiceJwt } from '@service-jwt/core';
import { createGuard, type Guard, runInTransaction } from '@service-jwt/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import type { KoaRouteOptions, KoaServiceJwtOptions } from './options.js';
import { toRequestLike } from './request.js';
import { signAnswer } from './signed-response.js';

/** A Koa middleware that guards its routes with a service JWT. */
export interface ServiceJwtMiddleware extends Middleware {
  /** The verifier behind this middleware (close it on shutdown: `verifier.close()`). */
  readonly verifier: ServiceJwtVerifier;
}

/** A factory of per-route guards sharing one verifier (one key cache, one set of stores). */
export interface ServiceJwtMiddlewareFactory {
  /** A guard for one route; `routeOptions` override the shared options for that route only. */
  (routeOptions?: KoaRouteOptions): ServiceJwtMiddleware;
  /** The shared verifier. */
  readonly verifier: ServiceJwtVerifier;
}

/**
 * Attaches the result and runs downstream with the verified Txn-Token as `currentTransaction()`
 * (a plain `next()` when the request carries none), then signs the answer if the route does.
 * A module function, not a closure: the accepted path allocates nothing of its own.
 */
function proceed(
  guard: Guard,
  ctx: Context,
  next: Next,
  verified: VerifiedServiceJwt,
  request: RequestLike,
): Promise<void> {
  ctx.state.serviceJwt = verified;
  const downstream = runInTransaction(verified, next);
  const sign = guard.signResponse;
  return sign === null ? downstream : downstream.then(() => signAnswer(sign, request, ctx));
}

function middlewareFor(guard: Guard): ServiceJwtMiddleware {
  const refuse = (ctx: Context, caught: unknown): void => {
    const err = guard.forHost(caught);
    if (guard.onError === 'throw') throw err;
    const { status, headers, body } = guard.response(err);
    ctx.status = status;
    ctx.set(headers);
    ctx.body = body;
  };
  // Not an async function: a request answered in this turn (a cached token, local keys,
  // in-memory stores) goes on to `next()` without a promise of its own.
  const middleware = (ctx: Context, next: Next): Promise<void> | undefined => {
    let outcome: VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
    const request = toRequestLike(ctx);
    try {
      outcome = guard.verify(request);
    } catch (caught) {
      refuse(ctx, caught);
      return undefined;
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (verified) => proceed(guard, ctx, next, verified, request),
        (caught: unknown) => refuse(ctx, caught),
      );
    }
    return proceed(guard, ctx, next, outcome, request);
  };
  return Object.assign(middleware, { verifier: guard.verifier }) as ServiceJwtMiddleware;
}

/**
 * Koa middleware that refuses any request without a valid service JWT and puts the verified
 * result at `ctx.state.serviceJwt` (`{ token, header, claims, issuer, subject }`).
 *
 * Takes `createVerifier`'s options plus `onError` and `realm`, or `{ verifier, ...routeOptions }`
 * to reuse a verifier. Works app-wide (`app.use`) or per route (`router.post(path, guard, …)`),
 * before or after `koa-bodyparser` / `@koa/bodyparser`, or with no parser. The body is read
 * only after the token is authenticated and only when a body hash (`bdy`) is present or
 * required.
 *
 * Refuses with the design's error table: 401 (`token_missing`, `signature_invalid`, …),
 * 403 (`source_mismatch`, `claim_check_failed`, `caller_not_allowed`), 400
 * (`token_duplicated`), 413 (`body_too_large`), 415 (`content_encoding_unsupported`), 503
 * (`keys_unavailable`, `store_unavailable`) and 500 (`configuration_error`, e.g. the body was
 * consumed without a raw copy). Throws `configuration_error` at construction for bad options.
 *
 * @example
 * ```ts
 * app.use(requireServiceJwt({
 *   issuers: { 'https://herald.internal/': { jwksUri: 'https://herald.internal/jwks.json' } },
 *   audience: 'https://census.internal/',
 * }));
 * app.use((ctx) => { ctx.body = { caller: ctx.state.serviceJwt?.issuer } });
 * ```
 */
export function requireServiceJwt(options: KoaServiceJwtOptions): ServiceJwtMiddleware {
  return middlewareFor(createGuard(options));
}

// How messages name the options of one `auth(...)` call: the user never called forRoute.
const ROUTE_LABEL = 'serviceJwt route options';

/**
 * Creates one verifier and returns a factory of per-route guards that share it (one key
 * cache, one replay store): `auth({ audience, callers, claims, bodyHash, requestBinding })`.
 * Route options may also override `onError` and `realm`. Options are validated when the
 * factory and each guard are created (`configuration_error`).
 *
 * @example
 * ```ts
 * const auth = serviceJwt({ issuers, audience: 'https://census.internal/' });
 * router.post('/orders', auth({ callers: { issuers: ['https://herald.internal/'] } }), createOrder);
 * router.get('/admin', auth({ audience: 'https://census.internal/admin' }), admin);
 * ```
 */
export function serviceJwt(options: KoaServiceJwtOptions): ServiceJwtMiddlewareFactory {
  const guard = createGuard(options);
  const factory = (routeOptions?: KoaRouteOptions) =>
    middlewareFor(guard.forRoute(routeOptions, ROUTE_LABEL));
  return Object.assign(factory, { verifier: guard.verifier });
}
