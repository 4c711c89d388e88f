import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { type FetchJsonOptions, fetchJson } from './fetch-key-set.js';

/**
 * The OpenID Provider configuration URL of an issuer (OIDC Discovery 1.0 §4: a terminating
 * `/` of the issuer is removed before `/.well-known/openid-configuration` is appended).
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches the issuer's discovery document and returns its `jwks_uri`. The document's `issuer`
 * must equal the configured issuer exactly (OIDC Discovery §4.3) and `jwks_uri` must obey the
 * same scheme rule as the document. Rejects with `keys_unavailable`.
 */
export async function discoverJwksUri(issuer: string, options: FetchJsonOptions): Promise<string> {
  const document = await fetchJson(discoveryUrl(issuer), options);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ServiceJwtError('keys_unavailable', 'the discovery document is not a JSON object');
  }
  const { issuer: advertised, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (advertised !== issuer) {
    throw new ServiceJwtError(
      'keys_unavailable',
      'the discovery document names another issuer than the configured one',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(String(jwksUri));
  } catch (err) {
    throw new ServiceJwtError('keys_unavailable', 'the discovery document has no valid jwks_uri', {
      cause: err,
    });
  }
  if (
    typeof jwksUri !== 'string' ||
    !(
      parsed.protocol === 'https:' ||
      (parsed.protocol === 'http:' && options.allowInsecureHttp === true)
    )
  ) {
    throw new ServiceJwtError('keys_unavailable', 'the discovered jwks_uri is not an https: URL');
  }
  return jwksUri;
}

/**
 * A key-set loader that discovers `jwks_uri` once and fetches it; after a failed fetch the
 * next attempt discovers again, in case the provider moved its key set.
 */
export function createDiscoveryLoader(
  issuer: string,
  options: FetchJsonOptions,
): (signal: AbortSignal) => Promise<unknown> {
  let jwksUri: string | undefined;
  return async (signal) => {
    jwksUri ??= await discoverJwksUri(issuer, { ...options, signal });
    try {
      return await fetchJson(jwksUri, { ...options, signal });
    } catch (err) {
      jwksUri = undefined;
      throw err;
    }
  };
}
