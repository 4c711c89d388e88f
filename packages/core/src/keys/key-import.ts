import { createPublicKey, type KeyObject } from 'node:crypto';
import { types } from 'node:util';
import { configurationError } from '../errors/refusals.js';
import type { Algorithm } from '../jws/algorithms.js';
import {
  EC_ALGORITHM_BY_CURVE,
  isAllowed,
  JWK_CURVE_BY_NODE_CURVE,
  RSA_ALGORITHMS,
} from '../jws/algorithms.js';
import type { KeyInput } from './key-input.js';
import type { KeyImportContext, VerificationKey } from './key-resolver.js';
import { checkRsaPublicKey } from './rsa-checks.js';
import { importSecret } from './secret-key.js';

// A verifier never needs these: a private key in a verifier's configuration or in a published
// key set means the signing key has leaked, so it is refused rather than silently trimmed.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

type Family = 'RSA' | 'EC' | 'OKP';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// `publicKey` holds one key. A set handed to it would otherwise fail as "not a JWK" or, worse,
// be read as its first key; the fix is a different option, so the message names it.
function refuseKeySet(value: unknown, path: string): void {
  const isSet =
    Array.isArray(value) || (isRecord(value) && value.kty === undefined && 'keys' in value);
  if (isSet) {
    const where = path.endsWith('.publicKey') ? path.slice(0, -'.publicKey'.length) : undefined;
    throw configurationError(
      where === undefined
        ? `${path} is a JWK set; this option takes one key`
        : `${path} is a JWK set; pass a set as ${where}.keys (publicKey takes one key)`,
    );
  }
}

function bindAlgorithm(
  family: Family,
  curve: string | undefined,
  declared: unknown,
  ctx: KeyImportContext,
): Algorithm {
  const path = ctx.optionPath;
  const allowed = ctx.algorithms;
  const candidates: readonly Algorithm[] =
    family === 'RSA'
      ? RSA_ALGORITHMS
      : family === 'OKP'
        ? ['EdDSA', 'Ed25519']
        : [EC_ALGORITHM_BY_CURVE[curve ?? ''] as Algorithm];
  if (declared !== undefined) {
    if (typeof declared !== 'string' || !(candidates as readonly string[]).includes(declared)) {
      throw configurationError(
        `${path}.alg does not match the key type (${curve === undefined ? family : `${family} ${curve}`})`,
      );
    }
    const alg = declared as Algorithm;
    if (!isAllowed(alg, allowed)) {
      throw configurationError(`${path}.alg ${alg} is not among the issuer's allowed algorithms`);
    }
    return alg;
  }
  if (family === 'OKP') {
    if (allowed.includes('EdDSA')) return 'EdDSA';
    if (allowed.includes('Ed25519')) return 'Ed25519';
  } else if (family === 'EC') {
    const alg = candidates[0] as Algorithm;
    if (allowed.includes(alg)) return alg;
  } else {
    const usable = RSA_ALGORITHMS.filter((alg) => allowed.includes(alg));
    if (usable.length === 1) return usable[0] as Algorithm;
    if (allowed.includes('RS256')) return 'RS256';
    throw configurationError(
      `${path}: an RSA key without "alg" needs exactly one RSA algorithm (or RS256) among the allowed algorithms; set the JWK "alg"`,
    );
  }
  throw configurationError(`${path}: no allowed algorithm fits this ${family} key`);
}

/**
 * Binds an imported public `KeyObject` to one algorithm after checking its type and strength.
 * Throws `configuration_error` naming `ctx.optionPath`.
 */
export function bindPublicKey(
  key: KeyObject,
  ctx: KeyImportContext,
  declaredAlg?: unknown,
  kid?: string,
): VerificationKey {
  const path = ctx.optionPath;
  if (key.type !== 'public') {
    throw configurationError(
      `${path}: a ${key.type} key was given; configure the issuer's public key only`,
    );
  }
  let family: Family;
  let curve: string | undefined;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      checkRsaPublicKey(key, path);
      family = 'RSA';
      break;
    case 'ec':
      curve = JWK_CURVE_BY_NODE_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (curve === undefined)
        throw configurationError(`${path}: EC keys must use P-256, P-384 or P-521`);
      family = 'EC';
      break;
    case 'ed25519':
      family = 'OKP';
      curve = 'Ed25519';
      break;
    default:
      throw configurationError(
        `${path}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'} (RSA, EC P-256/384/521 or Ed25519)`,
      );
  }
  const algorithm = bindAlgorithm(family, curve, declaredAlg, ctx);
  return Object.freeze({ key, algorithm, kid });
}

