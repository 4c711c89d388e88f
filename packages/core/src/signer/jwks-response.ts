import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { PublicJwk } from './signing-keys.js';

/** Options of {@link jwksResponse}. */
export interface JwksResponseOptions {
  /**
   * `Cache-Control: public, max-age=N`, in seconds. Keep it shorter than the rotation's
   * `activateAfter` (default 600): a cache that fetched the set just before a rotation must
   * have expired before the next key signs. @default 300
   */
  readonly maxAge?: number;
}

/** A framework-free HTTP response: adapters copy it into their framework's reply. */
export interface JwksHttpResponse {
  readonly status: 200;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON key set (RFC 7517 §5). */
  readonly body: string;
}

/** Default `max-age` of published key sets, seconds. */
export const DEFAULT_JWKS_MAX_AGE = 300;

/**
 * Validates {@link JwksResponseOptions} once; returns the `max-age`.
 *
 * @throws ServiceJwtError `configuration_error` naming `maxAge`.
 */
export function resolveJwksMaxAge(options: JwksResponseOptions = {}): number {
  const maxAge = options.maxAge ?? DEFAULT_JWKS_MAX_AGE;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new ServiceJwtError(
      'configuration_error',
      'maxAge must be a whole number of seconds >= 0',
    );
  }
  return maxAge;
}

/**
 * The response that publishes a signer's public keys (serve it at
 * `/.well-known/jwks.json`): status 200, `Content-Type: application/jwk-set+json` (RFC 7517
 * §8.5), `Cache-Control: public, max-age=300` by default, and the set as JSON. Only public
 * members ever appear (see `ServiceJwtSigner.jwks`). Read the set on every call: it changes
 * through rotations.
 *
 * @throws ServiceJwtError `configuration_error` for an invalid `maxAge`.
 * @example
 * ```ts
 * const { status, headers, body } = jwksResponse(signer);
 * ```
 */
export function jwksResponse(
  signer: { jwks(): { keys: readonly PublicJwk[] } },
  options: JwksResponseOptions = {},
): JwksHttpResponse {
  const maxAge = resolveJwksMaxAge(options);
  return {
    status: 200,
    headers: {
      'content-type': 'application/jwk-set+json',
      'cache-control': `public, max-age=${maxAge}`,
    },
    body: JSON.stringify(signer.jwks()),
  };
}
