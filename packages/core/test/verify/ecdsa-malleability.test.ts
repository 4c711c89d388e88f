import {
  createMemoryReplayStore,
  createMemoryRevocationList,
  createVerifier,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';
import {
  AUDIENCE,
  bearer,
  claimsAt,
  ISSUER,
  issuerConfig,
  makeKey,
  mint,
  NOW_MS,
} from '../fixtures.js';
import { caught } from '../keys/jwks-server.js';

// ECDSA signatures are malleable: with (r, s) valid, (r, n - s) is valid too, so an ES256
// token has a twin that no one needed the key to make. The twin must not be a way around
// replay protection, revocation or the verification cache.
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function twin(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}

const key = makeKey('ES256');
const GET = { method: 'GET' } as const;

function verifierWith(options: Partial<VerifierOptions>): ServiceJwtVerifier {
  return createVerifier({
    issuers: { [ISSUER]: issuerConfig(key) },
    audience: AUDIENCE,
    now: () => NOW_MS,
    ...options,
  });
}

describe('the ECDSA twin of a token', () => {
  it('is a second valid spelling of the same token', async () => {
    const token = mint(key, claimsAt({ jti: 'twin-0' }));
    const other = twin(token);
    expect(other).not.toBe(token);
    const verifier = verifierWith({});
    const [a, b] = [
      await verifier.verify(bearer(token, GET)),
      await verifier.verify(bearer(other, GET)),
    ];
    expect(b.claims).toEqual(a.claims);
  });

  it('is refused as a replay: replay is keyed on (iss, jti), never on the token string', async () => {
    const verifier = verifierWith({ replay: createMemoryReplayStore({ now: () => NOW_MS }) });
    for (let round = 0; round < 50; round++) {
      const token = mint(key, claimsAt({ jti: `twin-${round}` }));
      const spellings = [token, twin(token)];
      // 200 parallel copies mixing both spellings: exactly one is accepted.
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          verifier.verify(bearer(spellings[i % 2] as string, GET)).then(
            () => 'accepted',
            (err: { code: string }) => err.code,
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'token_replayed')).toHaveLength(199);
    }
  });

  it('gets no way around the cache: a cached original does not vouch for its twin, and revocation holds for both', async () => {
    const revocation = createMemoryRevocationList({ now: () => NOW_MS });
    const verifier = verifierWith({ revocation });
    const token = mint(key, claimsAt({ jti: 'twin-cached' }));
    for (let i = 0; i < 3; i++) await verifier.verify(bearer(token, GET)); // cached by now
    await revocation.revokeToken(ISSUER, 'twin-cached', NOW_MS / 1000 + 300);
    expect((await caught(verifier.verify(bearer(token, GET)))).code).toBe('token_revoked');
    expect((await caught(verifier.verify(bearer(twin(token), GET)))).code).toBe('token_revoked');
  });

  it('with a tampered payload is no twin: the signature fails', async () => {
    const token = twin(mint(key, claimsAt({ jti: 'twin-tamper' })));
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(claimsAt({ jti: 'other' }))).toString('base64url')}.${signature}`;
    expect((await caught(verifierWith({}).verify(bearer(forged, GET)))).code).toBe(
      'signature_invalid',
    );
  });
});