function publicMaterial(jwk: Record<string, unknown>, path: string): Record<string, unknown> {
  const need = (member: string): string => {
    const value = jwk[member];
    if (typeof value !== 'string' || value === '') {
      throw configurationError(`${path}.${member} must be a non-empty base64url string`);
    }
    return value;
  };
  switch (jwk.kty) {
    case 'RSA':
      return { kty: 'RSA', n: need('n'), e: need('e') };
    case 'EC': {
      if (typeof jwk.crv !== 'string' || EC_ALGORITHM_BY_CURVE[jwk.crv] === undefined) {
        throw configurationError(`${path}.crv must be P-256, P-384 or P-521`);
      }
      return { kty: 'EC', crv: jwk.crv, x: need('x'), y: need('y') };
    }
    case 'OKP':
      if (jwk.crv !== 'Ed25519') throw configurationError(`${path}.crv must be Ed25519`);
      return { kty: 'OKP', crv: 'Ed25519', x: need('x') };
    default:
      throw configurationError(`${path}.kty must be RSA, EC or OKP`);
  }
}

/**
 * Imports one JWK (RFC 7517) as a verification key: `use` must be `sig` when present,
 * `key_ops` must include `verify` when present, `alg` must fit the key and be allowed, private
 * members are refused. Throws `configuration_error` naming `ctx.optionPath`.
 */
export function importJwk(jwk: unknown, ctx: KeyImportContext): VerificationKey {
  const path = ctx.optionPath;
  if (!isRecord(jwk)) throw configurationError(`${path} must be a JWK object`);
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw configurationError(`${path}.use must be "sig"`);
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify')) {
      throw configurationError(`${path}.key_ops must include "verify"`);
    }
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === '')) {
    throw configurationError(`${path}.kid must be a non-empty string`);
  }
  const kid = jwk.kid as string | undefined;
  if (jwk.kty === 'oct') {
    if (ctx.allowSymmetric !== true) {
      throw configurationError(
        `${path}: a shared secret (kty "oct") goes in the issuer's "keys" (a set of oct keys) or "secret"`,
      );
    }
    // RFC 7518 §6.4.1: `k` is base64url without padding. Anything else is refused rather than
    // decoded leniently into other bytes than the signer holds.
    if (typeof jwk.k !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jwk.k)) {
      throw configurationError(`${path}.k must be base64url without padding`);
    }
    return importSecret(Buffer.from(jwk.k, 'base64url'), ctx, { kid, declaredAlg: jwk.alg });
  }
  for (const member of PRIVATE_MEMBERS) {
    if (jwk[member] !== undefined) {
      throw configurationError(`${path} holds private key members; configure the public key only`);
    }
  }
  const material = publicMaterial(jwk, path);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: material as never, format: 'jwk' });
  } catch (err) {
    throw configurationError(`${path} is not a valid ${String(jwk.kty)} public key`, err);
  }
  return bindPublicKey(key, ctx, jwk.alg, kid);
}

function importEncoded(input: string | Uint8Array, ctx: KeyImportContext): VerificationKey {
  const path = ctx.optionPath;
  const bytes = typeof input === 'string' ? undefined : Buffer.from(input);
  const text =
    typeof input === 'string'
      ? input
      : bytes !== undefined && /^\s*[-{[]/.test(bytes.subarray(0, 32).toString('latin1'))
        ? bytes.toString('utf8')
        : undefined;
  if (text !== undefined && /^\s*[{[]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw configurationError(`${path} is neither PEM nor JWK JSON`, err);
    }
    refuseKeySet(parsed, path);
    return importJwk(parsed, ctx);
  }
  if (text?.includes('PRIVATE KEY')) {
    throw configurationError(`${path} is a private key; configure the issuer's public key only`);
  }
  let key: KeyObject;
  try {
    key =
      text !== undefined
        ? createPublicKey(text)
        : createPublicKey({ key: bytes as Buffer, format: 'der', type: 'spki' });
  } catch (err) {
    throw configurationError(
      `${path} is not a PEM public key, certificate, or DER SubjectPublicKeyInfo`,
      err,
    );
  }
  return bindPublicKey(key, ctx);
}

/**
 * Imports a configured public key: a JWK object, a PEM string (SPKI, PKCS#1 or certificate),
 * a JWK JSON string, DER SPKI bytes, or a public `KeyObject`. Throws `configuration_error`.
 */
export function importPublicKey(input: KeyInput, ctx: KeyImportContext): VerificationKey {
  if (types.isKeyObject(input)) return bindPublicKey(input as KeyObject, ctx);
  if (typeof input === 'string' || input instanceof Uint8Array) return importEncoded(input, ctx);
  refuseKeySet(input, ctx.optionPath);
  if (isRecord(input)) return importJwk(input, ctx);
  throw configurationError(`${ctx.optionPath} must be a JWK, a PEM string or a KeyObject`);
}
