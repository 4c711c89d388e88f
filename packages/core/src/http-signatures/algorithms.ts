import {
  constants,
  createHmac,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { algorithmNotAllowed, tokenMalformed } from '../errors/refusals.js';
import type { Algorithm } from '../jws/algorithms.js';
import { hasRsaModulusLength } from '../jws/signature.js';

// The HTTP Signature Algorithms registry (RFC 9421 §6.2) on node:crypto. An algorithm is
// always bound to a key before a message is looked at: the issuer's key brings its JWS
// algorithm, a `cnf.jwk` its key type and curve (or, for RSA, its `alg`). The `alg`
// parameter of a signature may only confirm that binding (RFC 9421 §3.2 step 6, §7.3.6).

/** The algorithms of RFC 9421 §3.3 that service-jwt signs and verifies. */
export const HTTP_SIGNATURE_ALGORITHMS = [
  'rsa-pss-sha512',
  'rsa-v1_5-sha256',
  'hmac-sha256',
  'ecdsa-p256-sha256',
  'ecdsa-p384-sha384',
  'ed25519',
] as const;

/** An HTTP message signature algorithm name (RFC 9421 §3.3). */
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

/** A key bound to the one algorithm it signs or verifies with. */
export interface BoundKey {
  readonly key: KeyObject;
  readonly algorithm: HttpSignatureAlgorithm;
}

const BY_JWS: Readonly<Partial<Record<Algorithm, HttpSignatureAlgorithm>>> = {
  PS512: 'rsa-pss-sha512',
  RS256: 'rsa-v1_5-sha256',
  HS256: 'hmac-sha256',
  ES256: 'ecdsa-p256-sha256',
  ES384: 'ecdsa-p384-sha384',
  EdDSA: 'ed25519',
  Ed25519: 'ed25519',
};

/** The RFC 9421 algorithm of a key bound to JWS `alg`, or `undefined` when there is none. */
export function algorithmOfJws(alg: Algorithm): HttpSignatureAlgorithm | undefined {
  return BY_JWS[alg];
}

export function isHttpSignatureAlgorithm(value: unknown): value is HttpSignatureAlgorithm {
  return (HTTP_SIGNATURE_ALGORITHMS as readonly unknown[]).includes(value);
}

const PSS = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  // RFC 9421 §3.3.1: a 64-byte salt, the length of the SHA-512 digest.
  saltLength: 64,
} as const;

// RFC 9421 §3.3.4/§3.3.5: r and s as fixed-width big-endian integers, concatenated.
const EC_SIZE: Readonly<Record<string, number>> = {
  'ecdsa-p256-sha256': 64,
  'ecdsa-p384-sha384': 96,
};

