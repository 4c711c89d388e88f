import { createHash, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  exportPem,
  exportPrivateJwk,
  generateKeyPair,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const T0 = 1_700_000_000_000;
let ed: KeyObject;
let rsa: KeyObject;

beforeAll(async () => {
  ed = (await generateKeyPair('EdDSA')).privateKey;
  rsa = (await generateKeyPair('RS256')).privateKey;
});

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

const verifyWith = (signer: ServiceJwtSigner, token: string) =>
  jwtVerify(token, createLocalJWKSet(signer.jwks()), { issuer: ISS, audience: AUD });

describe('createSigner: construction', () => {
  it.each([
    ['an empty issuer', { issuer: '', keys: 'ed' }, /issuer/],
    ['an empty key list', { issuer: ISS, keys: [] }, /keys/],
    ['a string that is no PEM', { issuer: ISS, keys: 'not a pem' }, /keys/],
    ['lifetime 0', { issuer: ISS, keys: 'ed', lifetime: 0 }, /lifetime/],
    ['a fractional lifetime', { issuer: ISS, keys: 'ed', lifetime: 1.5 }, /lifetime/],
    ['an empty source', { issuer: ISS, keys: 'ed', source: '' }, /source/],
    [
      'an algorithm that does not fit the key',
      { issuer: ISS, keys: 'ed', algorithm: 'ES256' },
      /keys/,
    ],
    ['a public key', { issuer: ISS, keys: 'public' }, /keys.*public/],
    ['an unknown algorithm', { issuer: ISS, keys: 'ed', algorithm: 'none' }, /^algorithm/],
    ['RSA under 2048 bits', { issuer: ISS, keys: 'rsa1024' }, /keys.*2048/],
    ['a secret under 32 bytes', { issuer: ISS, keys: new Uint8Array(31) }, /keys.*32/],
    ['a duplicate kid', { issuer: ISS, keys: ['ed', 'ed'] }, /keys\[1\].*kid/],
  ])('refuses %s', (_label, raw, message) => {
    const keyOf = (k: unknown) =>
      k === 'ed'
        ? ed
        : k === 'public'
          ? generateKeyPairSync('ed25519').publicKey
          : k === 'rsa1024'
            ? generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
            : k;
    const keys = Array.isArray(raw.keys) ? raw.keys.map(keyOf) : keyOf(raw.keys);
    const options = { ...raw, keys } as Parameters<typeof createSigner>[0];
    let error: unknown;
    try {
      createSigner(options);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'configuration_error', status: 500 });
    expect((error as Error).message).toMatch(message);
  });

  it('accepts KeyObject, private JWK and PEM inputs and infers the algorithm', async () => {
    const p256 = (await generateKeyPair('ES256')).privateKey;
    const p384 = (await generateKeyPair('ES384')).privateKey;
    const cases: [unknown, string][] = [
      [ed, 'EdDSA'],
      [rsa, 'RS256'],
      [exportPrivateJwk(p256), 'ES256'],
      [exportPem(p384).privateKey, 'ES384'],
      [{ key: rsa, algorithm: 'PS256' }, 'PS256'],
      [createSecretKey(Buffer.alloc(32, 7)), 'HS256'],
    ];
    for (const [keys, alg] of cases) {
      const signer = createSigner({ issuer: ISS, keys: keys as KeyObject });
      const token = await signer.sign({}, { audience: AUD });
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: signer.kid, typ: 'JWT' });
    }
  });

  it('derives kid from the RFC 7638 thumbprint unless given', async () => {
    const { calculateJwkThumbprint } = await import('jose');
    const signer = createSigner({ issuer: ISS, keys: ed });
    expect(signer.kid).toBe(await calculateJwkThumbprint(signer.jwks().keys[0] as never));
    expect(createSigner({ issuer: ISS, keys: { key: ed, kid: 'k1' } }).kid).toBe('k1');
  });
});

