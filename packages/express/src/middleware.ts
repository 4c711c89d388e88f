import {
  errorResponse,
  type RouteOptions,
  type ServiceJwtError,
  type ServiceJwtVerifier,
  toServiceJwtError,
  type VerifiedServiceJwt,
  withRealmHeaders,
} from '@service-jwt/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type ExpressServiceJwtOptions,
  type ResolvedAdapterOptions,
  resolveExpressOptions,
} from './options.js';
import { toRequestLike } from './request.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified service token, set by `requireServiceJwt` before the handler runs. */
      serviceJwt?: VerifiedServiceJwt;
    }
  }
}

function sendError(res: Response, err: ServiceJwtError, adapter: ResolvedAdapterOptions): void {
  const response = errorResponse(err, adapter.realm === undefined ? {} : { realm: adapter.realm });
  res.status(response.status).set(response.headers);
  // core leaves the rest of an oversized body unread: don't keep the connection for it.
  if (err.code === 'body_too_large') res.set('connection', 'close');
  res.json(response.body);
}

function middlewareFor(
  verifier: ServiceJwtVerifier,
  adapter: ResolvedAdapterOptions,
): RequestHandler {
  return function serviceJwtMiddleware(req: Request, res: Response, next: NextFunction): void {
    const request = toRequestLike(req);
    verifier
      .authenticate(request)
      .then((pending) =>
        // `bodyCheck === null`: neither token nor policy needs the body; leave the stream alone.
        pending.bodyCheck === null ? pending.complete() : pending.complete(request.body),
      )
      .then(
        (verified) => {
          req.serviceJwt = verified;
          next();
        },
        (caught: unknown) => {
          const err = toServiceJwtError(caught);
          if (adapter.onError === 'throw') {
            next(withRealmHeaders(err, adapter.realm));
          } else if (res.headersSent) {
            next(err);
          } else {
            sendError(res, err, adapter);
          }
        },
      );
  };
}

/** A per-route middleware maker returned by {@link serviceJwt}. */
export type ServiceJwtRouteFactory = (route?: RouteOptions) => RequestHandler;

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
  const { verifier, adapter } = resolveExpressOptions(options);
  return (route) => {
    const routeVerifier =
      route === undefined || Object.keys(route).length === 0 ? verifier : verifier.forRoute(route);
    return middlewareFor(routeVerifier, adapter);
  };
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
export function requireServiceJwt(options: ExpressServiceJwtOptions): RequestHandler {
  const { verifier, adapter } = resolveExpressOptions(options);
  return middlewareFor(verifier, adapter);
}
