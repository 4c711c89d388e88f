import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { KeyLookup, VerificationKey } from '../keys/key-resolver.js';
import {
  ALGORITHMS,
  ALL_ALGORITHMS,
  type Algorithm,
  algorithmMatches,
  lookupTable,
} from './algorithms.js';
import { checkProtectedHeader, parseCompact } from './token-syntax.js';

// Signature checks straight on node:crypto with the KeyObject the key source bound at load
// time: jose's generic path costs several times the primitive itself (see bench/).

// `input` is the signing input: from a token, the string `header.payload` as received (ASCII,
// since it passed the canonical base64url check), which HMAC reads natively without a Buffer
// per token; the asymmetric checks need bytes.
type Check = (key: KeyObject, input: string | Buffer, signature: Buffer) => boolean;

function bytes(input: string | Buffer): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
}

/**
 * Whether an RSA signature has exactly the modulus's length in bytes, as RFC 8017 (§8.1.2 and
 * §8.2.2, step 1) requires before any arithmetic. OpenSSL's PSS verification (Node 20) also
 * accepts a signature whose leading zero byte was dropped (the same integer; about one
 * signature in 256 begins with zero), a second spelling of a valid token or message
 * signature. Its PKCS#1 v1.5 path refuses that already; the check runs for both, so neither
 * rests on OpenSSL's choice.
 */
export function hasRsaModulusLength(key: KeyObject, signature: Uint8Array): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && signature.byteLength === (bits + 7) >> 3;
}

function rsa(hash: string): Check {
  return (key, input, signature) =>
    key.type === 'public' &&
    hasRsaModulusLength(key, signature) &&
    verify(hash, bytes(input), key, signature);
}

function pss(hash: string): Check {
  return (key, input, signature) =>
    key.type === 'public' &&
    hasRsaModulusLength(key, signature) &&
    verify(
      hash,
      bytes(input),
      {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      signature,
    );
}

// RFC 7518 §3.4: R and S as fixed-width big-endian integers; any other length (DER, trimmed,
// padded) is not a JWS signature.
function ecdsa(hash: string, size: number): Check {
  return (key, input, signature) =>
    signature.length === size &&
    key.type === 'public' &&
    verify(hash, bytes(input), { key, dsaEncoding: 'ieee-p1363' }, signature);
}

const eddsa: Check = (key, input, signature) =>
  key.type === 'public' && verify(null, bytes(input), key, signature);

function hmac(hash: string, size: number): Check {
  return (key, input, signature) => {
    if (key.type !== 'secret' || signature.length !== size) return false;
    const mac = createHmac(hash, key);
    if (typeof input === 'string') mac.update(input, 'latin1');
    else mac.update(input);
    return timingSafeEqual(mac.digest(), signature);
  };
}

function checkFor(alg: Algorithm): Check {
  const spec = ALGORITHMS[alg];
  switch (spec.family) {
    case 'RSA':
      return rsa(spec.hash);
    case 'RSA-PSS':
      return pss(spec.hash);
    case 'EC':
      return ecdsa(spec.hash, spec.size);
    case 'OKP':
      return eddsa;
    case 'HMAC':
      return hmac(spec.hash, spec.size);
  }
}

// No prototype: a name such as `constructor` finds no check (and so no signature passes).
const CHECKS: Readonly<Record<string, Check>> = lookupTable(
  ALL_ALGORITHMS.map((alg) => [alg, checkFor(alg)] as const),
);

/**
 * Verifies `signature` over the signing input `input` (bytes, or the `header.payload` string
 * of a token that passed {@link parseCompact}, hence ASCII) with `key` under `algorithm`. Returns `false` for
 * any signature the primitive refuses or cannot parse (wrong length, r = s = 0, wrong key
 * type).
 */
export function verifySignature(
  algorithm: Algorithm,
  key: KeyObject,
  input: string | Buffer,
  signature: Buffer,
): boolean {
  const check = CHECKS[algorithm];
  if (check === undefined) return false;
  try {
    return check(key, input, signature);
  } catch {
    // OpenSSL throws on some malformed signatures instead of answering false; the input is
    // the caller's, so it is an invalid signature, not a fault of ours.
    return false;
  }
}

/**
 * Verifies a compact JWS (any payload, not only JWT claims) against a key source: strict
 * syntax, protected-header rules, key lookup by `alg`/`kid`, `alg` equal to the key's bound
 * algorithm, then the signature over the signing input as received. Returns the payload
 * bytes. Internal: the verifier's Wycheproof tests run JWS vectors through it.
 *
 * @throws ServiceJwtError `token_malformed`, `algorithm_not_allowed`, `key_not_found`,
 *   `signature_invalid`
 */
export function verifyCompactJws(
  token: string,
  keys: { resolve(lookup: KeyLookup): VerificationKey | Promise<VerificationKey> },
): Buffer {
  const parsed = parseCompact(token);
  const alg = checkProtectedHeader(parsed.header);
  const key = keys.resolve({ alg, kid: parsed.header.kid as string | undefined });
  if (key instanceof Promise)
    throw new TypeError('verifyCompactJws needs a synchronous key source');
  if (!algorithmMatches(key.algorithm, alg)) {
    throw new ServiceJwtError('algorithm_not_allowed', 'token algorithm does not match the key');
  }
  if (
    !verifySignature(
      key.algorithm,
      key.key,
      token.slice(0, parsed.signingInputLength),
      parsed.signature,
    )
  ) {
    throw new ServiceJwtError('signature_invalid', 'token signature is invalid');
  }
  return parsed.payload;
}
