import {
  createHash,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

/** Algorithms a test issuer can sign with. */
export type TestAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA' | 'HS256';

/**
 * A public JSON Web Key as published in a key set: only public members, always with `kid`,
 * `alg` and `use: "sig"`. Assignable to jose's `JWK` and to core's `JsonWebKeyInput`.
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

/** A freshly generated throwaway key. */
export interface TestKey {
  readonly algorithm: TestAlgorithm;
  readonly kid: string;
  /** Private key, or the secret `KeyObject` for HS256. */
  readonly privateKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use: "sig"`; `undefined` for HS256. */
  readonly publicJwk: PublicJwk | undefined;
  /** The raw secret for HS256. */
  readonly secret: Uint8Array | undefined;
}

export const TEST_ALGORITHMS: readonly TestAlgorithm[] = [
  'RS256',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
  'HS256',
];

function generatePair(algorithm: Exclude<TestAlgorithm, 'HS256'>): KeyObject {
  switch (algorithm) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

/** Generates a throwaway key for `algorithm`; `kid` defaults to the RFC 7638 thumbprint. */
export async function generateTestKey(algorithm: TestAlgorithm, kid?: string): Promise<TestKey> {
  if (!TEST_ALGORITHMS.includes(algorithm)) {
    throw new TypeError(`algorithm must be one of ${TEST_ALGORITHMS.join(', ')}`);
  }
  if (algorithm === 'HS256') {
    const secret = new Uint8Array(randomBytes(32));
    const id = kid ?? createHash('sha256').update(secret).digest('base64url').slice(0, 16);
    return {
      algorithm,
      kid: id,
      privateKey: createSecretKey(secret),
      publicJwk: undefined,
      secret,
    };
  }
  const privateKey = generatePair(algorithm);
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...publicMembers
  } = privateKey.export({
    format: 'jwk',
  });
  const id =
    kid ??
    (await calculateJwkThumbprint(publicMembers as Parameters<typeof calculateJwkThumbprint>[0]));
  const publicJwk: PublicJwk = {
    ...(publicMembers as Omit<PublicJwk, 'kid' | 'alg' | 'use'>),
    kid: id,
    alg: algorithm,
    use: 'sig',
  };
  return { algorithm, kid: id, privateKey, publicJwk, secret: undefined };
}
