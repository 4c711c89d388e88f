import type { ServiceJwtError, VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import type { FastifyInstance } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

// Adversarial review: a route that declares `config: { serviceJwt: ... }` in a scope the plugin
// never sees (a sibling of the scope that registered it, or the parent) used to be served
// with no check at all. The declaration says "protect me": the app must fail to start
// instead of failing open.

const AUDIENCE = 'https://census.test/';
let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = { issuers: { [issuer.issuer]: issuer.keys }, audience: AUDIENCE };
});

async function readyError(app: FastifyInstance): Promise<ServiceJwtError | undefined> {
  try {
    await app.ready();
    return undefined;
  } catch (err) {
    return err as ServiceJwtError;
  } finally {
    await app.close();
  }
}

describe.each(MAJORS)('%s: config.serviceJwt outside the plugin scope', (_name, create) => {
  it('refuses to start with such a route in a sibling scope', async () => {
    const app = create();
    app.register(async (secured) => {
      await secured.register(serviceJwt, options);
      secured.get('/secured', { config: { serviceJwt: true } }, async () => ({ ok: true }));
    });
    app.register(async (sibling) => {
      sibling.get('/sibling', { config: { serviceJwt: true } }, async () => ({ ok: true }));
    });
    const err = await readyError(app);
    expect(err?.code).toBe('configuration_error');
    expect(err?.message).toContain('/sibling');
  });

  it('refuses to start with such a route in the parent scope, declared after registration', async () => {
    const app = create();
    await app.register(async (secured) => {
      await secured.register(serviceJwt, options);
    });
    app.get('/parent', { config: { serviceJwt: { audience: AUDIENCE } } }, async () => ({}));
    expect((await readyError(app))?.code).toBe('configuration_error');
  });

  it('refuses requests to such a route declared before registration (500 configuration_error)', async () => {
    const app = create();
    app.get('/early', { config: { serviceJwt: true } }, async () => ({ ok: true }));
    await app.register(serviceJwt, options);
    app.get('/late', { config: { serviceJwt: true } }, async () => ({ ok: true }));
    try {
      await app.ready();
      const token = await issuer.sign({}, { audience: AUDIENCE });
      const early = await send(app, {
        method: 'GET',
        url: '/early',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(early.statusCode).toBe(500);
      expect(early.json().code).toBe('configuration_error');
      const late = await send(app, {
        method: 'GET',
        url: '/late',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(late.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('starts when every such route is in the plugin scope, and protects it', async () => {
    const app = create();
    app.register(async (secured) => {
      await secured.register(serviceJwt, options);
      secured.get('/secured', { config: { serviceJwt: true } }, async () => ({ ok: true }));
    });
    app.register(async (sibling) => {
      sibling.get('/open', { config: { serviceJwt: false } }, async () => ({ ok: true }));
      sibling.get('/plain', async () => ({ ok: true }));
    });
    try {
      await app.ready();
      expect((await send(app, { method: 'GET', url: '/secured' })).statusCode).toBe(401);
      expect((await send(app, { method: 'GET', url: '/open' })).statusCode).toBe(200);
      expect((await send(app, { method: 'GET', url: '/plain' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('starts when the plugin is registered at the root', async () => {
    const app = create();
    await app.register(serviceJwt, options);
    app.register(
      async (child) => {
        child.get('/', { config: { serviceJwt: true } }, async () => ({ ok: true }));
        child.route({
          method: ['GET', 'POST'],
          url: '/orders/:id',
          config: { serviceJwt: true },
          handler: async () => ({ ok: true }),
        });
      },
      { prefix: '/child' },
    );
    try {
      await app.ready();
      const token = await issuer.sign({}, { audience: AUDIENCE });
      for (const [method, url] of [
        ['GET', '/child'],
        ['GET', '/child/'],
        ['GET', '/child/orders/1'],
        ['POST', '/child/orders/1'],
        ['HEAD', '/child/orders/1'],
      ] as const) {
        expect((await send(app, { method, url })).statusCode).toBe(401);
        const headers = { authorization: `Bearer ${token}` };
        expect((await send(app, { method, url, headers })).statusCode).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});
