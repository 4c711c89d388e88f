import Router from '@koa/router';
import { thrownBy } from '@service-jwt/conformance';
import { createVerifier, type VerifierOptions } from '@service-jwt/core';
import {
  createTestIssuer,
  createTestVerifierOptions,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import type KoaApp from 'koa';
import { requireServiceJwt, ServiceJwtError, serviceJwt } from '../src/index.js';
import { bearer, KOA_VERSIONS, listen, type RunningApp } from './helpers.js';

const AUDIENCE = 'https://census.test/';
const ADMIN_AUDIENCE = 'https://admin.census.test/';
const NOW = Date.UTC(2026, 0, 1, 12);
const now = () => NOW;

let issuer: TestIssuer;
let other: TestIssuer;
let jwks: JwksServer;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/', now });
  other = await createTestIssuer({ issuer: 'https://other.test/', now });
  jwks = await serveJwks(issuer);
});

afterAll(() => jwks.close());

function options(overrides: Partial<VerifierOptions> = {}): VerifierOptions {
  return createTestVerifierOptions(issuer, jwks, {
    audience: AUDIENCE,
    now,
    ...overrides,
    issuers: { [other.issuer]: other.keys, ...overrides.issuers },
  });
}

describe.each(KOA_VERSIONS)('%s', (_name, Koa) => {
  const apps: RunningApp[] = [];
  const verifiers: { close(): Promise<void> }[] = [];

  async function start(app: KoaApp): Promise<RunningApp> {
    const running = await listen(app);
    apps.push(running);
    return running;
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(verifiers.splice(0).map((verifier) => verifier.close()));
  });

  function echoResult(ctx: KoaApp.Context): void {
    const result = ctx.state.serviceJwt;
    ctx.body = { issuer: result?.issuer, subject: result?.subject, source: result?.claims.source };
  }

  describe('app-wide', () => {
    it('puts the verified result at ctx.state.serviceJwt', async () => {
      const guard = requireServiceJwt(options());
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(guard);
      app.use(echoResult);
      const running = await start(app);
      const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'user-7' });
      const response = await running.send({ method: 'GET', path: '/', headers: bearer(token) });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        issuer: issuer.issuer,
        subject: 'user-7',
        source: 'microservice',
      });
    });

    it('answers a refused request with status, WWW-Authenticate and the JSON body', async () => {
      const guard = requireServiceJwt(options());
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(guard);
      app.use((ctx) => {
        ctx.body = 'never';
      });
      const running = await start(app);

      const missing = await running.send({ method: 'GET', path: '/' });
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
      expect(missing.headers['content-type']).toMatch(/^application\/json/);
      expect(missing.json).toMatchObject({ code: 'token_missing', error: 'invalid_request' });

      const expired = await running.send({
        method: 'GET',
        path: '/',
        headers: bearer(await issuer.expired(AUDIENCE)),
      });
      expect(expired.status).toBe(401);
      expect(expired.headers['www-authenticate']).toMatch(
        /^Bearer realm="service-jwt", error="invalid_token"/,
      );
      expect(expired.json).toMatchObject({ code: 'token_expired', error: 'invalid_token' });

      const user = await running.send({
        method: 'GET',
        path: '/',
        headers: bearer(await issuer.wrongSource(AUDIENCE)),
      });
      expect(user.status).toBe(403);
      expect(user.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(user.json).toMatchObject({ code: 'source_mismatch' });
    });

    it('uses the configured realm in the challenge', async () => {
      const guard = requireServiceJwt({ ...options(), realm: 'census' });
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(guard);
      const running = await start(app);
      const response = await running.send({ method: 'GET', path: '/' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="census"');
    });

    it('refuses two Authorization headers (Node keeps only the first in req.headers)', async () => {
      const guard = requireServiceJwt(options());
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(guard);
      app.use(echoResult);
      const running = await start(app);
      const token = await issuer.sign({}, { audience: AUDIENCE });
      const response = await running.send({
        method: 'GET',
        path: '/',
        headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      });
      expect(response.status).toBe(400);
      expect(response.headers['www-authenticate']).toContain('error="invalid_request"');
      expect(response.json).toMatchObject({ code: 'token_duplicated' });
    });

    it('does not catch errors thrown downstream', async () => {
      const guard = requireServiceJwt(options());
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(guard);
      app.use(() => {
        throw new Error('handler bug');
      });
      const running = await start(app);
      const token = await issuer.sign({}, { audience: AUDIENCE });
      const response = await running.send({ method: 'GET', path: '/', headers: bearer(token) });
      expect(response.status).toBe(500);
      expect(response.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe("onError: 'throw'", () => {
    it('hands the ServiceJwtError to an upstream error middleware', async () => {
      const guard = requireServiceJwt({ ...options(), onError: 'throw' });
      verifiers.push(guard.verifier);
      const app = new Koa();
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (err) {
          if (!(err instanceof ServiceJwtError)) throw err;
          ctx.status = err.status;
          ctx.set(err.headers);
          ctx.body = { mine: true, code: err.code, expose: err.expose };
        }
      });
      app.use(guard);
      const running = await start(app);
      const response = await running.send({
        method: 'GET',
        path: '/',
        headers: bearer(await issuer.wrongAudience()),
      });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(response.json).toEqual({ mine: true, code: 'audience_mismatch', expose: true });
    });

    it("lets Koa's default error handling set status and headers from err.headers", async () => {
      const guard = requireServiceJwt({ ...options(), onError: 'throw', realm: 'census' });
      verifiers.push(guard.verifier);
      const app = new Koa();
      const seen: unknown[] = [];
      app.on('error', (err) => seen.push(err));
      app.use(guard);
      const running = await start(app);

      const missing = await running.send({ method: 'GET', path: '/' });
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="census"');
      expect(missing.headers['content-type']).toMatch(/^text\/plain/);

      const tampered = await running.send({
        method: 'GET',
        path: '/',
        headers: bearer(await issuer.tamperedSignature(AUDIENCE)),
      });
      expect(tampered.status).toBe(401);
      expect(tampered.headers['www-authenticate']).toMatch(
        /^Bearer realm="census", error="invalid_token"/,
      );
      expect(seen.map((err) => (err as ServiceJwtError).code)).toEqual([
        'token_missing',
        'signature_invalid',
      ]);
    });
  });

  describe('per route with @koa/router', () => {
    it('shares one verifier (one JWKS fetch) across routes with their own options', async () => {
      const fresh = await serveJwks(issuer);
      try {
        const auth = serviceJwt(
          createTestVerifierOptions(issuer, fresh, { audience: AUDIENCE, now }),
        );
        verifiers.push(auth.verifier);
        const router = new Router();
        router.get('/orders', auth(), echoResult);
        router.get('/admin', auth({ audience: ADMIN_AUDIENCE }), echoResult);
        router.get('/role', auth({ claims: { role: 'admin' } }), echoResult);
        router.get('/callers', auth({ callers: { subjects: ['svc-a'] } }), echoResult);
        const app = new Koa();
        app.use(router.routes());
        const running = await start(app);

        const send = async (path: string, token: string) => {
          const response = await running.send({ method: 'GET', path, headers: bearer(token) });
          const json = response.json as { code?: string } | undefined;
          return [response.status, json?.code];
        };
        const forService = await issuer.sign({}, { audience: AUDIENCE });
        const forAdmin = await issuer.sign({}, { audience: ADMIN_AUDIENCE });
        expect(await send('/orders', forService)).toEqual([200, undefined]);
        expect(await send('/admin', forAdmin)).toEqual([200, undefined]);
        expect(await send('/admin', forService)).toEqual([401, 'audience_mismatch']);
        expect(await send('/orders', forAdmin)).toEqual([401, 'audience_mismatch']);
        expect(await send('/role', forService)).toEqual([403, 'claim_check_failed']);
        const admin = await issuer.sign({ role: 'admin' }, { audience: AUDIENCE });
        expect(await send('/role', admin)).toEqual([200, undefined]);
        expect(await send('/callers', forService)).toEqual([403, 'caller_not_allowed']);
        const svcA = await issuer.sign({}, { audience: AUDIENCE, subject: 'svc-a' });
        expect(await send('/callers', svcA)).toEqual([200, undefined]);
        expect(fresh.requests).toBe(1);
      } finally {
        await fresh.close();
      }
    });

    it('reuses a verifier with { verifier, ...routeOptions }', async () => {
      const verifier = createVerifier(options());
      verifiers.push(verifier);
      const router = new Router();
      router.get('/admin', requireServiceJwt({ verifier, audience: ADMIN_AUDIENCE }), echoResult);
      router.get('/plain', requireServiceJwt({ verifier }), echoResult);
      const app = new Koa();
      app.use(router.routes());
      const running = await start(app);
      const forAdmin = await other.sign({}, { audience: ADMIN_AUDIENCE });
      const admin = await running.send({
        method: 'GET',
        path: '/admin',
        headers: bearer(forAdmin),
      });
      expect(admin.status).toBe(200);
      expect(admin.json).toMatchObject({ issuer: other.issuer });
      const plain = await running.send({
        method: 'GET',
        path: '/plain',
        headers: bearer(forAdmin),
      });
      expect(plain.status).toBe(401);
      expect(plain.json).toMatchObject({ code: 'audience_mismatch' });
    });

    it('lets a route override onError and realm', async () => {
      const auth = serviceJwt(options());
      verifiers.push(auth.verifier);
      const router = new Router();
      router.get('/thrown', auth({ onError: 'throw' }), echoResult);
      router.get('/realm', auth({ realm: 'orders' }), echoResult);
      const app = new Koa();
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (err) {
          ctx.status = 418;
          ctx.body = { caught: (err as ServiceJwtError).code };
        }
      });
      app.use(router.routes());
      const running = await start(app);
      const thrown = await running.send({ method: 'GET', path: '/thrown' });
      expect([thrown.status, thrown.json]).toEqual([418, { caught: 'token_missing' }]);
      const realm = await running.send({ method: 'GET', path: '/realm' });
      expect(realm.status).toBe(401);
      expect(realm.headers['www-authenticate']).toBe('Bearer realm="orders"');
    });
  });

  describe('request binding', () => {
    it('compares htm/htu with ctx.method and ctx.originalUrl (router prefixes included)', async () => {
      const guard = requireServiceJwt(options({ requestBinding: { required: true } }));
      verifiers.push(guard.verifier);
      const inner = new Router();
      inner.get('/orders', guard, echoResult);
      const outer = new Router({ prefix: '/api' });
      outer.use('/v1', inner.routes());
      const app = new Koa();
      app.use(outer.routes());
      const running = await start(app);

      const target = '/api/v1/orders?id=1&x=%20';
      const bound = await issuer.signRequest({ method: 'GET', url: target, audience: AUDIENCE });
      const ok = await running.send({ method: 'GET', path: target, headers: bearer(bound) });
      expect(ok.status).toBe(200);

      const routerPath = await issuer.signRequest({
        method: 'GET',
        url: '/orders?id=1&x=%20',
        audience: AUDIENCE,
      });
      const moved = await running.send({
        method: 'GET',
        path: target,
        headers: bearer(routerPath),
      });
      expect(moved.status).toBe(401);
      expect(moved.json).toMatchObject({ code: 'request_binding_mismatch' });

      const otherMethod = await issuer.signRequest({
        method: 'DELETE',
        url: target,
        audience: AUDIENCE,
      });
      const wrong = await running.send({
        method: 'GET',
        path: target,
        headers: bearer(otherMethod),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toMatchObject({ code: 'request_binding_mismatch' });
    });
  });
});

describe('options are validated at construction', () => {
  it.each([
    ['onError', { onError: 'explode' }],
    ['realm', { realm: 'a"b' }],
    ['realm', { realm: '' }],
  ])('names %s', (option, bad) => {
    const err = thrownBy(() => requireServiceJwt({ ...options(), ...bad } as never));
    expect(err.code).toBe('configuration_error');
    expect(err.status).toBe(500);
    expect(err.message).toContain(option);
  });

  it('names verifier and issuers when they are misused', () => {
    const notVerifier = thrownBy(() => requireServiceJwt({ verifier: {} } as never));
    expect(notVerifier.message).toContain('verifier');
    const verifier = createVerifier(options());
    const both = thrownBy(() => requireServiceJwt({ verifier, issuers: {} } as never));
    expect(both.message).toContain('issuers');
    return verifier.close();
  });

  it('validates per-route options when the route guard is created', () => {
    const auth = serviceJwt(options());
    const err = thrownBy(() => auth({ onError: 'later' } as never));
    expect(err.message).toContain('onError');
    return auth.verifier.close();
  });

  it("relays core's validation of route overrides, naming the option", async () => {
    const auth = serviceJwt(options());
    expect(thrownBy(() => auth({ audience: 42 } as never)).message).toContain('audience');
    const replay = thrownBy(() =>
      requireServiceJwt({ verifier: auth.verifier, replay: {} } as never),
    );
    expect(replay.code).toBe('configuration_error');
    expect(replay.message).toContain('replay');
    await auth.verifier.close();
  });

  it('refuses a non-object', () => {
    expect(thrownBy(() => requireServiceJwt(undefined as never)).code).toBe('configuration_error');
  });
});
