import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import {
  type Algorithm,
  EC_ALGORITHM_BY_CURVE,
  HMAC_ALGORITHMS,
  isAlgorithm,
  JWK_CURVE_BY_NODE_CURVE,
  RSA_ALGORITHMS,
} from '../jws/algorithms.js';
import type { JsonWebKeyInput } from '../keys/key-input.js';

/**
 * A public JSON Web Key as a signer publishes it: the public members of its key type only,
 * plus `kid`, `alg` and `use: "sig"`. Private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`)
 * can never appear: the object is built from an allow-list, not by deleting members.
 */
export type PublicJwk = {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
};

/**
 * Private key material a signer accepts: a private `KeyObject`, a private JWK, a PEM string
 * (PKCS#8, PKCS#1 or SEC1), or for HS* a secret (`Uint8Array`, a string with an explicit
 * HS algorithm, a secret `KeyObject` or an `oct` JWK).
 */
export type PrivateKeyInput = KeyObject | JsonWebKeyInput | string | Uint8Array;

/** A private key with its own `kid` and/or algorithm. */
export interface SignerKey {
  readonly key: PrivateKeyInput;
  /** @default the `kid` of a JWK input, else the RFC 7638 thumbprint */
  readonly kid?: string;
  /** @default the `alg` of a JWK input, else the signer's `algorithm`, else by key type */
  readonly algorithm?: Algorithm;
}

/** Anything accepted as one signer key. */
export type SignerKeyInput = PrivateKeyInput | SignerKey;

/** A private key bound to one algorithm and one `kid`, ready to sign. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly algorithm: Algorithm;
  readonly kid: string;
  /** `undefined` for HS* keys: a secret is never published. */
  readonly publicJwk: PublicJwk | undefined;
}

const HS_ALGORITHMS = HMAC_ALGORITHMS;
const CURVE_ALGORITHMS: Readonly<Record<string, Algorithm>> = Object.fromEntries(
  Object.entries(JWK_CURVE_BY_NODE_CURVE).map(([node, crv]) => [node, EC_ALGORITHM_BY_CURVE[crv]!]),
);
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

function fail(message: string, cause?: unknown): never {
  throw new ServiceJwtError('configuration_error', message, { cause });
}

/** `true` for the algorithms service-jwt can sign with. */
export const isSigningAlgorithm = isAlgorithm;

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url): the default `kid`.
 *
 * @throws ServiceJwtError `configuration_error` for an unsupported `kty` or missing member.
 */
export function computeJwkThumbprint(jwk: JsonWebKeyInput): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty];
  if (members === undefined) fail(`unsupported JWK kty "${String(jwk.kty)}"`);
  const required: Record<string, unknown> = {};
  for (const name of members) {
    if (typeof jwk[name] !== 'string') fail(`JWK member "${name}" is missing`);
    required[name] = jwk[name];
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

/** The algorithms a key can sign with, the first being the default. */
function algorithmsFor(key: KeyObject, option: string): readonly Algorithm[] {
  if (key.type === 'secret') return HS_ALGORITHMS;
  if (key.type !== 'private') fail(`${option} must be a private key, not a public key`);
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      if ((details.modulusLength ?? 0) < 2048) {
        fail(
          `${option} is an RSA key of ${details.modulusLength} bits; at least 2048 are required`,
        );
      }
      return key.asymmetricKeyType === 'rsa' ? RSA_ALGORITHMS : RSA_ALGORITHMS.slice(3);
    case 'ec': {
      const algorithm = CURVE_ALGORITHMS[details.namedCurve ?? ''];
      if (algorithm === undefined) fail(`${option} uses an unsupported curve`);
      return [algorithm];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return fail(`${option} has an unsupported key type "${key.asymmetricKeyType}"`);
  }
}

function toKeyObject(
  input: PrivateKeyInput,
  algorithm: Algorithm | undefined,
  option: string,
): KeyObject {
  if (input instanceof KeyObject) return input;
  try {
    if (input instanceof Uint8Array) return createSecretKey(input);
    if (typeof input === 'string') {
      if (input.includes('-----BEGIN')) return createPrivateKey(input);
      if (algorithm !== undefined && HS_ALGORITHMS.includes(algorithm)) {
        return createSecretKey(Buffer.from(input, 'utf8'));
      }
      return fail(
        `${option} is a string that is not a PEM private key (a secret needs algorithm HS256/384/512)`,
      );
    }
    if (typeof input === 'object' && input !== null && typeof input.kty === 'string') {
      if (input.kty === 'oct') {
        if (typeof input.k !== 'string') fail(`${option} is an oct JWK without "k"`);
        return createSecretKey(Buffer.from(input.k, 'base64url'));
      }
      if (typeof input.d !== 'string') fail(`${option} is a public JWK; a private key is required`);
      return createPrivateKey({ key: input as JsonWebKey, format: 'jwk' });
    }
  } catch (err) {
    if (err instanceof ServiceJwtError) throw err;
    fail(`${option} could not be read as a private key`, err);
  }
  return fail(`${option} must be a KeyObject, a private JWK, a PEM string or a secret`);
}

/**
 * Builds the published form of a key: an allow-list of public members per key type.
 * `undefined` for secrets.
 */
export function toPublicJwk(key: KeyObject, algorithm: string, kid: string): PublicJwk | undefined {
  if (key.type === 'secret') return undefined;
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  const out: PublicJwk = { kty: String(jwk.kty), kid, alg: algorithm, use: 'sig' };
  if (jwk.kty === 'RSA') {
    out.n = String(jwk.n);
    out.e = String(jwk.e);
  } else {
    out.crv = String(jwk.crv);
    out.x = String(jwk.x);
    if (jwk.kty === 'EC') out.y = String(jwk.y);
  }
  return out;
}

function isSignerKey(input: SignerKeyInput): input is SignerKey {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof KeyObject) &&
    !(input instanceof Uint8Array) &&
    'key' in input &&
    !('kty' in input)
  );
}

