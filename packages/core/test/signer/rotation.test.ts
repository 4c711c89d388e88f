import type { KeyObject } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  generateKeyPair,
  jwksResponse,
  type ServiceJwtSigner,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import { decodeProtectedHeader } from 'jose';

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const T0 = 1_700_000_000_000;
let first: KeyObject;
let second: KeyObject;
let third: KeyObject;

beforeAll(async () => {
  const pairs = await Promise.all(
    (['ES256', 'EdDSA', 'ES256'] as const).map((alg) => generateKeyPair(alg)),
  );
  [first, second, third] = pairs.map((pair) => pair.privateKey) as [
    KeyObject,
    KeyObject,
    KeyObject,
  ];
});

describe('rotation', () => {
  let t: number;
  let signer: ServiceJwtSigner;
  let server: JwksServer;
  let verifier: ServiceJwtVerifier;
  const now = () => t;
  const advance = (seconds: number) => {
    t += seconds * 1000;
  };

  beforeEach(async () => {
    t = T0;
    signer = createSigner({ issuer: ISS, keys: first, lifetime: 3600, now });
    // The published set is read from the signer on every request, as an adapter serves it.
    server = await serveJwks(() => JSON.parse(jwksResponse(signer).body));
    verifier = createVerifier({
      issuers: {
        [ISS]: { jwksUri: server.url, allowInsecureHttp: true, cacheMaxAge: 60, cooldown: 0 },
      },
      audience: AUD,
      now,
    });
  });
  afterEach(async () => {
    await verifier.close();
    await server.close();
  });

  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const accepted = (token: string) => verifier.verifyToken(token).then(() => true);

  it('keeps every token verifying before, during and after a rotation', async () => {
    const oldKid = signer.kid;
    const before = await signer.sign({}, { audience: AUD });
    await expect(accepted(before)).resolves.toBe(true);

    const plan = signer.rotate(second);
    expect(plan.activatesAt).toBe(T0 + 600_000);
    // Published first: the next key is in the set before it signs anything.
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([oldKid, plan.kid]);
    const during = await signer.sign({}, { audience: AUD });
    expect(kidOf(during)).toBe(oldKid);

    advance(599);
    await expect(accepted(before)).resolves.toBe(true);
    await expect(accepted(during)).resolves.toBe(true);
    advance(1);
    const after = await signer.sign({}, { audience: AUD });
    expect(kidOf(after)).toBe(plan.kid);
    expect(signer.kid).toBe(plan.kid);
    for (const token of [before, during, after]) await expect(accepted(token)).resolves.toBe(true);

    // The old key stays until the last token it signed (`during`, exp T0+3600) has expired.
    advance(3000 - 1);
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid, oldKid]);
    await expect(accepted(during)).resolves.toBe(true);
    await expect(accepted(after)).resolves.toBe(true);
    advance(61);
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid]);
    advance(60); // the verifier's cached set is past its max age
    await expect(accepted(after)).resolves.toBe(true);
    // The retired key has left the verifier's set too (its tokens had all expired anyway).
    await expect(verifier.verifyToken(during)).rejects.toMatchObject({ code: 'key_not_found' });
  });

  it('tokenFor switches to the new key at activation', async () => {
    const cached = await signer.tokenFor(AUD);
    const plan = signer.rotate(second, { activateAfter: 30 });
    expect(await signer.tokenFor(AUD)).toBe(cached);
    advance(30);
    const renewed = await signer.tokenFor(AUD);
    expect(kidOf(renewed)).toBe(plan.kid);
    await expect(accepted(cached)).resolves.toBe(true);
    await expect(accepted(renewed)).resolves.toBe(true);
  });

  it('retireAfter drops the old key early; activateAfter 0 switches at once', async () => {
    const oldKid = signer.kid;
    await signer.sign({}, { audience: AUD, lifetime: 100 * 365 * 24 * 3600 });
    const plan = signer.rotate(second, { activateAfter: 0, retireAfter: 120 });
    expect(signer.kid).toBe(plan.kid);
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid, oldKid]);
    advance(120);
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid]);
  });

  it('refuses a second rotation while one is pending, a duplicate kid and bad timings', () => {
    const oldKid = signer.kid;
    expect(() => signer.rotate(first)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(() => signer.rotate(second, { activateAfter: -1 })).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    signer.rotate(second);
    expect(() => signer.rotate(third)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
    expect(signer.kid).toBe(oldKid);
    advance(600);
    expect(() => signer.rotate(third)).not.toThrow();
  });
});

describe('jwksResponse', () => {
  it('answers 200 with the JWK set media type and a public max-age', async () => {
    const signer = createSigner({ issuer: ISS, keys: [first, second] });
    const response = jwksResponse(signer);
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
    });
    expect(JSON.parse(response.body)).toEqual(signer.jwks());
    expect(jwksResponse(signer, { maxAge: 60 }).headers['cache-control']).toBe(
      'public, max-age=60',
    );
    for (const maxAge of [-1, 1.5, Number.NaN]) {
      expect(() => jwksResponse(signer, { maxAge })).toThrow(
        expect.objectContaining({ code: 'configuration_error' }),
      );
    }
  });
});
