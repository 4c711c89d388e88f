import { challengeHeaders, type ServiceJwtError } from '../errors/service-jwt-error.js';

/**
 * Makes `err.headers` carry the configured realm, for an adapter that hands the error to the
 * host's own error handling (`onError: 'throw'`): `headers` is a getter built with the default
 * realm, so with a configured one it is shadowed on this instance by
 * `challengeHeaders(err, { realm })` (RFC 6750 §3). With `realm` `undefined` the error is left
 * as it is.
 *
 * @returns `err` itself.
 * @example
 * ```ts
 * if (onError === 'throw') throw withRealmHeaders(err, realm);
 * ```
 */
export function withRealmHeaders(err: ServiceJwtError, realm: string | undefined): ServiceJwtError {
  if (realm !== undefined) {
    Object.defineProperty(err, 'headers', {
      value: challengeHeaders(err, { realm }),
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  return err;
}
