import { isServiceJwtError, ServiceJwtError, type VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import type { FastifyInstance } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

const AUDIENCE = 'https://census.test/';

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = createTestVerifierOptions(issuer, undefined, { audience: AUDIENCE });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const ok = async () => ({ ok: true });

describe.each(MAJORS)('%s', (_major, create) => {
  let app: FastifyInstance;
  afterEach(async () => app.close());

  it("answers with the design's status, challenge and body by default", async () => {
    app = create();
    await app.register(serviceJwt, { ...options, realm: 'census' });
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    const response = await send(app, {
      method: 'GET',
      url: '/x',
      headers: bearer(await issuer.expired(AUDIENCE)),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer realm="census", error="invalid_token", /,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
    expect(body).toMatchObject({ error: 'invalid_token', code: 'token_expired' });
  });

  it('answers 403 insufficient_scope for a wrong source', async () => {
    app = create();
    await app.register(serviceJwt, { ...options, global: true });
    app.get('/x', ok);
    const response = await send(app, {
      method: 'GET',
      url: '/x',
      headers: bearer(await issuer.wrongSource(AUDIENCE)),
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(response.json()).toMatchObject({ error: 'insufficient_scope', code: 'source_mismatch' });
  });

  it('answers its refusals itself in respond mode, as every adapter does', async () => {
    app = create();
    const seen: unknown[] = [];
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error);
      return reply.code(418).send({ problem: 'not ours to answer' });
    });
    await app.register(serviceJwt, options);
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    const response = await send(app, { method: 'GET', url: '/x' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      code: 'token_missing',
      message: expect.any(String),
    });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
    expect(seen).toHaveLength(0);
  });

  it('hands the ServiceJwtError to the app error handler in throw mode, which may reshape it', async () => {
    app = create();
    const seen: unknown[] = [];
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error);
      if (isServiceJwtError(error)) {
        return reply.code(error.statusCode).send({ problem: error.code });
      }
      return reply.send(error);
    });
    await app.register(serviceJwt, { ...options, onError: 'throw' });
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    const response = await send(app, { method: 'GET', url: '/x' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ problem: 'token_missing' });
    // The app's handler owns the response; the challenge is on the error for it to use.
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ServiceJwtError);
    expect(seen[0]).toMatchObject({ code: 'token_missing', statusCode: 401 });
    expect((seen[0] as ServiceJwtError).headers['www-authenticate']).toBe(
      'Bearer realm="service-jwt"',
    );
  });

  it('keeps the default answer when the app error handler passes the error on', async () => {
    app = create();
    app.setErrorHandler((error, _request, reply) => {
      reply.send(error);
    });
    await app.register(serviceJwt, options);
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    const response = await send(app, {
      method: 'GET',
      url: '/x',
      headers: bearer(await issuer.wrongAudience()),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'invalid_token', code: 'audience_mismatch' });
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('runs onError hooks with the ServiceJwtError', async () => {
    app = create();
    const codes: string[] = [];
    app.addHook('onError', async (_request, _reply, error) => {
      if (isServiceJwtError(error)) codes.push(error.code);
    });
    await app.register(serviceJwt, options);
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    await send(app, { method: 'GET', url: '/x', headers: bearer('not.a.token') });
    expect(codes).toEqual(['token_malformed']);
  });

  it("with onError: 'throw' leaves the response to Fastify's error handling", async () => {
    app = create();
    await app.register(serviceJwt, { ...options, onError: 'throw', realm: 'census' });
    app.get('/x', { preHandler: app.requireServiceJwt() }, ok);
    const response = await send(app, { method: 'GET', url: '/x' });
    expect(response.statusCode).toBe(401);
    // Fastify's built-in handler: its own body, and the error's `headers`, which carry the
    // configured realm (as `next(err)` in Express and a thrown error in Koa do).
    expect(response.json()).toMatchObject({
      statusCode: 401,
      code: 'token_missing',
      error: 'Unauthorized',
    });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="census"');
  });

  it('leaves errors of unprotected routes and handlers untouched', async () => {
    app = create();
    await app.register(serviceJwt, options);
    app.get('/boom', { preHandler: app.requireServiceJwt() }, async () => {
      throw Object.assign(new Error('teapot'), { statusCode: 418 });
    });
    const token = await issuer.sign({}, { audience: AUDIENCE });
    const response = await send(app, { method: 'GET', url: '/boom', headers: bearer(token) });
    expect(response.statusCode).toBe(418);
    expect(response.json()).toMatchObject({ statusCode: 418, message: 'teapot' });
    expect(response.headers['www-authenticate']).toBeUndefined();
  });
});
