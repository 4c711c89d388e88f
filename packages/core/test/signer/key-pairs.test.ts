import { generateKeyPairSync } from 'node:crypto';
import {
  computeJwkThumbprint,
  exportPem,
  exportPrivateJwk,
  exportPublicJwk,
  generateKeyPair,
  generateSecret,
  importPrivateKey,
  type KeyPairAlgorithm,
} from '@service-jwt/core';
import { calculateJwkThumbprint, importJWK, jwtVerify, SignJWT } from 'jose';

const ALGS: KeyPairAlgorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

describe('generateKeyPair', () => {
  it.each(ALGS)('%s: a pair whose public JWK verifies what the private key signs', async (alg) => {
    const pair = await generateKeyPair(alg);
    expect(pair.publicJwk).toMatchObject({ alg, kid: pair.kid, use: 'sig' });
    expect(pair.kid).toBe(await calculateJwkThumbprint(pair.publicJwk));
    const token = await new SignJWT({ a: 1 }).setProtectedHeader({ alg }).sign(pair.privateKey);
    await expect(jwtVerify(token, await importJWK(pair.publicJwk, alg))).resolves.toBeDefined();
    if (alg.startsWith('RS') || alg.startsWith('PS')) {
      expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it('refuses HS* and unknown algorithms', async () => {
    await expect(generateKeyPair('HS256' as never)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    await expect(generateKeyPair('none' as never)).rejects.toMatchObject({
      code: 'configuration_error',
    });
  });
});

describe('import and export', () => {
  it('round-trips private JWK and PEM, keeping kid and alg', async () => {
    const pair = await generateKeyPair('PS256', { kid: 'rsa-1' });
    const jwk = exportPrivateJwk({ key: pair.privateKey, algorithm: 'PS256', kid: 'rsa-1' });
    expect(jwk).toMatchObject({ kid: 'rsa-1', alg: 'PS256', d: expect.any(String) });
    expect(importPrivateKey(jwk)).toMatchObject({ kid: 'rsa-1', algorithm: 'PS256' });
    const pem = exportPem(pair.privateKey);
    expect(pem.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pem.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(importPrivateKey(pem.privateKey).algorithm).toBe('RS256');
    // PEM keeps no kid: the thumbprint stands in.
    const thumbprint = computeJwkThumbprint(pair.publicJwk);
    expect(importPrivateKey(pem.privateKey, { algorithm: 'PS256' }).kid).toBe(thumbprint);
    expect(exportPublicJwk(pem.privateKey)).toEqual({
      ...pair.publicJwk,
      alg: 'RS256',
      kid: thumbprint,
    });
  });

  it('reads PKCS#1 and SEC1 PEM', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(
      importPrivateKey(rsa.export({ format: 'pem', type: 'pkcs1' }).toString()).algorithm,
    ).toBe('RS256');
    expect(importPrivateKey(ec.export({ format: 'pem', type: 'sec1' }).toString()).algorithm).toBe(
      'ES384',
    );
  });

  it('treats strings as secrets only with an explicit HS algorithm, and never exports them', () => {
    const secret = 'a'.repeat(32);
    expect(() => importPrivateKey(secret)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(importPrivateKey(secret, { algorithm: 'HS256' })).toMatchObject({
      algorithm: 'HS256',
      publicJwk: undefined,
    });
    // RFC 7518 §3.2, the verifier's floor too: an HS512 secret holds at least 64 bytes.
    expect(() => importPrivateKey(secret, { algorithm: 'HS512' })).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(importPrivateKey('a'.repeat(64), { algorithm: 'HS512' }).algorithm).toBe('HS512');
    expect(() => exportPublicJwk(generateSecret())).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(() => generateSecret(16)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(generateSecret(64)).toHaveLength(64);
  });

  it("honours a JWK's use and key_ops", async () => {
    const jwk = exportPrivateJwk((await generateKeyPair('ES256')).privateKey);
    expect(() => importPrivateKey({ ...jwk, use: 'enc' })).toThrow(/use/);
    expect(() => importPrivateKey({ ...jwk, key_ops: ['verify'] })).toThrow(/key_ops/);
    expect(importPrivateKey({ ...jwk, key_ops: ['sign'] }).algorithm).toBe('ES256');
  });

  it('refuses public JWKs and unknown key types', () => {
    const ed = generateKeyPairSync('ed25519');
    const publicJwk = ed.publicKey.export({ format: 'jwk' });
    expect(() => importPrivateKey({ ...publicJwk, kty: 'OKP' })).toThrow(/public JWK/);
    expect(() => importPrivateKey({ kty: 'XYZ', d: 'x' })).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    const x25519 = generateKeyPairSync('x25519').privateKey;
    expect(() => importPrivateKey(x25519)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });

  it('computes RFC 7638 thumbprints like jose, and the RFC 7638 §3.1 example', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const { publicJwk } = await generateKeyPair(alg);
      expect(computeJwkThumbprint(publicJwk)).toBe(await calculateJwkThumbprint(publicJwk));
    }
    const example = {
      kty: 'RSA',
      e: 'AQAB',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    };
    expect(computeJwkThumbprint(example)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
