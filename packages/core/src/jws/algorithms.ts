import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Algorithm } from '../verify/options.js';

/** Every algorithm service-jwt verifies, in a stable order. */
export const ALL_ALGORITHMS: readonly Algorithm[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'HS256',
  'HS384',
  'HS512',
]);

export const RSA_ALGORITHMS: readonly Algorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];
export const HMAC_ALGORITHMS: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];

/** JWK `crv` → the one ECDSA algorithm of that curve (RFC 7518 §3.4). */
export const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, Algorithm>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** OpenSSL curve names as `KeyObject.asymmetricKeyDetails.namedCurve` reports them. */
export const JWK_CURVE_BY_NODE_CURVE: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && (ALL_ALGORITHMS as readonly string[]).includes(value);
}

export function isHmac(alg: string): boolean {
  return alg === 'HS256' || alg === 'HS384' || alg === 'HS512';
}

export function isEdDsa(alg: string): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

/** `true` when a token header `alg` may be verified with a key bound to `bound`. */
export function algorithmMatches(bound: Algorithm, headerAlg: string): boolean {
  return bound === headerAlg || (isEdDsa(bound) && isEdDsa(headerAlg));
}

/** `EdDSA` and `Ed25519` name the same JWS algorithm for Ed25519 keys (RFC 8037, RFC 9864). */
export function isAllowed(alg: Algorithm, allowed: readonly Algorithm[]): boolean {
  if (allowed.includes(alg)) return true;
  return isEdDsa(alg) && (allowed.includes('EdDSA') || allowed.includes('Ed25519'));
}

export function configError(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message, { cause });
}
