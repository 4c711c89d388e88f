import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { type Algorithm, isAlgorithm, isHmac } from '../jws/algorithms.js';
import type { JsonWebKeyInput } from '../keys/key-input.js';
import { checkSecretLength, chooseAlgorithm } from './key-algorithms.js';
import { readKeyBytes, readKeyString } from './key-text.js';

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

/** A private key bound to one algorithm and one `kid`, ready to sign. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly algorithm: Algorithm;
  readonly kid: string;
  /** `undefined` for HS* keys: a secret is never published. */
  readonly publicJwk: PublicJwk | undefined;
}

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

/** Key material once any text form (PEM, JWK JSON) has been recognised. */
type KeyMaterial = KeyObject | JsonWebKeyInput | string | Uint8Array;

/** Turns a key given as text or bytes into the form it holds (a JWK, PEM); a set is refused. */
function recognise(input: PrivateKeyInput, option: string): KeyMaterial {
  const text =
    typeof input === 'string'
      ? readKeyString(input, option)
      : input instanceof Uint8Array
        ? readKeyBytes(input, option)
        : undefined;
  if (text === undefined) return input;
  if (text.kind === 'set') {
    fail(`${option} is a JWK set; give the set as the signer's keys, or one JWK here`);
  }
  return text.kind === 'jwk' ? text.jwk : text.pem;
}

function toKeyObject(input: KeyMaterial, algorithm: unknown, option: string): KeyObject {
  if (input instanceof KeyObject) return input;
  try {
    if (input instanceof Uint8Array) return createSecretKey(input);
    if (typeof input === 'string') {
      if (input.includes('-----BEGIN')) return createPrivateKey(input);
      if (typeof algorithm === 'string' && isHmac(algorithm)) {
        return createSecretKey(Buffer.from(input, 'utf8'));
      }
      return fail(
        `${option} is a string that is neither a PEM private key nor JWK JSON (the raw text of a secret needs algorithm HS256/384/512; a JWK's "k" is base64url, pass the JWK itself)`,
      );
    }
    if (typeof input === 'object' && input !== null && typeof input.kty === 'string') {
      if (input.kty === 'oct') {
        if (typeof input.k !== 'string') fail(`${option} is an oct JWK without "k"`);
        // RFC 7518 §6.4.1: "k" is the base64url encoding of the secret's bytes.
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

function isSignerKey(input: PrivateKeyInput | SignerKey): input is SignerKey {
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
 * Reads one private key (a `KeyObject`, a JWK, PEM or JWK JSON text, secret bytes) and binds
 * it to exactly one algorithm and one `kid`.
 *
 * The algorithm: `SignerKey.algorithm`, then a JWK's `alg`, then `defaultAlgorithm` (the
 * signer's `algorithm` option), then the key type's default (RSA → RS256, P-256 → ES256, P-384
 * → ES384, P-521 → ES512, Ed25519 → EdDSA, secret → HS256). Explicit choices that the key
 * cannot sign with or that disagree with each other are refused (see {@link chooseAlgorithm}).
 *
 * @param option the option name quoted in error messages (`keys[0]`).
 * @throws ServiceJwtError `configuration_error`: unreadable or public key, a JWK set, RSA
 * under 2048 bits, a secret under 32 bytes (or under its hash size), an algorithm that does
 * not fit the key type or disagrees with the JWK's `alg`.
 */
export function importSigningKey(
  input: PrivateKeyInput | SignerKey,
  defaultAlgorithm?: Algorithm,
  option = 'key',
): SigningKey {
  const entry: SignerKey = isSignerKey(input) ? input : { key: input };
  const material = recognise(entry.key, option);
  const jwk =
    typeof material === 'object' &&
    !(material instanceof KeyObject) &&
    !(material instanceof Uint8Array)
      ? material
      : undefined;
  if (jwk?.use !== undefined && jwk.use !== 'sig')
    fail(`${option} is a JWK for use "${String(jwk.use)}", not "sig"`);
  if (jwk?.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('sign'))) {
    fail(`${option} is a JWK whose key_ops do not include "sign"`);
  }
  const ownOption = `${option}.algorithm`;
  if (entry.algorithm !== undefined && !isSigningAlgorithm(entry.algorithm)) {
    fail(`${ownOption} "${String(entry.algorithm)}" is not a supported signing algorithm`);
  }
  // A string is a secret's raw text only when an HS algorithm was asked for explicitly.
  const key = toKeyObject(material, entry.algorithm ?? jwk?.alg ?? defaultAlgorithm, option);
  if (key.type === 'public') fail(`${option} must be a private key, not a public key`);
  const algorithm = chooseAlgorithm(key, option, {
    own: { value: entry.algorithm, option: ownOption },
    jwkAlg: jwk?.alg,
    signerAlgorithm: defaultAlgorithm,
  });
  checkSecretLength(key, algorithm, option);
  if (entry.kid !== undefined && (typeof entry.kid !== 'string' || entry.kid === '')) {
    fail(`${option}.kid must be a non-empty string`);
  }
  const kid =
    entry.kid ??
    (typeof jwk?.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined) ??
    computeJwkThumbprint(key.export({ format: 'jwk' }) as JsonWebKeyInput);
  return { key, algorithm, kid, publicJwk: toPublicJwk(key, algorithm, kid) };
}
