import { createHash } from 'node:crypto';
import { createTestIssuer, serveJwks, type TestIssuer } from '@service-jwt/testing';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';

const AUD = 'https://orders.test/';
let es: TestIssuer;
let hs: TestIssuer;

beforeAll(async () => {
  es = await createTestIssuer();
  hs = await createTestIssuer({ algorithm: 'HS256', issuer: 'https://hs.test/' });
});

const verifyEs = (token: string) =>
  jwtVerify(token, createLocalJWKSet(es.jwks), { issuer: es.issuer, audience: AUD });

describe('createTestIssuer', () => {
  it('mints valid tokens with the stamped claims', async () => {
    const { payload, protectedHeader } = await verifyEs(
      await es.sign({ role: 'x' }, { audience: AUD, subject: 'u1' }),
    );
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: es.kid });
    expect(payload).toMatchObject({
      iss: es.issuer,
      aud: AUD,
      sub: 'u1',
      source: 'microservice',
      role: 'x',
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each(['RS256', 'PS256', 'ES384', 'EdDSA'] as const)('signs with %s', async (algorithm) => {
    const issuer = await createTestIssuer({ algorithm });
    const token = await issuer.sign({}, { audience: AUD });
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(issuer.jwks));
    expect(protectedHeader.alg).toBe(algorithm);
    expect(JSON.stringify(issuer.jwks)).not.toMatch(/"(d|p|q|dp|dq|qi|k)"/);
  });

  it('HS256 issuers publish nothing and verify with their secret', async () => {
    expect(hs.jwks.keys).toEqual([]);
    expect('secret' in hs.keys).toBe(true);
    const secret = (hs.keys as { secret: Uint8Array }).secret;
    await expect(jwtVerify(await hs.sign({}, { audience: AUD }), secret)).resolves.toBeDefined();
  });

  it('binds request tokens to method, target and body bytes', async () => {
    const token = await es.signRequest({
      method: 'post',
      url: 'http://m2.test/orders?id=1',
      body: '{"a":1}',
      audience: AUD,
    });
    const { payload } = await verifyEs(token);
    expect(payload).toMatchObject({
      htm: 'POST',
      htu: '/orders?id=1',
      bdy: createHash('sha256').update('{"a":1}').digest('base64url'),
    });
    expect(payload.exp! - payload.iat!).toBe(60);
    const empty = decodeJwt(await es.signRequest({ method: 'GET', url: '/', audience: AUD }));
    expect(empty.bdy).toBe(createHash('sha256').update('').digest('base64url'));
  });

  it('mints each kind of invalid token', async () => {
    await expect(verifyEs(await es.expired(AUD))).rejects.toBeInstanceOf(errors.JWTExpired);
    await expect(verifyEs(await es.notYetValid(AUD))).rejects.toBeInstanceOf(
      errors.JWTClaimValidationFailed,
    );
    await expect(verifyEs(await es.wrongAudience())).rejects.toMatchObject({ claim: 'aud' });
    await expect(verifyEs(await es.wrongIssuer(AUD))).rejects.toMatchObject({ claim: 'iss' });
    expect(decodeJwt(await es.wrongSource(AUD)).source).toBe('user');
    await expect(verifyEs(await es.tamperedSignature(AUD))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(verifyEs(await es.wrongKey(AUD))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(verifyEs(await es.unsigned(AUD))).rejects.toBeDefined();
    const { token, body } = await es.tamperedBody({
      method: 'POST',
      url: '/x',
      body: 'hello',
      audience: AUD,
    });
    expect(decodeJwt(token).bdy).toBe(createHash('sha256').update('hello').digest('base64url'));
    expect(Buffer.from(body).toString()).not.toBe('hello');
    expect(body.length).toBe(5);
  });

  it('honours omit, jti: false, header and now', async () => {
    const token = await es.sign(
      {},
      {
        audience: AUD,
        omit: ['exp', 'source'],
        jti: false,
        now: 1_000_000,
        header: { typ: 'at+jwt' },
      },
    );
    const payload = decodeJwt(token);
    expect(payload).toEqual({ iss: es.issuer, iat: 1000, aud: AUD });
  });
});

describe('serveJwks', () => {
  it('serves, counts, switches keys, fails on demand and restarts on the same port', async () => {
    const server = await serveJwks(es);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
      const token = await es.sign({}, { audience: AUD });
      await expect(
        jwtVerify(token, createRemoteJWKSet(new URL(server.url))),
      ).resolves.toBeDefined();
      expect(server.requests).toBe(1);

      server.respondWith(500, 'oops');
      expect((await fetch(server.url)).status).toBe(500);
      server.setKeys([]);
      expect(await (await fetch(server.url)).json()).toEqual({ keys: [] });

      const res = await fetch(new URL('.well-known/openid-configuration', server.origin));
      const discovery = (await res.json()) as { jwks_uri: string };
      expect(discovery.jwks_uri).toBe(server.url);

      const url = server.url;
      await server.stop();
      await expect(fetch(url)).rejects.toThrow();
      await server.start();
      expect(server.url).toBe(url);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('hangs requests until released', async () => {
    const server = await serveJwks(() => es.jwks);
    try {
      server.hang(true);
      const pending = fetch(server.url);
      for (let i = 0; i < 100 && server.requests === 0; i++)
        await new Promise((r) => setTimeout(r, 5));
      expect(server.requests).toBe(1);
      server.hang(false);
      expect(((await (await pending).json()) as { keys: unknown[] }).keys).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
