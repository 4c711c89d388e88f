import { createMemoryRevocationList, createVerifier } from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import {
  AUDIENCE,
  bearer,
  claimsAt,
  expectCode,
  ISSUER,
  makeKey,
  mint,
  NOW,
  NOW_MS,
} from '../fixtures.js';

const key = makeKey('ES256', 'k1');
const next = makeKey('ES256', 'k2');

describe('remote keys shared across routes', () => {
  it('two forRoute verifiers with different audiences share one JWKS fetch', async () => {
    const server = await serveJwks({ keys: [key.jwk as never] });
    try {
      const verifier = createVerifier({
        issuers: { [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true } },
        audience: AUDIENCE,
        now: () => NOW_MS,
      });
      const orders = verifier.forRoute({ audience: 'https://orders.test' });
      const billing = verifier.forRoute({ audience: 'https://billing.test' });
      const [a, b] = await Promise.all([
        orders.verifyToken(mint(key, claimsAt({ aud: 'https://orders.test' }))),
        billing.verifyToken(mint(key, claimsAt({ aud: 'https://billing.test' }))),
      ]);
      expect(a.claims.aud).toBe('https://orders.test');
      expect(b.claims.aud).toBe('https://billing.test');
      await expectCode(
        orders.verifyToken(mint(key, claimsAt({ aud: 'https://billing.test' }))),
        'audience_mismatch',
      );
      expect(server.requests).toBe(1);
      await verifier.close();
    } finally {
      await server.close();
    }
  });

  it('answers 503 keys_unavailable when a cold key set cannot be fetched', async () => {
    const server = await serveJwks({ keys: [key.jwk as never] });
    await server.stop();
    try {
      const verifier = createVerifier({
        issuers: { [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true, timeout: 500 } },
        audience: AUDIENCE,
        now: () => NOW_MS,
      });
      await expectCode(verifier.verifyToken(mint(key, claimsAt())), 'keys_unavailable');
      await verifier.close();
    } finally {
      await server.close();
    }
  });
});

describe('verification cache', () => {
  it('still runs expiry, revocation and per-route checks on a hit', async () => {
    let now = NOW_MS;
    const revocation = createMemoryRevocationList({ now: () => now });
    const verifier = createVerifier({
      issuers: { [ISSUER]: { keys: [key.jwk as never] } },
      audience: AUDIENCE,
      revocation,
      clockTolerance: 0,
      now: () => now,
    });
    const token = mint(key, claimsAt({ jti: 'static', exp: NOW + 60 }));
    for (let i = 0; i < 3; i++) await expect(verifier.verifyToken(token)).resolves.toBeDefined();
    await expectCode(
      verifier.forRoute({ audience: 'https://other.test' }).verifyToken(token),
      'audience_mismatch',
    );
    await expectCode(
      verifier.forRoute({ claims: { sub: 'billing' } }).verifyToken(token),
      'claim_check_failed',
    );
    await revocation.revokeToken(ISSUER, 'static', NOW + 60);
    await expectCode(verifier.verifyToken(token), 'token_revoked');
    const other = mint(key, claimsAt({ jti: 'other', exp: NOW + 60 }));
    for (let i = 0; i < 3; i++) await verifier.verifyToken(other);
    now = NOW_MS + 60_000;
    await expectCode(verifier.verifyToken(other), 'token_expired');
  });

  it('drops entries whose key left the key set', async () => {
    let keys = [key.jwk, next.jwk];
    const server = await serveJwks(() => ({ keys: keys as never }));
    let now = NOW_MS;
    try {
      const verifier = createVerifier({
        issuers: {
          [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true, cacheMaxAge: 60, cooldown: 1 },
        },
        audience: AUDIENCE,
        requireExpiration: false,
        now: () => now,
      });
      const token = mint(key, claimsAt({ exp: undefined }));
      for (let i = 0; i < 3; i++) await expect(verifier.verifyToken(token)).resolves.toBeDefined();
      // Rotation: k1 leaves the published set; once the set is refreshed, the cached result
      // for a k1 token must not be used.
      keys = [next.jwk];
      now += 120_000;
      await expect(
        verifier.verifyToken(mint(next, claimsAt({ exp: undefined }))),
      ).resolves.toBeDefined();
      await expectCode(verifier.verifyToken(token), 'key_not_found');
      await verifier.close();
    } finally {
      await server.close();
    }
  });

  it('answers only the exact cached token: look-alikes with its tail are checked in full', async () => {
    const verifier = createVerifier({
      issuers: { [ISSUER]: { keys: [key.jwk as never] } },
      audience: AUDIENCE,
      now: () => NOW_MS,
    });
    const token = mint(key, claimsAt({ exp: NOW + 60 }));
    for (let i = 0; i < 3; i++) {
      // A new header string each time, as each request brings.
      const copy = `${token.slice(0, 10)}${token.slice(10)}`;
      await expect(verifier.verify(bearer(copy, { method: 'GET' }))).resolves.toBeDefined();
    }
    const [head, payload, signature] = token.split('.');
    const other = mint(key, claimsAt({ exp: NOW + 61 }));
    const lookAlikes: Array<[string, string]> = [
      [`!${token.slice(1)}`, 'token_malformed'],
      [`${head} ${payload}.${signature}`, 'token_malformed'],
      [`${head}=.${payload}.${signature}`, 'token_malformed'],
      [`${other.split('.').slice(0, 2).join('.')}.${signature}`, 'signature_invalid'],
      [`x.${signature}`, 'token_malformed'],
    ];
    for (const [variant, code] of lookAlikes) {
      await expectCode(verifier.verify(bearer(variant, { method: 'GET' })), code as never);
    }
    await expect(verifier.verify(bearer(token, { method: 'GET' }))).resolves.toBeDefined();
  });

  it('can be disabled', async () => {
    const verifier = createVerifier({
      issuers: { [ISSUER]: { keys: [key.jwk as never] } },
      audience: AUDIENCE,
      cache: false,
      now: () => NOW_MS,
    });
    const token = mint(key, claimsAt());
    for (let i = 0; i < 3; i++) await expect(verifier.verifyToken(token)).resolves.toBeDefined();
  });
});
