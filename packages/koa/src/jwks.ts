import { jwksResponse, ServiceJwtError } from '@service-jwt/core';
import type { Middleware } from 'koa';

/** Where a key set is published by default (RFC 8414 style well-known location). */
export const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';

/** Whatever publishes a public key set: a signer from `createSigner`. */
export type JwksPublisher = Parameters<typeof jwksResponse>[0];

/** Options of {@link jwksHandler}. */
export interface JwksHandlerOptions {
  /**
   * The path answered (`GET`/`HEAD` only; anything else goes to the next middleware). `null`
   * answers every request that reaches the middleware, for use as a router handler.
   * @default '/.well-known/jwks.json'
   */
  readonly path?: string | null;
  /** `Cache-Control: public, max-age=N` in seconds; see core's `jwksResponse`. @default 300 */
  readonly maxAge?: number;
}

/**
 * Koa middleware that publishes a signer's public keys with core's `jwksResponse`:
 * `Content-Type: application/jwk-set+json`, `Cache-Control: public, max-age=300` by default,
 * and the current set (read on every request, so rotations show up at once).
 *
 * @throws ServiceJwtError `configuration_error` at construction for an invalid `path` or
 *   `maxAge`.
 * @example
 * ```ts
 * app.use(jwksHandler(signer));                                   // GET /.well-known/jwks.json
 * router.get('/keys', jwksHandler(signer, { path: null, maxAge: 60 }));
 * ```
 */
export function jwksHandler(signer: JwksPublisher, options: JwksHandlerOptions = {}): Middleware {
  if (typeof signer !== 'object' || signer === null || typeof signer.jwks !== 'function') {
    throw new ServiceJwtError('configuration_error', 'signer must have a jwks() method');
  }
  const path = options.path === undefined ? DEFAULT_JWKS_PATH : options.path;
  if (path !== null && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new ServiceJwtError('configuration_error', `path must start with '/' (or be null)`);
  }
  const responseOptions = options.maxAge === undefined ? {} : { maxAge: options.maxAge };
  // Builds one response now so an invalid maxAge fails at construction, not on a request.
  jwksResponse(signer, responseOptions);
  return async (ctx, next) => {
    if ((path !== null && ctx.path !== path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      return next();
    }
    const response = jwksResponse(signer, responseOptions);
    ctx.status = response.status;
    // Headers first: Koa keeps an explicit Content-Type when the body is a string.
    ctx.set(response.headers);
    ctx.body = response.body;
  };
}
