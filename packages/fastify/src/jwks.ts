import {
  type JwksResponseOptions,
  jwksResponse,
  ServiceJwtError,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** The signer a JWKS route publishes: anything with core's `jwks()`. */
export type JwksSigner = Pick<ServiceJwtSigner, 'jwks'>;

/** Options of {@link serviceJwtJwks}. */
export interface JwksRouteOptions extends JwksResponseOptions {
  readonly signer: JwksSigner;
  /** Where the set is served. @default '/.well-known/jwks.json' */
  readonly path?: string;
}

/**
 * A route handler that answers with the signer's public key set, built on core's
 * `jwksResponse`: `Content-Type: application/jwk-set+json`, `Cache-Control: public,
 * max-age=300` by default. The set is read on every request, so rotations show at once.
 *
 * @throws ServiceJwtError `configuration_error` for a missing signer or an invalid `maxAge`.
 * @example
 * ```ts
 * app.get('/.well-known/jwks.json', jwksHandler(signer, { maxAge: 120 }));
 * ```
 */
export function jwksHandler(signer: JwksSigner, options: JwksResponseOptions = {}) {
  if (typeof signer !== 'object' || signer === null || typeof signer.jwks !== 'function') {
    throw new ServiceJwtError(
      'configuration_error',
      'signer must be a signer made by createSigner',
    );
  }
  jwksResponse(signer, options);
  return async function serviceJwtJwks(
    _request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<string> {
    const response = jwksResponse(signer, options);
    reply.code(response.status).headers(response.headers);
    return response.body;
  };
}

/**
 * A plugin that serves `signer`'s JWKS at `path` (default `/.well-known/jwks.json`, under the
 * registration's `prefix`). Options are validated at registration, so `ready()` fails with a
 * `configuration_error` naming the option.
 *
 * @example
 * ```ts
 * await app.register(serviceJwtJwks, { signer });
 * ```
 */
export const serviceJwtJwks: FastifyPluginAsync<JwksRouteOptions> = async (fastify, options) => {
  // Fastify hands the registration options through (prefix, logLevel…): take only ours.
  const { signer, path = '/.well-known/jwks.json', maxAge } = options ?? ({} as JwksRouteOptions);
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ServiceJwtError(
      'configuration_error',
      'options.path must be a string starting with "/"',
    );
  }
  fastify.get(path, jwksHandler(signer, maxAge === undefined ? {} : { maxAge }));
};
