import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createSigner,
  generateKeyPair,
  type PublicJwk,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';

// Our tokens, verified by other libraries against our published set on a loopback server.
const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
type Alg = (typeof ALGORITHMS)[number];

const signers = new Map<Alg, ServiceJwtSigner>();
let server: JwksServer;

beforeAll(async () => {
  for (const algorithm of ALGORITHMS) {
    const { privateKey } = await generateKeyPair(algorithm);
    signers.set(algorithm, createSigner({ issuer: ISS, keys: { key: privateKey, algorithm } }));
  }
  // One published set holding every signer's key, as one issuer with several keys would.
  server = await serveJwks(() => ({ keys: [...signers.values()].flatMap((s) => s.jwks().keys) }));
});
afterAll(() => server.close());

async function publishedKey(kid: string | undefined): Promise<KeyObject> {
  const set = (await (await fetch(server.url)).json()) as { keys: PublicJwk[] };
  const jwk = set.keys.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`kid ${kid} is not published`);
  return createPublicKey({ key: jwk, format: 'jwk' });
}

const mint = (algorithm: Alg) =>
  (signers.get(algorithm) as ServiceJwtSigner).sign(
    { scope: 'orders:read' },
    { audience: AUD, subject: 'user-1' },
  );

describe.each(ALGORITHMS)('%s', (algorithm) => {
  it("verifies with jose's jwtVerify + createRemoteJWKSet", async () => {
    const jwks = createRemoteJWKSet(new URL(server.url));
    const { payload } = await jwtVerify(await mint(algorithm), jwks, {
      issuer: ISS,
      audience: AUD,
    });
    expect(payload).toMatchObject({ sub: 'user-1', source: 'microservice', scope: 'orders:read' });
  });

  it('verifies with fast-jwt', async () => {
    const verify = createFastJwtVerifier({
      key: async ({ header }: { header: { kid?: string } }) =>
        (await publishedKey(header.kid)).export({ format: 'pem', type: 'spki' }).toString(),
      algorithms: [algorithm],
      allowedIss: ISS,
      allowedAud: AUD,
    });
    await expect(verify(await mint(algorithm))).resolves.toMatchObject({ iss: ISS, sub: 'user-1' });
  });
});

// jsonwebtoken implements no EdDSA.
describe.each(['RS256', 'PS256', 'ES256', 'ES384'] as const)('%s', (algorithm) => {
  it('verifies with jsonwebtoken', async () => {
    const token = await mint(algorithm);
    const payload = await new Promise((resolve, reject) => {
      jsonwebtoken.verify(
        token,
        (header, callback) => {
          publishedKey(header.kid).then((key) => callback(null, key), callback);
        },
        { algorithms: [algorithm], issuer: ISS, audience: AUD },
        (err, decoded) => (err ? reject(err) : resolve(decoded)),
      );
    });
    expect(payload).toMatchObject({ iss: ISS, sub: 'user-1' });
  });
});

// aws-jwt-verify implements no PS*. Its default fetcher is https-only (node:https); its
// documented hook is a custom Fetcher on SimpleJwksCache, used here to fetch over loopback http.
describe.each(['RS256', 'ES256', 'ES384', 'EdDSA'] as const)('%s', (algorithm) => {
  it("verifies with aws-jwt-verify's generic JwtVerifier", async () => {
    let fetches = 0;
    const jwksCache = new SimpleJwksCache({
      fetcher: {
        fetch: async (uri: string) => {
          fetches += 1;
          return (await fetch(uri)).arrayBuffer();
        },
      },
    });
    const verifier = JwtVerifier.create(
      { issuer: ISS, audience: AUD, jwksUri: server.url },
      { jwksCache },
    );
    await expect(verifier.verify(await mint(algorithm))).resolves.toMatchObject({
      iss: ISS,
      sub: 'user-1',
    });
    expect(fetches).toBe(1);
  });
});
