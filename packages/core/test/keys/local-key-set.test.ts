import { errorResponse } from '../../src/errors/service-jwt-error.js';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import type { VerificationKey } from '../../src/keys/key-resolver.js';
import { caught, ecKeyPair, publicJwk } from './jwks-server.js';

const PATH = 'issuers["https://a"]';
const ALGS: Algorithm[] = ['RS256', 'ES256', 'EdDSA'];
const a = ecKeyPair();
const b = ecKeyPair();

function local(keys: object[]) {
  return createIssuerKeyResolver(
    'https://a',
    { keys: { keys } as never },
    { algorithms: ALGS, optionPath: PATH },
  );
}

describe('local JWK sets', () => {
  const resolver = local([
    publicJwk(a.publicKey, { kid: 'a' }),
    publicJwk(b.publicKey, { kid: 'b' }),
  ]);

  it('resolves by kid synchronously and reports its keys active', () => {
    const key = resolver.resolve({ alg: 'ES256', kid: 'b' });
    expect(key).not.toBeInstanceOf(Promise);
    expect((key as VerificationKey).kid).toBe('b');
    expect(resolver.isActive(key as VerificationKey)).toBe(true);
    expect(resolver.resolve({ alg: 'ES256', kid: 'b' })).toBe(key);
  });

  it('refuses an unknown kid and a missing kid with key_not_found', async () => {
    for (const lookup of [{ alg: 'ES256', kid: 'zzz' }, { alg: 'ES256' }]) {
      const err = await caught(() => resolver.resolve(lookup));
      expect(err.code).toBe('key_not_found');
      expect(err.status).toBe(401);
      expect(errorResponse(err).headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it("refuses a header alg that is not the key's bound algorithm", async () => {
    const err = await caught(() => resolver.resolve({ alg: 'RS256', kid: 'a' }));
    expect(err.code).toBe('algorithm_not_allowed');
  });

  it('lets a token omit kid when the set holds one key, and matches a kid-less key to any kid', () => {
    const one = local([publicJwk(a.publicKey, { kid: 'a' })]);
    expect((one.resolve({ alg: 'ES256' }) as VerificationKey).kid).toBe('a');
    const bare = local([publicJwk(a.publicKey)]);
    expect(
      (bare.resolve({ alg: 'ES256', kid: 'whatever' }) as VerificationKey).kid,
    ).toBeUndefined();
  });

  it('refuses a kid that differs from the lone key kid', async () => {
    const one = local([publicJwk(a.publicKey, { kid: 'a' })]);
    expect((await caught(() => one.resolve({ alg: 'ES256', kid: 'b' }))).code).toBe(
      'key_not_found',
    );
  });

  it('accepts a bare array of JWKs', () => {
    const resolver2 = createIssuerKeyResolver(
      'https://a',
      { keys: [publicJwk(a.publicKey, { kid: 'a' }) as never] },
      {
        algorithms: ALGS,
        optionPath: PATH,
      },
    );
    expect((resolver2.resolve({ alg: 'ES256', kid: 'a' }) as VerificationKey).kid).toBe('a');
  });

  it.each([
    [
      'duplicate kids',
      [publicJwk(a.publicKey, { kid: 'x' }), publicJwk(b.publicKey, { kid: 'x' })],
    ],
    [
      'a missing kid among several keys',
      [publicJwk(a.publicKey, { kid: 'x' }), publicJwk(b.publicKey)],
    ],
    [
      'an unusable key (use enc)',
      [publicJwk(a.publicKey, { kid: 'x' }), publicJwk(b.publicKey, { kid: 'y', use: 'enc' })],
    ],
    [
      'a symmetric key',
      [publicJwk(a.publicKey, { kid: 'x' }), { kty: 'oct', kid: 'y', k: 'A'.repeat(64) }],
    ],
    ['no keys', []],
  ])('refuses a set with %s at configuration', async (_name, keys) => {
    const err = await caught(() => local(keys));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`${PATH}.keys`);
  });

  it('does not know keys of another resolver', () => {
    const other = local([publicJwk(a.publicKey, { kid: 'a' })]);
    const key = other.resolve({ alg: 'ES256', kid: 'a' }) as VerificationKey;
    expect(resolver.isActive(key)).toBe(false);
  });
});
