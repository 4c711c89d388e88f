import { createSigner, generateKeyPair, type ServiceJwtSigner } from '@service-jwt/core';
import type { FastifyInstance } from 'fastify';
import { jwksHandler, serviceJwt, serviceJwtJwks } from '../src/index.js';
import { listen, MAJORS, send } from './apps.js';

const ISSUER = 'https://m1.test/';
const AUDIENCE = 'https://census.test/';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

let signer: ServiceJwtSigner;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256');
  signer = createSigner({ issuer: ISSUER, keys: privateKey });
});

describe.each(MAJORS)('%s', (_major, create) => {
  let app: FastifyInstance;
  afterEach(async () => app.close());

  it('serves the public set at /.well-known/jwks.json with cache headers', async () => {
    app = create();
    await app.register(serviceJwtJwks, { signer });
    const response = await send(app, { method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    // Fastify appends `; charset=utf-8` to textual payloads.
    expect(response.headers['content-type']).toMatch(
      /^application\/jwk-set\+json(; charset=utf-8)?$/,
    );
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const set = response.json() as { keys: Record<string, unknown>[] };
    expect(set.keys).toHaveLength(1);
    for (const member of PRIVATE_MEMBERS) expect(set.keys[0]).not.toHaveProperty(member);
  });

  it('honours path, prefix and maxAge, and a hand-mounted handler', async () => {
    app = create();
    await app.register(serviceJwtJwks, { signer, path: '/keys', maxAge: 60, prefix: '/auth' });
    app.get('/custom/jwks', jwksHandler(signer, { maxAge: 5 }));
    const prefixed = await send(app, { method: 'GET', url: '/auth/keys' });
    expect(prefixed.headers['cache-control']).toBe('public, max-age=60');
    const custom = await send(app, { method: 'GET', url: '/custom/jwks' });
    expect(custom.headers['cache-control']).toBe('public, max-age=5');
    expect(custom.json()).toEqual(signer.jwks());
  });

  it('fails ready() with configuration_error for a bad maxAge or a missing signer', async () => {
    app = create();
    app.register(serviceJwtJwks, { signer, maxAge: -1 });
    await expect(app.ready()).rejects.toMatchObject({ code: 'configuration_error' });
    await app.close();
    app = create();
    app.register(serviceJwtJwks, {} as { signer: ServiceJwtSigner });
    await expect(app.ready()).rejects.toMatchObject({ code: 'configuration_error' });
  });

  it('publishes keys a protected route of another app verifies against', async () => {
    app = create();
    await app.register(serviceJwtJwks, { signer });
    const jwksUrl = `${await listen(app)}/.well-known/jwks.json`;
    const census = create();
    try {
      await census.register(serviceJwt, {
        issuers: { [ISSUER]: { jwksUri: jwksUrl, allowInsecureHttp: true } },
        audience: AUDIENCE,
        global: true,
      });
      census.get('/orders', async (request) => ({ issuer: request.serviceJwt?.issuer }));
      const token = await signer.sign({}, { audience: AUDIENCE });
      const response = await send(census, {
        method: 'GET',
        url: '/orders',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ issuer: ISSUER });
    } finally {
      await census.close();
    }
  });
});