/** Verifies `signature` over `base`; `false` for anything the primitive refuses. */
export function verifyWith(bound: BoundKey, base: Buffer, signature: Uint8Array): boolean {
  const { key, algorithm } = bound;
  try {
    switch (algorithm) {
      case 'rsa-pss-sha512':
        // We sign with the RFC's 64-byte salt; we verify any salt length, read from the
        // signature: the http-message-signatures package signs with the longest salt, and
        // PSS's security does not rest on the verifier fixing it.
        return (
          hasRsaModulusLength(key, signature) &&
          verify(
            'sha512',
            base,
            { key, padding: PSS.padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
            signature,
          )
        );
      case 'rsa-v1_5-sha256':
        return hasRsaModulusLength(key, signature) && verify('sha256', base, key, signature);
      case 'hmac-sha256': {
        if (signature.byteLength !== 32) return false;
        return timingSafeEqual(createHmac('sha256', key).update(base).digest(), signature);
      }
      case 'ecdsa-p256-sha256':
      case 'ecdsa-p384-sha384':
        return (
          signature.byteLength === EC_SIZE[algorithm] &&
          verify(
            algorithm === 'ecdsa-p256-sha256' ? 'sha256' : 'sha384',
            base,
            { key, dsaEncoding: 'ieee-p1363' },
            signature,
          )
        );
      case 'ed25519':
        return verify(null, base, key, signature);
    }
  } catch {
    // OpenSSL throws on some malformed signatures: the signature is the caller's, so it is
    // invalid, not a fault of ours.
    return false;
  }
}

/** Signs `base` with a private (or, for HMAC, secret) key. */
export function signWith(bound: BoundKey, base: Buffer): Buffer {
  const { key, algorithm } = bound;
  switch (algorithm) {
    case 'rsa-pss-sha512':
      return sign('sha512', base, { key, ...PSS });
    case 'rsa-v1_5-sha256':
      return sign('sha256', base, key);
    case 'hmac-sha256':
      return createHmac('sha256', key).update(base).digest();
    case 'ecdsa-p256-sha256':
      return sign('sha256', base, { key, dsaEncoding: 'ieee-p1363' });
    case 'ecdsa-p384-sha384':
      return sign('sha384', base, { key, dsaEncoding: 'ieee-p1363' });
    case 'ed25519':
      return sign(null, base, key);
  }
}

/**
 * The algorithm a key signs with when nobody named one: Ed25519 → `ed25519`, P-256 and P-384
 * → their ECDSA, RSA-PSS keys → `rsa-pss-sha512`, a secret → `hmac-sha256`. A plain RSA key
 * is ambiguous (`rsa-pss-sha512` or `rsa-v1_5-sha256`): `undefined`.
 */
export function algorithmOfKey(key: KeyObject): HttpSignatureAlgorithm | undefined {
  if (key.type === 'secret') return 'hmac-sha256';
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'ed25519';
    case 'rsa-pss':
      return 'rsa-pss-sha512';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
      if (curve === 'secp384r1') return 'ecdsa-p384-sha384';
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `true` when `key` can carry `algorithm` (type, curve), whichever side it is. */
export function keyFits(key: KeyObject, algorithm: HttpSignatureAlgorithm): boolean {
  if (algorithm === 'hmac-sha256') return key.type === 'secret';
  if (key.type === 'secret') return false;
  if (algorithm === 'rsa-pss-sha512' || algorithm === 'rsa-v1_5-sha256') {
    const type = key.asymmetricKeyType;
    return (
      (type === 'rsa' || (type === 'rsa-pss' && algorithm === 'rsa-pss-sha512')) &&
      (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
    );
  }
  return algorithmOfKey(key) === algorithm;
}

// A confirmation key is a public key: any private or symmetric member makes it no key of ours.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const RSA_BY_ALG: Readonly<Record<string, HttpSignatureAlgorithm>> = {
  PS512: 'rsa-pss-sha512',
  RS256: 'rsa-v1_5-sha256',
};

/**
 * The proof-of-possession key a token confirms (`cnf.jwk`, RFC 7800 §3.2), bound to its
 * algorithm: OKP Ed25519 → `ed25519`; EC P-256/P-384 → ECDSA; RSA (at least 2048 bits) only
 * with `alg` `PS512` or `RS256`, since an RSA key alone does not say which padding it signs
 * with. A present `alg` must agree with the key.
 *
 * @throws ServiceJwtError `token_malformed` for anything else (the claim is the token's).
 */
export function confirmationKey(jwk: unknown): BoundKey {
  const bad = (why: string) => tokenMalformed(`token claim "cnf.jwk" ${why}`);
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw bad('is not a JWK');
  const members = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((name) => members[name] !== undefined)) {
    throw bad('holds private or symmetric key material');
  }
  const { kty, crv, alg } = members;
  let algorithm: HttpSignatureAlgorithm | undefined;
  if (kty === 'OKP' && crv === 'Ed25519') {
    if (alg === undefined || alg === 'EdDSA' || alg === 'Ed25519') algorithm = 'ed25519';
  } else if (kty === 'EC' && (crv === 'P-256' || crv === 'P-384')) {
    const expected = crv === 'P-256' ? 'ES256' : 'ES384';
    if (alg === undefined || alg === expected) {
      algorithm = crv === 'P-256' ? 'ecdsa-p256-sha256' : 'ecdsa-p384-sha384';
    }
  } else if (kty === 'RSA' && typeof alg === 'string') {
    algorithm = RSA_BY_ALG[alg];
  }
  if (algorithm === undefined) throw bad('is not a supported signing key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members as never, format: 'jwk' });
  } catch (err) {
    throw tokenMalformed('token claim "cnf.jwk" is not a valid public key', err);
  }
  if (!keyFits(key, algorithm)) throw bad('is not a supported signing key');
  return { key, algorithm };
}

/**
 * Checks a signature's `alg` parameter, if any, against the algorithm its key is bound to.
 *
 * @throws ServiceJwtError `algorithm_not_allowed` for an unknown name or another algorithm.
 */
export function confirmAlgorithm(named: unknown, bound: HttpSignatureAlgorithm): void {
  if (named === undefined) return;
  if (!isHttpSignatureAlgorithm(named)) {
    throw algorithmNotAllowed('HTTP signature algorithm is unknown');
  }
  if (named !== bound) {
    throw algorithmNotAllowed('HTTP signature algorithm does not match the key');
  }
}
