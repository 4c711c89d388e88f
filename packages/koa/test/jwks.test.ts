import Router from '@koa/router';
import {
  createSigner,
  createVerifier,
  generateKeyPair,
  isServiceJwtError,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import type KoaApp from 'koa';
import { jwksHandler, requireServiceJwt } from '../src/index.js';
import { bearer, KOA_VERSIONS, listen, type RunningApp } from './helpers.js';

const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

let signer: ServiceJwtSigner;
let nextKey: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  const first = await generateKeyPair('ES256', { kid: 'herald-1' });
  nextKey = await generateKeyPair('EdDSA', { kid: 'herald-2' });
  signer = createSigner({ issuer: ISSUER, keys: { key: first.privateKey, kid: first.kid } });
});

describe.each(KOA_VERSIONS)('%s', (_name, Koa) => {
  const running: RunningApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  async function start(app: KoaApp): Promise<RunningApp> {
    const started = await listen(app);
    running.push(started);
    return started;
  }

  it('serves the public key set at /.well-known/jwks.json with cache headers', async () => {
    const app = new Koa();
    app.use(jwksHandler(signer));
    app.use((ctx) => {
      ctx.body = 'next';
    });
    const server = await start(app);

    const response = await server.send({ method: 'GET', path: '/.well-known/jwks.json' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/jwk-set+json');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = response.json as { keys: Record<string, unknown>[] };
    expect(keys.map((key) => key.kid)).toEqual(['herald-1']);
    for (const member of PRIVATE_MEMBERS) expect(keys[0]).not.toHaveProperty(member);

    const head = await server.send({ method: 'HEAD', path: '/.well-known/jwks.json' });
    expect([head.status, head.body]).toEqual([200, '']);
    const post = await server.send({ method: 'POST', path: '/.well-known/jwks.json' });
    expect(post.body).toBe('next');
    const elsewhere = await server.send({ method: 'GET', path: '/other' });
    expect(elsewhere.body).toBe('next');
  });

  it('is a router handler with path: null and a custom max-age', async () => {
    const router = new Router();
    router.get('/keys', jwksHandler(signer, { path: null, maxAge: 60 }));
    const app = new Koa();
    app.use(router.routes());
    const server = await start(app);
    const response = await server.send({ method: 'GET', path: '/keys' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
  });

  it('publishes keys a verifier fetches: one Koa service signs, another verifies', async () => {
    const publisher = new Koa();
    publisher.use(jwksHandler(signer));
    const keys = await start(publisher);

    const verifier = createVerifier({
      issuers: {
        [ISSUER]: { jwksUri: `${keys.url}/.well-known/jwks.json`, allowInsecureHttp: true },
      },
      audience: AUDIENCE,
    });
    try {
      const app = new Koa();
      app.use(requireServiceJwt({ verifier }));
      app.use((ctx) => {
        ctx.body = { issuer: ctx.state.serviceJwt?.issuer };
      });
      const census = await start(app);
      const token = await signer.tokenFor(AUDIENCE);
      const response = await census.send({ method: 'GET', path: '/', headers: bearer(token) });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ issuer: ISSUER });
    } finally {
      await verifier.close();
    }
  });

  it('shows a rotation at once: the next key is published before it signs', async () => {
    const rotating = createSigner({
      issuer: ISSUER,
      keys: { key: (await generateKeyPair('ES256')).privateKey, kid: 'old' },
    });
    const app = new Koa();
    app.use(jwksHandler(rotating));
    const server = await start(app);
    const kids = async () =>
      (
        (await server.send({ method: 'GET', path: '/.well-known/jwks.json' })).json as {
          keys: { kid: string }[];
        }
      ).keys.map((key) => key.kid);
    expect(await kids()).toEqual(['old']);
    rotating.rotate({ key: nextKey.privateKey, kid: 'herald-2' });
    expect((await kids()).sort()).toEqual(['herald-2', 'old']);
  });
});

describe('jwksHandler options', () => {
  it.each([
    ['maxAge', { maxAge: -1 }],
    ['path', { path: 'jwks.json' }],
  ])('names %s when invalid', (option, options) => {
    let caught: unknown;
    try {
      jwksHandler(signer, options as never);
    } catch (err) {
      caught = err;
    }
    expect(isServiceJwtError(caught) && caught.code).toBe('configuration_error');
    expect((caught as Error).message).toContain(option);
  });
});
