import type {
  RequestLike,
  RouteOptions,
  ServiceJwtVerifier,
  VerifiedServiceJwt,
} from '@service-jwt/core';
import { createGuard, type Guard, runInTransaction } from '@service-jwt/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AdapterOptions, ExpressServiceJwtOptions } from './options.js';
import { toRequestLike } from './request.js';
import { signAnswer } from './signed-response.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified service token, set by `requireServiceJwt` before the handler runs. */
      serviceJwt?: VerifiedServiceJwt;
    }
  }
}

function refuse(guard: Guard, res: Response, next: NextFunction, caught: unknown): void {
  const err = guard.forHost(caught);
  if (guard.onError === 'throw' || res.headersSent) {
    next(err);
    return;
  }
  const { status, headers, body } = guard.response(err);
  res.status(status).set(headers).json(body);
}

/** The middleware `requireServiceJwt` and `serviceJwt(...)(route)` return. */
export interface ServiceJwtMiddleware extends RequestHandler {
  /**
   * The verifier behind it: `await middleware.verifier.ready()` before taking traffic,
   * `middleware.verifier.health()` for a health endpoint.
   */
  readonly verifier: ServiceJwtVerifier;
}

/**
 * Attaches the result, arranges the answer's signature if the route signs answers, and runs
 * the rest of the request with the verified Txn-Token as `currentTransaction()` (a plain
 * `next()` when it carries none). A module function: the accepted path allocates no closure.
 */
function proceed(
  guard: Guard,
  req: Request,
  res: Response,
  next: NextFunction,
  verified: VerifiedServiceJwt,
  request: RequestLike,
): void {
  req.serviceJwt = verified;
  if (guard.signResponse !== null) signAnswer(guard.signResponse, request, res);
  runInTransaction(verified, next);
}

function middlewareFor(guard: Guard): ServiceJwtMiddleware {
  const middleware = function serviceJwtMiddleware(
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    let outcome: VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
    const request = toRequestLike(req);
    try {
      outcome = guard.verify(request);
    } catch (err) {
      refuse(guard, res, next, err);
      return;
    }
    // Most requests are answered in this turn (a cached token, local keys, in-memory stores):
    // the rest of the app then runs without waiting for a microtask.
    if (!(outcome instanceof Promise)) {
      proceed(guard, req, res, next, outcome, request);
      return;
    }
    outcome.then(
      (verified) => proceed(guard, req, res, next, verified, request),
      (err: unknown) => refuse(guard, res, next, err),
    );
  };
  return Object.assign(middleware, { verifier: guard.verifier });
}

/** A per-route middleware maker returned by {@link serviceJwt}. */
export interface ServiceJwtRouteFactory {
  (route?: RouteOptions & AdapterOptions): ServiceJwtMiddleware;
  /** The shared verifier: `ready()` at start-up, `health()` for a health endpoint. */
  readonly verifier: ServiceJwtVerifier;
}

// How messages name the options of one `auth(...)` call: the user never called forRoute.
const ROUTE_LABEL = 'serviceJwt route options';

/**
 * Creates a factory of per-route middleware that share one verifier (one key cache, one
 * verification cache, the same stores). Each `auth(route)` call validates its overrides at
 * once (`configuration_error`) and derives a verifier with `forRoute`.
 *
 * @param options core's `VerifierOptions` plus `onError`/`realm`, or `{ verifier, ... }`.
 * @throws ServiceJwtError `configuration_error` naming the invalid option.
 * @example
 * ```ts
 * const auth = serviceJwt({ issuers, audience: 'https://census.service/' });
 * app.post('/users', auth({ callers: { issuers: ['https://herald.service/'] } }), handler);
 * app.get('/orders', auth({ audience: 'https://orders.census.service/' }), handler);
 * ```
 */
export function serviceJwt(options: ExpressServiceJwtOptions): ServiceJwtRouteFactory {
  const guard = createGuard(options);
  const factory = (route?: RouteOptions & AdapterOptions) =>
    middlewareFor(guard.forRoute(route, ROUTE_LABEL));
  return Object.assign(factory, { verifier: guard.verifier });
}

/**
 * Express middleware that requires a valid service JWT. On success `req.serviceJwt` holds
 * `{ token, header, claims, issuer, subject }` and `next()` is called; on failure it answers
 * with the design's status, `WWW-Authenticate` and JSON `{ error, code, message }`, or with
 * `onError: 'throw'` calls `next(err)` with the `ServiceJwtError`.
 *
 * The token is checked before the body is read; the raw body is read (bounded by
 * `bodyHash.maxBodyBytes`) only when the token carries `bdy` or the policy requires it, and
 * it is left readable for body parsers mounted after this middleware.
 *
 * @param options core's `VerifierOptions` plus `onError`/`realm`, or `{ verifier, ...routeOptions }`.
 * @throws ServiceJwtError `configuration_error` at construction, naming the invalid option.
 * Requests fail with every code of core's error table (401, 403, 400, 413, 415, 503, 500).
 * @example
 * ```ts
 * app.use(requireServiceJwt({
 *   issuers: { 'https://herald.service/': { jwksUri: 'https://herald.service/.well-known/jwks.json' } },
 *   audience: 'https://census.service/',
 * }));
 * app.get('/me', (req, res) => res.json({ caller: req.serviceJwt?.issuer }));
 * ```
 */
export function requireServiceJwt(options: ExpressServiceJwtOptions): ServiceJwtMiddleware {
  return middlewareFor(createGuard(options));
}
