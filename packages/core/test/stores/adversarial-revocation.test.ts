import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import {
  createMemoryRevocationList,
  createVerifier,
  type JsonWebKeyInput,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import { SignJWT } from 'jose';

// Adversarial review: a key revoked by kid must stay revoked whatever the token's header says.
// An issuer whose set holds a single key accepts tokens without `kid`, so whoever holds the
// compromised private key simply leaves `kid` out (or, for a lone key configured without a
// kid, names any other kid).

const ISSUER = 'https://herald.service/';
const AUDIENCE = 'https://census.service/';
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk: JsonWebKeyInput = {
  ...(pair.publicKey.export({ format: 'jwk' }) as JsonWebKey),
  kid: 'herald-1',
  alg: 'ES256',
  use: 'sig',
} as JsonWebKeyInput;

function sign(kid: string | undefined): Promise<string> {
  return new SignJWT({ source: 'microservice' })
    .setProtectedHeader(kid === undefined ? { alg: 'ES256' } : { alg: 'ES256', kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(NOW)
    .setExpirationTime(NOW + 300)
    .sign(pair.privateKey);
}

async function codeOf(verifier: ServiceJwtVerifier, token: string): Promise<string> {
  try {
    await verifier.verifyToken(token);
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('adversarial: revocation by kid', () => {
  it('refuses a token without kid signed by a revoked local key', async () => {
    const revocation = createMemoryRevocationList({ now: () => NOW_MS });
    const verifier = createVerifier({
      issuers: { [ISSUER]: { publicKey: jwk } },
      audience: AUDIENCE,
      revocation,
      now: () => NOW_MS,
    });
    expect(await codeOf(verifier, await sign(undefined))).toBe('ok');
    await revocation.revokeKey(ISSUER, 'herald-1');
    expect(await codeOf(verifier, await sign('herald-1'))).toBe('token_revoked');
    expect(await codeOf(verifier, await sign(undefined))).toBe('token_revoked');
    await verifier.close();
  });

  it('refuses a token without kid signed by a revoked key of a JWKS issuer', async () => {
    const server = await serveJwks({ keys: [jwk] });
    const revocation = createMemoryRevocationList({ now: () => NOW_MS });
    const verifier = createVerifier({
      issuers: { [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true } },
      audience: AUDIENCE,
      revocation,
      now: () => NOW_MS,
    });
    try {
      await revocation.revokeKey(ISSUER, 'herald-1');
      expect(await codeOf(verifier, await sign('herald-1'))).toBe('token_revoked');
      expect(await codeOf(verifier, await sign(undefined))).toBe('token_revoked');
    } finally {
      await verifier.close();
      await server.close();
    }
  });

  it('still revokes by the named kid when the lone key has none', async () => {
    const { kid: _kid, ...withoutKid } = jwk as JsonWebKeyInput & { kid?: string };
    const revocation = createMemoryRevocationList({ now: () => NOW_MS });
    const verifier = createVerifier({
      issuers: { [ISSUER]: { publicKey: withoutKid as JsonWebKeyInput } },
      audience: AUDIENCE,
      revocation,
      now: () => NOW_MS,
    });
    await revocation.revokeKey(ISSUER, 'old-kid');
    expect(await codeOf(verifier, await sign('old-kid'))).toBe('token_revoked');
    expect(await codeOf(verifier, await sign('other-kid'))).toBe('ok');
    await verifier.close();
  });
});
