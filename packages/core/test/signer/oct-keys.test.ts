import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  exportPrivateJwk,
  jwksResponse,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { decodeProtectedHeader } from 'jose';

// Shared secrets as signing keys, picked by kid (the KrakenD style): oct JWKs and sets of them,
// "k" read as base64url, never published, never mixed with key pairs, rotated like key pairs.

const ISS = 'https://gateway.test/';
const AUD = 'https://m2.test/';
const T0 = 1_700_000_000_000;

function octJwk(kid: string, bytes = 32) {
  return { kty: 'oct', kid, k: randomBytes(bytes).toString('base64url'), alg: 'HS256' };
}
const secretOf = (jwk: { k: string }) => Buffer.from(jwk.k, 'base64url');

/** Verifies with the secret whose kid the token names, as a verifier with an oct set would. */
async function verifyByKid(
  token: string,
  set: readonly { kid: string; k: string }[],
  now: () => number = Date.now,
): Promise<unknown> {
  const { kid } = decodeProtectedHeader(token);
  const jwk = set.find((key) => key.kid === kid);
  if (jwk === undefined) throw new Error(`no key ${kid}`);
  const verifier = createVerifier({
    issuers: { [ISS]: { secret: secretOf(jwk) } },
    audience: AUD,
    now,
  });
  try {
    return await verifier.verifyToken(token);
  } finally {
    await verifier.close();
  }
}

function refusal(build: () => unknown): { code?: string; message: string } {
  try {
    build();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('createSigner with oct keys', () => {
  it('signs with an oct JWK under its kid, the secret being the bytes of base64url "k"', async () => {
    const jwk = octJwk('gw-1');
    const signer = createSigner({ issuer: ISS, keys: jwk });
    const token = await signer.tokenFor(AUD);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'gw-1', typ: 'JWT' });
    await expect(verifyByKid(token, [jwk])).resolves.toMatchObject({ issuer: ISS });
  });

  it('pasting "k" as a string secret signs with its text: every token fails the real secret', async () => {
    const jwk = octJwk('gw-1');
    const pasted = createSigner({ issuer: ISS, keys: jwk.k, algorithm: 'HS256' });
    const token = await pasted.sign({}, { audience: AUD });
    await expect(verifyByKid(token, [{ ...jwk, kid: pasted.kid }])).rejects.toMatchObject({
      code: 'signature_invalid',
    });
    // The fix the docs give: decode "k".
    const decoded = createSigner({ issuer: ISS, keys: { key: secretOf(jwk), kid: 'gw-1' } });
    await expect(
      verifyByKid(await decoded.sign({}, { audience: AUD }), [jwk]),
    ).resolves.toMatchObject({ issuer: ISS, header: { kid: 'gw-1' } });
  });

  it('takes a set of oct keys: the first signs, jwks() publishes nothing', async () => {
    const set = [octJwk('gw-1'), octJwk('gw-2')];
    const signer = createSigner({ issuer: ISS, keys: JSON.stringify({ keys: set }) });
    expect(signer.kid).toBe('gw-1');
    expect(signer.jwks()).toEqual({ keys: [] });
    const response = jwksResponse(signer).body;
    expect(response).toBe('{"keys":[]}');
    for (const key of set) expect(response).not.toContain(key.k);
    await expect(verifyByKid(await signer.tokenFor(AUD), set)).resolves.toMatchObject({
      issuer: ISS,
      header: { kid: 'gw-1' },
    });
  });

  it.each([
    ['a short oct JWK', () => octJwk('short', 31), /^keys is a secret of 31 bytes/],
    [
      'a short member of a set',
      () => ({ keys: [octJwk('a'), octJwk('b', 16)] }),
      /^keys\.keys\[1\] is a secret of 16 bytes/,
    ],
    [
      'an HS512 oct JWK under 64 bytes',
      () => ({ ...octJwk('c', 48), alg: 'HS512' }),
      /^keys is a secret of 48 bytes; HS512 needs at least 64/,
    ],
  ])('refuses %s', (_label, keys, message) => {
    const err = refusal(() => createSigner({ issuer: ISS, keys: keys() as never }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(message);
  });

  it('never mixes secrets with key pairs, at construction or in a rotation', () => {
    const ed = exportPrivateJwk(generateKeyPairSync('ed25519').privateKey);
    const mixed = refusal(() => createSigner({ issuer: ISS, keys: { keys: [octJwk('gw'), ed] } }));
    expect(mixed.code).toBe('configuration_error');
    expect(mixed.message).toMatch(
      /^keys\.keys\[1\] is a key pair but keys\.keys\[0\] is a shared secret/,
    );
    const hs = createSigner({ issuer: ISS, keys: octJwk('gw-1') });
    const toPair = refusal(() => hs.rotate(ed));
    expect(toPair.message).toMatch(/^nextKey is a key pair/);
    const pair = createSigner({ issuer: ISS, keys: ed });
    const toSecret = refusal(() => pair.rotate(octJwk('gw-2')));
    expect(toSecret).toMatchObject({ code: 'configuration_error' });
    expect(toSecret.message).toMatch(/^nextKey is a shared secret/);
  });
});

describe('rotation between two oct keys', () => {
  let t: number;
  let signer: ServiceJwtSigner;
  const now = () => t;
  const current = octJwk('gw-2026-01');
  const next = octJwk('gw-2026-02');

  beforeEach(() => {
    t = T0;
    signer = createSigner({ issuer: ISS, keys: current, lifetime: 3600, now });
  });

  it('switches kid after activateAfter; tokens of both keys verify by kid; nothing is published', async () => {
    const before = await signer.tokenFor(AUD);
    const plan = signer.rotate(next, { activateAfter: 600 });
    expect(plan.kid).toBe('gw-2026-02');
    expect(signer.jwks()).toEqual({ keys: [] });
    t += 599_000;
    expect(await signer.tokenFor(AUD)).toBe(before);
    t += 1_000;
    // The cached token is renewed once the signing key has changed.
    const after = await signer.tokenFor(AUD);
    expect(after).not.toBe(before);
    expect(decodeProtectedHeader(after).kid).toBe('gw-2026-02');
    expect(signer.kid).toBe('gw-2026-02');
    expect(signer.jwks()).toEqual({ keys: [] });
    await expect(verifyByKid(before, [current, next], now)).resolves.toMatchObject({
      issuer: ISS,
      header: { kid: current.kid },
    });
    await expect(verifyByKid(after, [current, next], now)).resolves.toMatchObject({
      issuer: ISS,
      header: { kid: 'gw-2026-02' },
    });
    // Each token verifies under its own key only.
    await expect(
      verifyByKid(after, [{ ...current, kid: 'gw-2026-02' }], now),
    ).rejects.toMatchObject({ code: 'signature_invalid' });
  });
});