/**
 * Reads one private key and binds it to exactly one algorithm and one `kid`.
 *
 * Precedence for the algorithm: `SignerKey.algorithm`, then a JWK's `alg`, then
 * `defaultAlgorithm`, then the key type's default (RSA → RS256, RSA-PSS → PS256, P-256 →
 * ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA, secret → HS256).
 *
 * @param option the option name quoted in error messages (`keys[0]`).
 * @throws ServiceJwtError `configuration_error`: unreadable or public key, RSA under 2048
 * bits, secret under 32 bytes, algorithm that does not fit the key type.
 */
export function importSigningKey(
  input: SignerKeyInput,
  defaultAlgorithm?: Algorithm,
  option = 'key',
): SigningKey {
  const entry: SignerKey = isSignerKey(input) ? input : { key: input };
  const jwk =
    typeof entry.key === 'object' &&
    !(entry.key instanceof KeyObject) &&
    !(entry.key instanceof Uint8Array)
      ? entry.key
      : undefined;
  if (jwk?.use !== undefined && jwk.use !== 'sig')
    fail(`${option} is a JWK for use "${String(jwk.use)}", not "sig"`);
  if (jwk?.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('sign'))) {
    fail(`${option} is a JWK whose key_ops do not include "sign"`);
  }
  const jwkAlg = typeof jwk?.alg === 'string' ? jwk.alg : undefined;
  if (entry.algorithm !== undefined && !isSigningAlgorithm(entry.algorithm)) {
    fail(`${option}.algorithm "${String(entry.algorithm)}" is not a supported signing algorithm`);
  }
  const requested = entry.algorithm ?? (jwkAlg as Algorithm | undefined) ?? defaultAlgorithm;
  const key = toKeyObject(entry.key, requested, option);
  const allowed = algorithmsFor(key, option);
  const algorithm = requested ?? allowed[0];
  if (algorithm === undefined || !allowed.includes(algorithm)) {
    fail(`${option} cannot sign with algorithm ${String(algorithm)} (fits ${allowed.join(', ')})`);
  }
  if (key.type === 'secret' && (key.symmetricKeySize ?? 0) < 32) {
    fail(`${option} is a secret of ${key.symmetricKeySize} bytes; at least 32 are required`);
  }
  if (entry.kid !== undefined && (typeof entry.kid !== 'string' || entry.kid === '')) {
    fail(`${option}.kid must be a non-empty string`);
  }
  const kid =
    entry.kid ??
    (typeof jwk?.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined) ??
    computeJwkThumbprint(key.export({ format: 'jwk' }) as JsonWebKeyInput);
  return { key, algorithm, kid, publicJwk: toPublicJwk(key, algorithm, kid) };
}
