import { type JwksResponseOptions, jwksResponse, ServiceJwtError } from '@service-jwt/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Options of {@link jwksHandler}. */
export interface JwksHandlerOptions extends JwksResponseOptions {
  /** Path the key set is served at, relative to where the handler is mounted. @default '/.well-known/jwks.json' */
  readonly path?: string;
}

/** What {@link jwksHandler} publishes: anything with core's signer `jwks()` method. */
export type JwksPublisher = Parameters<typeof jwksResponse>[0];

/**
 * Express middleware that publishes a signer's public keys: answers `GET`/`HEAD` on `path`
 * with core's `jwksResponse` (`Content-Type: application/jwk-set+json`,
 * `Cache-Control: public, max-age=300` by default) and passes every other request on. The set
 * is read on every request, so rotations show up at once.
 *
 * @throws ServiceJwtError `configuration_error` naming `path` or `maxAge`.
 * @example
 * ```ts
 * app.use(jwksHandler(signer));                       // GET /.well-known/jwks.json
 * app.use(jwksHandler(signer, { path: '/keys', maxAge: 60 }));
 * ```
 */
export function jwksHandler(
  signer: JwksPublisher,
  options: JwksHandlerOptions = {},
): RequestHandler {
  const path = options.path ?? '/.well-known/jwks.json';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ServiceJwtError(
      'configuration_error',
      "options.path must be a string starting with '/'",
    );
  }
  if (typeof signer?.jwks !== 'function') {
    throw new ServiceJwtError(
      'configuration_error',
      'signer must have a jwks() method (createSigner)',
    );
  }
  const responseOptions: JwksResponseOptions =
    options.maxAge === undefined ? {} : { maxAge: options.maxAge };
  // Validates maxAge now rather than on the first request.
  jwksResponse(signer, responseOptions);
  return function serviceJwtJwks(req: Request, res: Response, next: NextFunction): void {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path !== path) {
      next();
      return;
    }
    const response = jwksResponse(signer, responseOptions);
    res.status(response.status).set(response.headers).send(response.body);
  };
}
