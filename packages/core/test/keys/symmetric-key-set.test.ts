import { createHmac, randomBytes } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  type JsonWebKeyInput,
  type ServiceJwtVerifier,
} from '../../src/index.js';
import { caught } from './jwks-server.js';

// An issuer trusted by a set of shared secrets (`oct` JWKs, the KrakenD key-file style): the
// token's kid picks the secret, each secret is bound to one HS algorithm, and a set never
// mixes secrets with public keys.

const ISSUER = 'https://gateway.internal/';
const AUDIENCE = 'https://census.internal/';
const PATH = `issuers["${ISSUER}"]`;

const octJwk = (kid: string, bytes = 32, alg?: string): JsonWebKeyInput => ({
  kty: 'oct',
  kid,
  k: randomBytes(bytes).toString('base64url'),
  ...(alg === undefined ? {} : { alg }),
});
const current = octJwk('2026-12');
const previous = octJwk('2026-11');

function verifierFor(keys: unknown, extra: object = {}): ServiceJwtVerifier {
  return createVerifier({
    issuers: { [ISSUER]: { keys: keys as never, ...extra } },
    audience: AUDIENCE,
  });
}

// A token signed the way another HS256 signer would: header and claims as given, HMAC over
// the signing input with the secret decoded from `k`.
function hsToken(jwk: JsonWebKeyInput, header: object, claims: object = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60, source: 'microservice', ...claims })}`;
  // A header naming another algorithm gets an HS256 MAC: the token must fail before it counts.
  const hashes: Record<string, string> = { HS384: 'sha384', HS512: 'sha512' };
  const hash = hashes[(header as { alg: string }).alg] ?? 'sha256';
  const mac = createHmac(hash, Buffer.from(jwk.k as string, 'base64url')).update(input);
  return `${input}.${mac.digest('base64url')}`;
}

describe('a set of oct keys as an issuer', () => {
  const verifier = verifierFor({ keys: [current, previous] });

  it('verifies tokens of either key, picked by kid (rotation between two secrets)', async () => {
    for (const jwk of [current, previous]) {
      const token = hsToken(jwk, { alg: 'HS256', kid: jwk.kid, typ: 'JWT' });
      expect((await verifier.verifyToken(token)).header.kid).toBe(jwk.kid);
    }
  });

  it('verifies what our signer makes from the same set', async () => {
    const signer = createSigner({ issuer: ISSUER, keys: { keys: [current, previous] } });
    const token = await signer.tokenFor(AUDIENCE);
    expect((await verifier.verifyToken(token)).header).toMatchObject({
      alg: 'HS256',
      kid: current.kid,
    });
  });

  it('refuses a token of a secret signed under the other kid', async () => {
    const token = hsToken(current, { alg: 'HS256', kid: previous.kid });
    expect((await caught(verifier.verifyToken(token))).code).toBe('signature_invalid');
  });

  it('refuses an unknown kid and a missing kid with key_not_found', async () => {
    for (const header of [{ alg: 'HS256', kid: 'retired' }, { alg: 'HS256' }]) {
      const err = await caught(verifier.verifyToken(hsToken(current, header)));
      expect(err.code).toBe('key_not_found');
      expect(err.status).toBe(401);
    }
  });

  it('binds each secret to one algorithm: a token naming another is refused', async () => {
    const bound = verifierFor({ keys: [octJwk('a', 64, 'HS512'), { ...current }] });
    const token = hsToken({ ...current }, { alg: 'HS512', kid: current.kid });
    expect((await caught(bound.verifyToken(token))).code).toBe('algorithm_not_allowed');
  });

  it('takes a JWK alg of HS384 or HS512 when the secret is long enough', async () => {
    const hs384 = octJwk('h3', 48, 'HS384');
    const v = verifierFor([hs384]);
    const token = hsToken(hs384, { alg: 'HS384', kid: 'h3' });
    expect((await v.verifyToken(token)).header.alg).toBe('HS384');
  });

  it('never takes an RS or ES token for a secret set', async () => {
    const token = hsToken(current, { alg: 'RS256', kid: current.kid });
    expect((await caught(verifier.verifyToken(token))).code).toBe('algorithm_not_allowed');
  });
});

describe('oct key set configuration', () => {
  it.each([
    ['a secret under 32 bytes', [octJwk('a', 31)], `${PATH}.keys[0]`],
    ['an HS384 secret under 48 bytes', [octJwk('a', 47, 'HS384')], `${PATH}.keys[0]`],
    ['an HS512 secret under 64 bytes', [octJwk('a', 48, 'HS512')], `${PATH}.keys[0]`],
    ['a padded k', [{ kty: 'oct', kid: 'a', k: `${randomBytes(32).toString('base64')}=` }], '.k'],
    ['a base64 (not base64url) k', [{ kty: 'oct', kid: 'a', k: '+/'.repeat(24) }], '.k'],
    ['a missing k', [{ kty: 'oct', kid: 'a' }], '.k'],
    ['two secrets without kid', [octJwk('a'), { kty: 'oct', k: current.k }], `${PATH}.keys`],
    ['two secrets with one kid', [octJwk('a'), octJwk('a')], `${PATH}.keys`],
    ['a secret meant for encryption', [{ ...octJwk('a'), use: 'enc' }], '.use'],
    ['an alg that is not HS', [octJwk('a', 32, 'RS256')], '.alg'],
  ])('refuses %s at construction, naming it', async (_name, keys, named) => {
    const err = await caught(() => verifierFor({ keys }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(named);
  });

  it('refuses a set mixing secrets and public keys, naming keys', async () => {
    const { publicKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    );
    const ec = { ...publicKey.export({ format: 'jwk' }), kid: 'ec' };
    for (const keys of [
      [current, ec],
      [ec, current],
    ]) {
      const err = await caught(() => verifierFor({ keys }));
      expect(err.code).toBe('configuration_error');
      expect(err.message).toContain(`${PATH}.keys`);
      expect(err.message).toContain('oct');
    }
  });

  it('refuses asymmetric algorithms on an oct set and HS algorithms that do not fit', async () => {
    const err = await caught(() => verifierFor({ keys: [current] }, { algorithms: ['ES256'] }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`${PATH}.algorithms`);
  });

  it('takes only HS384 when the issuer allows only HS384', async () => {
    const long = octJwk('l', 48);
    const v = verifierFor([long], { algorithms: ['HS384'] });
    expect((await v.verifyToken(hsToken(long, { alg: 'HS384', kid: 'l' }))).header.alg).toBe(
      'HS384',
    );
  });
});

describe('the k trap of a string secret', () => {
  const jwk = octJwk('gw-1');

  it('a pasted k is the text of k, not the secret: every token fails with signature_invalid', async () => {
    const pasted = createVerifier({
      issuers: { [ISSUER]: { secret: jwk.k as string } },
      audience: AUDIENCE,
    });
    const err = await caught(pasted.verifyToken(hsToken(jwk, { alg: 'HS256', kid: 'gw-1' })));
    expect(err.code).toBe('signature_invalid');
  });

  it('decoding k gives the secret', async () => {
    const decoded = createVerifier({
      issuers: { [ISSUER]: { secret: Buffer.from(jwk.k as string, 'base64url') } },
      audience: AUDIENCE,
    });
    const token = hsToken(jwk, { alg: 'HS256', kid: 'gw-1' });
    expect((await decoded.verifyToken(token)).issuer).toBe(ISSUER);
  });
});
