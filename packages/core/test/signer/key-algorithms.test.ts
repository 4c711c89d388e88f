import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import {
  type Algorithm,
  createSigner,
  createVerifier,
  exportPrivateJwk,
  type IssuerKeys,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { decodeProtectedHeader } from 'jose';

// Every key type × every algorithm: an explicit `algorithm` the key cannot sign with is
// refused at construction (naming `algorithm` and the key type); one it can sign with is the
// algorithm of every token, and the verifier accepts those tokens.

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const ALL: readonly Algorithm[] = [
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
];

interface KeyType {
  readonly name: string;
  /** How error messages name the type. */
  readonly label: RegExp;
  readonly key: KeyObject | Uint8Array;
  /** What the key can sign with, written out here rather than derived from the library. */
  readonly fits: readonly Algorithm[];
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;
const TYPES: readonly KeyType[] = [
  { name: 'RSA', label: /RSA, 2048 bits/, key: rsa, fits: ALL.slice(0, 6) },
  { name: 'EC P-256', label: /EC P-256/, key: ec('P-256'), fits: ['ES256'] },
  { name: 'EC P-384', label: /EC P-384/, key: ec('P-384'), fits: ['ES384'] },
  { name: 'EC P-521', label: /EC P-521/, key: ec('P-521'), fits: ['ES512'] },
  { name: 'Ed25519', label: /OKP Ed25519/, key: ed, fits: ['EdDSA', 'Ed25519'] },
  {
    name: 'oct',
    label: /oct, 64 bytes/,
    key: new Uint8Array(randomBytes(64)),
    fits: ['HS256', 'HS384', 'HS512'],
  },
];

function refusal(build: () => unknown): { code?: string; message: string } {
  try {
    build();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

function issuerKeys(signer: ServiceJwtSigner, key: KeyType, alg: Algorithm): IssuerKeys {
  return key.name === 'oct'
    ? { secret: key.key as Uint8Array, algorithms: [alg] }
    : { keys: signer.jwks() };
}

const PAIRS = TYPES.flatMap((type) => ALL.map((alg) => [type.name, alg, type] as const));

describe('createSigner: the algorithm option against every key type', () => {
  it.each(PAIRS)('%s key, algorithm %s', async (_name, alg, type) => {
    if (!type.fits.includes(alg)) {
      const err = refusal(() => createSigner({ issuer: ISS, keys: type.key, algorithm: alg }));
      expect(err.code).toBe('configuration_error');
      expect(err.message).toMatch(new RegExp(`^algorithm ${alg}\\b`));
      expect(err.message).toMatch(type.label);
      return;
    }
    const signer = createSigner({ issuer: ISS, keys: type.key, algorithm: alg });
    expect(signer.algorithm).toBe(alg);
    const token = await signer.sign({}, { audience: AUD });
    expect(decodeProtectedHeader(token).alg).toBe(alg);
    const verifier = createVerifier({
      issuers: { [ISS]: issuerKeys(signer, type, alg) },
      audience: AUD,
    });
    await expect(verifier.verifyToken(token)).resolves.toMatchObject({ issuer: ISS });
    await verifier.close();
  });

  it('refuses the issue 17 case: an EdDSA JWK with algorithm ES256', () => {
    const jwk = exportPrivateJwk(ed);
    const err = refusal(() => createSigner({ issuer: ISS, keys: jwk, algorithm: 'ES256' }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(/^algorithm ES256\b/);
    expect(err.message).toMatch(/OKP Ed25519/);
  });

  // A JWK carries its own alg: a signer-wide algorithm that differs is a contradiction even
  // when the key type could sign with it (RS256 JWK, algorithm PS256).
  it.each(
    TYPES.filter((type) => type.name !== 'oct').flatMap((type) =>
      type.fits.map((alg) => [type.name, alg, type] as const),
    ),
  )('%s JWK with alg %s against every other algorithm', (_name, jwkAlg, type) => {
    const jwk = exportPrivateJwk({ key: type.key as KeyObject, algorithm: jwkAlg });
    expect(createSigner({ issuer: ISS, keys: jwk, algorithm: jwkAlg }).algorithm).toBe(jwkAlg);
    for (const alg of ALL.filter((a) => a !== jwkAlg)) {
      const err = refusal(() => createSigner({ issuer: ISS, keys: jwk, algorithm: alg }));
      expect(err.code).toBe('configuration_error');
      expect(err.message).toMatch(new RegExp(`^algorithm ${alg}\\b`));
      expect(err.message).toMatch(type.label);
    }
  });

  it("lets a key's own { key, algorithm } override the signer's default, never its JWK alg", async () => {
    const signer = createSigner({
      issuer: ISS,
      algorithm: 'PS256',
      keys: [{ key: ed, algorithm: 'EdDSA' }, rsa],
    });
    expect(signer.algorithm).toBe('EdDSA');
    expect(signer.jwks().keys.map((k) => k.alg)).toEqual(['EdDSA', 'PS256']);
    const err = refusal(() =>
      createSigner({ issuer: ISS, keys: [{ key: exportPrivateJwk(ed), algorithm: 'Ed25519' }] }),
    );
    expect(err).toMatchObject({ code: 'configuration_error' });
    expect(err.message).toMatch(/^keys\[0\]\.algorithm Ed25519\b/);
  });

  it('refuses a next key that does not fit the algorithm option', () => {
    const signer = createSigner({ issuer: ISS, keys: ec('P-256'), algorithm: 'ES256' });
    const err = refusal(() => signer.rotate(ed));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(/^algorithm ES256 does not fit nextKey\b/);
    expect(signer.rotate({ key: ed, algorithm: 'EdDSA' }).kid).toEqual(expect.any(String));
  });

  it('refuses RSA-PSS-restricted keys with the fix, whatever the algorithm', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    for (const algorithm of [undefined, 'PS256'] as const) {
      const err = refusal(() => createSigner({ issuer: ISS, keys: pss, algorithm }));
      expect(err.code).toBe('configuration_error');
      expect(err.message).toMatch(/^keys is an RSA-PSS-restricted key.*plain RSA key/);
    }
  });

  it.each([
    ['HS256', 31],
    ['HS384', 47],
    ['HS512', 63],
  ] as const)('refuses an %s secret of %i bytes (the verifier would)', (algorithm, size) => {
    const err = refusal(() =>
      createSigner({ issuer: ISS, keys: new Uint8Array(size).fill(1), algorithm }),
    );
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(/^keys is a secret of/);
    expect(
      createSigner({ issuer: ISS, keys: new Uint8Array(size + 1).fill(1), algorithm }).algorithm,
    ).toBe(algorithm);
  });
});
