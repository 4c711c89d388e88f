import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { errorResponse } from '../../src/errors/service-jwt-error.js';
import type { VerifierOptions } from '../../src/verify/options.js';
import { createVerifier } from '../../src/verify/verifier.js';
import type { ServiceJwtVerifier } from '../../src/verify/verifier-interface.js';
import {
  caught,
  ecKeyPair,
  type JwksServer,
  publicJwk,
  startJwksServer,
} from '../keys/jwks-server.js';

// End to end: key sources as the verifier uses them.
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'https://audience.test';
const [k1, k2] = [ecKeyPair(), ecKeyPair()];
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

let clock = 1_700_000_000_000;
let server: JwksServer;
const verifiers: ServiceJwtVerifier[] = [];

beforeEach(async () => {
  server = await startJwksServer();
  server.keys = [publicJwk(k1.publicKey, { kid: 'k1', alg: 'ES256', use: 'sig' })];
});
afterEach(async () => {
  for (const verifier of verifiers.splice(0)) await verifier.close();
  await server.close();
});

function verifier(issuer: VerifierOptions['issuers'][string]): ServiceJwtVerifier {
  const created = createVerifier({
    issuers: { [ISSUER]: issuer },
    audience: AUDIENCE,
    now: () => clock,
  });
  verifiers.push(created);
  return created;
}

function sign(key: KeyObject | Uint8Array, alg: string, kid?: string): Promise<string> {
  const seconds = Math.floor(clock / 1000);
  return new SignJWT({ source: 'microservice' })
    .setProtectedHeader(kid === undefined ? { alg } : { alg, kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + 3600)
    .sign(key);
}

describe('key sources through createVerifier', () => {
  it('verifies with a JWKS, follows rotation and drops the removed key', async () => {
    const v = verifier({ jwksUri: server.jwksUrl, allowInsecureHttp: true, cacheMaxAge: 60 });
    const old = await sign(k1.privateKey, 'ES256', 'k1');
    expect((await v.verifyToken(old)).issuer).toBe(ISSUER);
    server.keys = [publicJwk(k2.publicKey, { kid: 'k2' })];
    clock += 61_000;
    const next = await sign(k2.privateKey, 'ES256', 'k2');
    expect((await v.verifyToken(next)).issuer).toBe(ISSUER);
    const err = await caught(() => v.verifyToken(old));
    expect(err.code).toBe('key_not_found');
    expect(errorResponse(err).headers['www-authenticate']).toContain('error="invalid_token"');
    expect(server.jwksRequests).toBe(2);
  });

  it('answers 503 with Retry-After when the key set cannot be fetched', async () => {
    server.mode = 'error';
    const v = verifier({ jwksUri: server.jwksUrl, allowInsecureHttp: true });
    const err = await caught(async () => v.verifyToken(await sign(k1.privateKey, 'ES256', 'k1')));
    expect(err.code).toBe('keys_unavailable');
    const res = errorResponse(err);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('refuses a token whose alg is not the key-bound algorithm', async () => {
    const v = verifier({ publicKey: rsa.publicKey });
    expect((await v.verifyToken(await sign(rsa.privateKey, 'RS256'))).issuer).toBe(ISSUER);
    const err = await caught(async () => v.verifyToken(await sign(rsa.privateKey, 'PS256')));
    expect(err.code).toBe('algorithm_not_allowed');
    expect(err.status).toBe(401);
  });

  it('verifies HS256 with a secret issuer and refuses a configured weak key', async () => {
    const v = verifier({ secret: SECRET });
    expect((await v.verifyToken(await sign(Buffer.from(SECRET), 'HS256'))).issuer).toBe(ISSUER);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const err = await caught(() => verifier({ publicKey: weak.publicKey }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`issuers["${ISSUER}"].publicKey`);
  });
});
