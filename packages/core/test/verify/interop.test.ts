import { createVerifier } from '@service-jwt/core';
import { SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import {
  AUDIENCE,
  claimsAt,
  type FixtureAlg,
  ISSUER,
  issuerConfig,
  makeKey,
  NOW,
  NOW_MS,
} from '../fixtures.js';

const ALGS: readonly FixtureAlg[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'HS256'];
const keys = Object.fromEntries(ALGS.map((alg) => [alg, makeKey(alg, `kid-${alg}`)]));

function verifierFor(alg: FixtureAlg) {
  const key = keys[alg] as ReturnType<typeof makeKey>;
  return createVerifier({
    issuers: { [ISSUER]: issuerConfig(key) },
    audience: AUDIENCE,
    now: () => NOW_MS,
  });
}

describe.each(ALGS)('%s interop', (alg) => {
  const key = keys[alg] as ReturnType<typeof makeKey>;
  const verifier = verifierFor(alg);

  it('verifies a token signed by jose', async () => {
    const { iss, aud, sub, ...rest } = claimsAt({ roles: ['reader'] });
    const token = await new SignJWT(rest)
      .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(iss as string)
      .setAudience(aud as string)
      .setSubject(sub as string)
      .sign(key.privateKey);
    const result = await verifier.verifyToken(token);
    expect(result.claims.roles).toEqual(['reader']);
    expect(result.header.alg).toBe(alg);
  });
});

// jsonwebtoken 9 signs RS/PS/ES/HS but not EdDSA.
describe.each(ALGS.filter((alg) => alg !== 'EdDSA'))('%s tokens from jsonwebtoken', (alg) => {
  const key = keys[alg] as ReturnType<typeof makeKey>;
  const verifier = verifierFor(alg);

  it('verify', async () => {
    const privateKey =
      alg === 'HS256'
        ? (key.secret as Buffer)
        : key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = jsonwebtoken.sign(claimsAt(), privateKey, {
      algorithm: alg as jsonwebtoken.Algorithm,
      keyid: key.kid,
      noTimestamp: true,
    });
    const result = await verifier.verifyToken(token);
    expect(result.subject).toBe('orders');
    expect(result.claims.exp).toBe(NOW + 300);
  });
});
