import {
  createPublicKey,
  generateKeyPair as generateNodeKeyPair,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Algorithm } from '../jws/algorithms.js';
import type { JsonWebKeyInput } from '../keys/key-input.js';
import { importSigningKey, type PublicJwk, type SigningKey } from './signing-keys.js';

/** Asymmetric algorithms {@link generateKeyPair} can create keys for. */
export type KeyPairAlgorithm = Exclude<Algorithm, 'HS256' | 'HS384' | 'HS512'>;

/** A generated key pair bound to its algorithm, with its RFC 7638 `kid`. */
export interface GeneratedKeyPair {
  readonly algorithm: KeyPairAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

const generate = promisify(generateNodeKeyPair);

function generateFor(algorithm: KeyPairAlgorithm, modulusLength: number) {
  switch (algorithm) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return generate('rsa', { modulusLength });
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generate('ec', { namedCurve: 'P-384' });
    case 'ES512':
      return generate('ec', { namedCurve: 'P-521' });
    case 'EdDSA':
    case 'Ed25519':
      return generate('ed25519');
    default:
      throw new ServiceJwtError(
        'configuration_error',
        `algorithm must be an asymmetric signing algorithm (RS*, PS*, ES*, EdDSA), got "${String(algorithm)}"`,
      );
  }
}

/**
 * Generates a key pair for `algorithm` (node:crypto, off the event loop).
 *
 * @param options.modulusLength RSA only; at least 2048. @default 2048
 * @param options.kid @default the RFC 7638 thumbprint of the public key
 * @throws ServiceJwtError `configuration_error` for an HS* or unknown algorithm.
 * @example
 * ```ts
 * const { privateKey, publicJwk } = await generateKeyPair('EdDSA');
 * const signer = createSigner({ issuer: 'https://m1.internal/', keys: privateKey });
 * ```
 */
export async function generateKeyPair(
  algorithm: KeyPairAlgorithm,
  options: { readonly modulusLength?: number; readonly kid?: string } = {},
): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await generateFor(algorithm, options.modulusLength ?? 2048);
  const loaded = importSigningKey(
    { key: privateKey, algorithm, kid: options.kid },
    undefined,
    'key',
  );
  return {
    algorithm,
    kid: loaded.kid,
    privateKey,
    publicKey,
    publicJwk: loaded.publicJwk as PublicJwk,
  };
}

/** A random 32-byte (or longer) secret for HS256/384/512. */
export function generateSecret(bytes = 32): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < 32) {
    throw new ServiceJwtError('configuration_error', 'bytes must be an integer of at least 32');
  }
  return new Uint8Array(randomBytes(bytes));
}

/**
 * Reads a private key (KeyObject, private JWK, PEM, or secret with an HS algorithm) and binds
 * it to one algorithm and `kid`, exactly as `createSigner` does.
 *
 * @throws ServiceJwtError `configuration_error` (see {@link importSigningKey}).
 */
export function importPrivateKey(
  input: Parameters<typeof importSigningKey>[0],
  options: { readonly algorithm?: Algorithm } = {},
): SigningKey {
  return importSigningKey(input, options.algorithm, 'key');
}

/**
 * The private JWK of a key, with `kid`, `alg` and `use: "sig"`. It contains private members:
 * store it like a password; publish {@link exportPublicJwk} instead.
 */
export function exportPrivateJwk(
  input: Parameters<typeof importSigningKey>[0],
  options: { readonly algorithm?: Algorithm } = {},
): JsonWebKeyInput {
  const loaded = importSigningKey(input, options.algorithm, 'key');
  const jwk = loaded.key.export({ format: 'jwk' });
  return { ...jwk, kty: String(jwk.kty), kid: loaded.kid, alg: loaded.algorithm, use: 'sig' };
}

/**
 * The public JWK of a private key, public members only (see {@link PublicJwk}).
 *
 * @throws ServiceJwtError `configuration_error` for secrets, which have no public form.
 */
export function exportPublicJwk(
  input: Parameters<typeof importSigningKey>[0],
  options: { readonly algorithm?: Algorithm } = {},
): PublicJwk {
  const loaded = importSigningKey(input, options.algorithm, 'key');
  if (loaded.publicJwk === undefined) {
    throw new ServiceJwtError('configuration_error', 'a secret key has no public JWK');
  }
  return loaded.publicJwk;
}

/** PEM encodings: the private key as PKCS#8 and the public key as SPKI. */
export function exportPem(privateKey: KeyObject): { privateKey: string; publicKey: string } {
  if (privateKey.type !== 'private') {
    throw new ServiceJwtError('configuration_error', 'privateKey must be a private KeyObject');
  }
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(),
  };
}