describe('sign', () => {
  it('stamps iss, iat, exp, jti, source, aud and sub', async () => {
    const c = clock();
    const signer = createSigner({ issuer: ISS, keys: ed, now: c.now });
    const token = await signer.sign({ role: 'reader' }, { audience: AUD, subject: 'user-1' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      role: 'reader',
      aud: AUD,
      sub: 'user-1',
      iss: ISS,
      iat: T0 / 1000,
      exp: T0 / 1000 + 300,
      source: 'microservice',
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(decodeJwt(await signer.sign({}, { audience: AUD })).jti).not.toBe(claims.jti);
  });

  it('round-trips through createVerifier', async () => {
    const signer = createSigner({ issuer: ISS, keys: ed });
    const verifier = createVerifier({ issuers: { [ISS]: { keys: signer.jwks() } }, audience: AUD });
    const token = await signer.sign({}, { audience: AUD, subject: 's' });
    const verified = await verifier.verifyToken(token);
    expect(verified).toMatchObject({ issuer: ISS, subject: 's' });
    await verifier.close();
  });

  it('refuses stamped claims in claims, whatever their value', async () => {
    const signer = createSigner({ issuer: ISS, keys: ed });
    for (const name of ['iss', 'iat', 'exp', 'jti', 'aud', 'sub', 'source', 'bdy', 'htm', 'htu']) {
      await expect(signer.sign({ [name]: 'x' }, { audience: AUD })).rejects.toMatchObject({
        code: 'configuration_error',
      });
    }
    const user = createSigner({ issuer: ISS, keys: ed, source: false });
    expect(decodeJwt(await user.sign({ source: 'user' }, { audience: AUD })).source).toBe('user');
  });

  it('requires an audience unless explicitly null', async () => {
    const signer = createSigner({ issuer: ISS, keys: ed });
    await expect(signer.sign({}, {} as never)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    expect(decodeJwt(await signer.sign({}, { audience: null })).aud).toBeUndefined();
    expect(decodeJwt(await signer.sign({}, { audience: [AUD, 'b'] })).aud).toEqual([AUD, 'b']);
  });

  it('issues any lifetime, including 100 years, and a custom source claim', async () => {
    const years100 = 100 * 365 * 24 * 3600;
    const signer = createSigner({
      issuer: ISS,
      keys: ed,
      lifetime: years100,
      source: { claim: 'svc', value: 'internal' },
    });
    const claims = decodeJwt(await signer.sign({}, { audience: AUD, jti: 'fixed' }));
    expect(claims.exp! - claims.iat!).toBe(years100);
    expect(claims).toMatchObject({ svc: 'internal', jti: 'fixed' });
    expect(claims.source).toBeUndefined();
    await expect(
      verifyWith(signer, await signer.sign({}, { audience: AUD })),
    ).resolves.toBeDefined();
  });
});

describe('tokenFor', () => {
  it('caches one token per audience, shares one signing and renews before expiry', async () => {
    const c = clock();
    const signer = createSigner({ issuer: ISS, keys: ed, now: c.now, lifetime: 300 });
    const [a, b] = await Promise.all([signer.tokenFor(AUD), signer.tokenFor(AUD)]);
    expect(a).toBe(b);
    expect(await signer.tokenFor('https://other.test/')).not.toBe(a);
    c.advance(239);
    expect(await signer.tokenFor(AUD)).toBe(a);
    c.advance(1); // 80% of the lifetime
    const renewed = await signer.tokenFor(AUD);
    expect(renewed).not.toBe(a);
    expect(decodeJwt(renewed).iat).toBe(T0 / 1000 + 240);
    expect(await signer.tokenFor(AUD, { subject: 'u' })).not.toBe(renewed);
  });

  it('does not cache a failed signing', async () => {
    let broken = true;
    const signer = createSigner({
      issuer: ISS,
      keys: ed,
      now: () => {
        if (broken) throw new Error('clock unavailable');
        return T0;
      },
    });
    await expect(signer.tokenFor(AUD)).rejects.toThrow('clock unavailable');
    broken = false;
    expect(decodeJwt(await signer.tokenFor(AUD)).iat).toBe(T0 / 1000);
  });

  it('renews short tokens at least 30 s before exp', async () => {
    const c = clock();
    const signer = createSigner({ issuer: ISS, keys: ed, now: c.now, lifetime: 60 });
    const first = await signer.tokenFor(AUD);
    c.advance(29);
    expect(await signer.tokenFor(AUD)).toBe(first);
    c.advance(1);
    expect(await signer.tokenFor(AUD)).not.toBe(first);
  });
});

describe('signRequest', () => {
  it('binds method, target and exact body bytes with a short one-time token', async () => {
    const signer = createSigner({ issuer: ISS, keys: ed });
    const body = new Uint8Array([0, 255, 10, 13]);
    const token = await signer.signRequest({
      method: 'post',
      url: 'https://m2.test/orders?id=1#frag',
      body,
      audience: AUD,
      subject: 'user-7',
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      htm: 'POST',
      htu: '/orders?id=1',
      bdy: createHash('sha256').update(body).digest('base64url'),
      sub: 'user-7',
      aud: AUD,
    });
    expect(claims.exp! - claims.iat!).toBe(60);
    const empty = decodeJwt(
      await signer.signRequest({ method: 'GET', url: '/a?b', audience: AUD }),
    );
    expect(empty).toMatchObject({
      htu: '/a?b',
      bdy: createHash('sha256').update('').digest('base64url'),
    });
    await expect(
      signer.signRequest({ method: 'GET', url: 'relative', audience: AUD }),
    ).rejects.toMatchObject({ code: 'configuration_error' });
  });
});

describe('jwks', () => {
  it('never publishes a private member, and nothing for HS signers', async () => {
    const ecJwk = exportPrivateJwk((await generateKeyPair('ES256')).privateKey);
    const signers = [
      createSigner({ issuer: ISS, keys: [rsa, ed, ecJwk] }),
      createSigner({ issuer: ISS, keys: exportPem(rsa).privateKey }),
    ];
    for (const signer of signers) {
      for (const jwk of signer.jwks().keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) {
          expect(jwk).not.toHaveProperty(member);
        }
        expect(jwk).toMatchObject({ use: 'sig', kid: expect.any(String), alg: expect.any(String) });
      }
    }
    expect(signers[0]?.jwks().keys).toHaveLength(3);
    const hs = createSigner({
      issuer: ISS,
      keys: { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url') },
    });
    expect(hs.jwks()).toEqual({ keys: [] });
    expect(JSON.stringify(hs.jwks())).not.toContain('"k"');
  });
});
