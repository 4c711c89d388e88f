import { createVerifier, type ServiceJwtVerifier, type VerifierOptions } from '@service-jwt/core';
import {
  createTestIssuer,
  createTestVerifierOptions,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import type { FastifyInstance } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

const AUDIENCE = 'https://census.test/';
const ORDERS = 'https://orders.census.test/';

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = createTestVerifierOptions(issuer, undefined, { audience: AUDIENCE });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const whoami = async (request: {
  serviceJwt: { issuer: string; subject: string | undefined } | null;
}) => ({
  issuer: request.serviceJwt?.issuer ?? null,
  subject: request.serviceJwt?.subject ?? null,
});

describe.each(MAJORS)('%s', (_major, create) => {
  let app: FastifyInstance;
  afterEach(async () => app?.close());

  describe('registration', () => {
    it('fails ready() with configuration_error for invalid core options', async () => {
      app = create();
      app.register(serviceJwt, { audience: AUDIENCE } as unknown as VerifierOptions);
      await expect(app.ready()).rejects.toMatchObject({
        name: 'ServiceJwtError',
        code: 'configuration_error',
      });
    });

    it('fails ready() naming an invalid adapter option', async () => {
      app = create();
      app.register(serviceJwt, { ...options, onError: 'ignore' as 'throw' });
      await expect(app.ready()).rejects.toMatchObject({
        code: 'configuration_error',
        message: expect.stringContaining('onError'),
      });
    });

    it('fails ready() naming an invalid global option', async () => {
      app = create();
      app.register(serviceJwt, { ...options, global: 'yes' as unknown as boolean });
      await expect(app.ready()).rejects.toMatchObject({
        code: 'configuration_error',
        message: expect.stringContaining('global'),
      });
    });

    it('refuses invalid route options when the hook is made', async () => {
      app = create();
      await app.register(serviceJwt, options);
      expect(() => app.requireServiceJwt({ maxTokenAge: -1 })).toThrow(
        expect.objectContaining({ code: 'configuration_error' }),
      );
    });

    it('refuses a route that gives options both in config and in requireServiceJwt', async () => {
      app = create();
      await app.register(serviceJwt, options);
      expect(() =>
        app.get(
          '/x',
          { config: { serviceJwt: { audience: ORDERS } }, preHandler: app.requireServiceJwt() },
          whoami,
        ),
      ).toThrow(expect.objectContaining({ code: 'configuration_error' }));
    });
  });

  describe('per-route protection', () => {
    beforeEach(async () => {
      app = create();
      await app.register(serviceJwt, options);
      app.get('/hook', { preHandler: app.requireServiceJwt() }, whoami);
      app.get(
        '/hook-orders',
        { preHandler: [app.requireServiceJwt({ audience: ORDERS })] },
        whoami,
      );
      app.get('/config', { config: { serviceJwt: true } }, whoami);
      app.get('/config-orders', { config: { serviceJwt: { audience: ORDERS } } }, whoami);
      app.get('/open', whoami);
    });

    it('attaches request.serviceJwt on a preHandler-protected route', async () => {
      const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'user-7' });
      const response = await send(app, { method: 'GET', url: '/hook', headers: bearer(token) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ issuer: issuer.issuer, subject: 'user-7' });
    });

    it('refuses a request without a token with a bare challenge', async () => {
      for (const url of ['/hook', '/config']) {
        const response = await send(app, { method: 'GET', url });
        expect(response.statusCode).toBe(401);
        expect(response.json().code).toBe('token_missing');
        expect(response.headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
      }
    });

    it('applies per-route overrides from requireServiceJwt and from config', async () => {
      const forOrders = await issuer.sign({}, { audience: ORDERS });
      const forCensus = await issuer.sign({}, { audience: AUDIENCE });
      for (const url of ['/hook-orders', '/config-orders']) {
        expect(
          (await send(app, { method: 'GET', url, headers: bearer(forOrders) })).statusCode,
        ).toBe(200);
        const refused = await send(app, { method: 'GET', url, headers: bearer(forCensus) });
        expect(refused.statusCode).toBe(401);
        expect(refused.json().code).toBe('audience_mismatch');
      }
      expect(
        (await send(app, { method: 'GET', url: '/config', headers: bearer(forCensus) })).statusCode,
      ).toBe(200);
    });

    it('leaves undeclared routes alone (request.serviceJwt stays null)', async () => {
      const response = await send(app, { method: 'GET', url: '/open' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ issuer: null, subject: null });
    });

    it('protects the HEAD route Fastify derives from a GET route', async () => {
      expect((await send(app, { method: 'HEAD', url: '/hook' })).statusCode).toBe(401);
      const token = await issuer.sign({}, { audience: AUDIENCE });
      expect(
        (await send(app, { method: 'HEAD', url: '/hook', headers: bearer(token) })).statusCode,
      ).toBe(200);
    });

    it('still runs a second requireServiceJwt hook that a GET route lists', async () => {
      app.get(
        '/both',
        { preHandler: [app.requireServiceJwt(), app.requireServiceJwt({ audience: ORDERS })] },
        whoami,
      );
      const forCensus = await issuer.sign({}, { audience: AUDIENCE });
      const refused = await send(app, { method: 'GET', url: '/both', headers: bearer(forCensus) });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().code).toBe('audience_mismatch');
      const forBoth = await issuer.sign({}, { audience: [AUDIENCE, ORDERS], subject: 'both' });
      const accepted = await send(app, { method: 'GET', url: '/both', headers: bearer(forBoth) });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toEqual({ issuer: issuer.issuer, subject: 'both' });
    });

    it('has request.serviceJwt set for the route hooks of GET and POST routes alike', async () => {
      const seen: (string | null)[] = [];
      const look = async (request: { serviceJwt: { subject: string | undefined } | null }) => {
        seen.push(request.serviceJwt?.subject ?? null);
      };
      for (const method of ['GET', 'POST'] as const) {
        app.route({
          method,
          url: '/looked-at',
          preValidation: look,
          preHandler: [look, app.requireServiceJwt(), look],
          handler: whoami,
        });
      }
      for (const method of ['GET', 'POST']) {
        const token = await issuer.sign({}, { audience: AUDIENCE, subject: method });
        const response = await send(app, { method, url: '/looked-at', headers: bearer(token) });
        expect(response.statusCode).toBe(200);
        expect(response.json().subject).toBe(method);
      }
      // The GET route is verified in onRequest, before every route hook; the POST route attaches
      // the result where its preHandler list names the guard.
      expect(seen).toEqual(['GET', 'GET', 'GET', null, null, 'POST']);
    });

    it('binds htm/htu to request.method and request.url', async () => {
      const token = await issuer.signRequest({
        method: 'GET',
        url: '/hook?page=2',
        audience: AUDIENCE,
      });
      expect(
        (await send(app, { method: 'GET', url: '/hook?page=2', headers: bearer(token) }))
          .statusCode,
      ).toBe(200);
      const moved = await send(app, { method: 'GET', url: '/hook?page=3', headers: bearer(token) });
      expect(moved.statusCode).toBe(401);
      expect(moved.json().code).toBe('request_binding_mismatch');
    });
  });

  describe('global mode', () => {
    beforeEach(async () => {
      app = create();
      await app.register(serviceJwt, { ...options, global: true });
      app.get('/a', whoami);
      app.get('/orders', { config: { serviceJwt: { audience: ORDERS } } }, whoami);
      app.get('/health', { config: { serviceJwt: false } }, whoami);
      app.register(async (child) => {
        child.get('/child', whoami);
      });
    });

    it('protects every route of the scope and its children', async () => {
      for (const url of ['/a', '/orders', '/child']) {
        expect((await send(app, { method: 'GET', url })).json().code).toBe('token_missing');
      }
      const token = await issuer.sign({}, { audience: AUDIENCE });
      expect(
        (await send(app, { method: 'GET', url: '/child', headers: bearer(token) })).statusCode,
      ).toBe(200);
      const orders = await issuer.sign({}, { audience: ORDERS });
      expect(
        (await send(app, { method: 'GET', url: '/orders', headers: bearer(orders) })).statusCode,
      ).toBe(200);
    });

    it('lets a route opt out with config.serviceJwt = false', async () => {
      const response = await send(app, { method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ issuer: null, subject: null });
    });
  });

  describe('encapsulation', () => {
    it('does not touch routes or decorators of a sibling scope', async () => {
      app = create();
      app.register(async (secured) => {
        await secured.register(serviceJwt, { ...options, global: true });
        secured.get('/secured', whoami);
      });
      let siblingHasHook: boolean | undefined;
      app.register(async (sibling) => {
        siblingHasHook = sibling.hasDecorator('requireServiceJwt');
        sibling.get('/sibling', async () => ({ ok: true }));
      });
      await app.ready();
      expect(siblingHasHook).toBe(false);
      expect((await send(app, { method: 'GET', url: '/secured' })).statusCode).toBe(401);
      const sibling = await send(app, { method: 'GET', url: '/sibling' });
      expect(sibling.statusCode).toBe(200);
      expect(sibling.json()).toEqual({ ok: true });
    });

    it('refuses a second registration in a child scope with configuration_error naming the fix', async () => {
      app = create();
      await app.register(serviceJwt, options);
      app.register(async (child) => {
        await child.register(serviceJwt, { ...options, audience: ORDERS });
      });
      const err = await app.ready().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(err).toMatchObject({ code: 'configuration_error', status: 500 });
      expect((err as Error).message).toContain('app.requireServiceJwt(options)');
      expect((err as { code?: string }).code).not.toBe('FST_ERR_DEC_ALREADY_PRESENT');
    });

    it('gives a child scope its own route options, replay included, with one registration', async () => {
      app = create();
      await app.register(serviceJwt, options);
      app.register(async (child) => {
        child.get('/child', { preHandler: child.requireServiceJwt({ audience: ORDERS }) }, whoami);
      });
      const token = await issuer.sign({}, { audience: ORDERS });
      const response = await send(app, {
        method: 'GET',
        url: '/child',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
    });
  });

  describe('a hook used where the plugin is not registered', () => {
    it('verifies in preHandler, and refuses a body hash it cannot check with configuration_error', async () => {
      app = create();
      let hook: ReturnType<FastifyInstance['requireServiceJwt']> | undefined;
      await app.register(async (secured) => {
        await secured.register(serviceJwt, options);
        hook = secured.requireServiceJwt();
      });
      await app.register(async (sibling) => {
        if (hook === undefined) throw new Error('hook not made');
        sibling.get('/late', { preHandler: hook }, whoami);
        sibling.post('/late', { preHandler: hook }, whoami);
      });
      const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'svc' });
      const get = await send(app, { method: 'GET', url: '/late', headers: bearer(token) });
      expect(get.json()).toEqual({ issuer: issuer.issuer, subject: 'svc' });
      expect((await send(app, { method: 'GET', url: '/late' })).json().code).toBe('token_missing');
      const bound = await issuer.signRequest({
        method: 'POST',
        url: '/late',
        body: '{}',
        audience: AUDIENCE,
      });
      const post = await send(app, {
        method: 'POST',
        url: '/late',
        headers: { ...bearer(bound), 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(post.statusCode).toBe(500);
      expect(post.json().code).toBe('configuration_error');
    });
  });

  describe('one verifier for every route', () => {
    it('fetches the JWKS once for routes with different audiences', async () => {
      const jwks = await serveJwks(issuer);
      try {
        app = create();
        await app.register(
          serviceJwt,
          createTestVerifierOptions(issuer, jwks, { audience: AUDIENCE }),
        );
        app.get('/census', { preHandler: app.requireServiceJwt() }, whoami);
        app.get('/orders', { config: { serviceJwt: { audience: ORDERS } } }, whoami);
        const census = await send(app, {
          method: 'GET',
          url: '/census',
          headers: bearer(await issuer.sign({}, { audience: AUDIENCE })),
        });
        const orders = await send(app, {
          method: 'GET',
          url: '/orders',
          headers: bearer(await issuer.sign({}, { audience: ORDERS })),
        });
        expect([census.statusCode, orders.statusCode]).toEqual([200, 200]);
        expect(jwks.requests).toBe(1);
      } finally {
        await app.close();
        await jwks.close();
      }
    });

    it('reuses a verifier given as { verifier } and leaves it open on close', async () => {
      const verifier: ServiceJwtVerifier = createVerifier(options);
      app = create();
      await app.register(serviceJwt, { verifier, realm: 'census' });
      expect(app.serviceJwtVerifier).toBe(verifier);
      app.get('/x', { preHandler: app.requireServiceJwt() }, whoami);
      const refused = await send(app, { method: 'GET', url: '/x' });
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="census"');
      await app.close();
      const token = await issuer.sign({}, { audience: AUDIENCE });
      await expect(verifier.verifyToken(token)).resolves.toMatchObject({ issuer: issuer.issuer });
      await verifier.close();
    });
  });
});
