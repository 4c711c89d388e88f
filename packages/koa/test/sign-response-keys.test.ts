import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  LOGIN_RESPONSE,
  type SigningKeyServer,
  startSigningKeyServer,
} from '@service-jwt/conformance';
import { isServiceJwtError } from '@service-jwt/core';
import { createTestCertificate, verifyJwsValue } from '@service-jwt/testing';
import type { Context, Middleware } from 'koa';
import request from 'supertest';
import { signResponseKeys } from '../src/index.js';
import { KOA_VERSIONS } from './helpers.js';

// Keys and certificate made once for the file.
const secret = randomBytes(32);
const octJwk = { kty: 'oct', kid: 'sim2', k: secret.toString('base64url'), alg: 'HS256' };
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'gw-ec' };
const tls = createTestCertificate();
const otherCa = createTestCertificate();

const login = LOGIN_RESPONSE;
const { access_token: access, refresh_token: refresh } = login;
const KEYS = ['access_token', 'refresh_token'];

let keyServer: SigningKeyServer;
let jwksUrl: string;

beforeAll(async () => {
  keyServer = await startSigningKeyServer([ecJwk, octJwk], tls);
  jwksUrl = keyServer.url;
});
afterAll(() => keyServer.close());

const local = { keysToSign: KEYS, alg: 'HS256', kid: 'sim2', keys: { keys: [octJwk] } };
const remote = { ...local, alg: 'ES256', kid: 'gw-ec', keys: undefined, jwkSetUrl: '' };

function bodyOf(body: unknown, status = 200): Middleware {
  return (ctx) => {
    ctx.status = status;
    if (body !== undefined) ctx.body = body;
  };
}

describe.each(KOA_VERSIONS)('%s: signResponseKeys', (_name, Koa) => {
  function app(options: Record<string, unknown>, handler: Middleware, upstream?: Middleware) {
    const a = new Koa();
    a.silent = true;
    if (upstream !== undefined) a.use(upstream);
    a.use(signResponseKeys({ ...local, ...options } as never));
    a.use(handler);
    return a.callback();
  }
  const sendLogin = (ctx: Context) => {
    ctx.set('x-backend', '1');
    ctx.body = login;
  };

  it('signs access_token and refresh_token (HS256, oct key); the rest passes', async () => {
    const response = await request(app({}, sendLogin)).post('/token');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-backend']).toBe('1');
    expect(response.body.exp).toBe(login.exp);
    const a = await verifyJwsValue(response.body.access_token, secret, 'HS256');
    expect(a).toEqual({
      header: { alg: 'HS256', kid: 'sim2', typ: 'JWT' },
      payload: access,
      form: 'compact',
    });
    expect((await verifyJwsValue(response.body.refresh_token, secret, 'HS256')).payload).toEqual(
      refresh,
    );
  });

  it('signs with an EC key from a JWK set URL trusted through its CA, full: true', async () => {
    const options = { ...remote, jwkSetUrl: jwksUrl, ca: tls.cert, full: true };
    const response = await request(app(options, sendLogin)).post('/token');
    expect(response.status).toBe(200);
    for (const name of KEYS) {
      const result = await verifyJwsValue(response.body[name], ec.publicKey, 'ES256');
      expect(result.form).toBe('flattened');
      expect(result.header).toEqual({ alg: 'ES256', kid: 'gw-ec', typ: 'JWT' });
    }
  });

  it('refuses with 503 keys_unavailable under a wrong CA, nothing signed', async () => {
    const options = { ...remote, jwkSetUrl: jwksUrl, ca: otherCa.cert };
    const response = await request(app(options, sendLogin)).post('/token');
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('keys_unavailable');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['x-backend']).toBeUndefined();
    expect(response.text).not.toContain('user-1');
  });

  it('signs JSON string and Buffer bodies typed as JSON', async () => {
    const text = JSON.stringify(login);
    for (const body of [text, Buffer.from(text)]) {
      const response = await request(
        app({}, (ctx) => {
          ctx.type = 'application/json';
          ctx.body = body;
        }),
      ).post('/token');
      expect(response.status).toBe(200);
      await verifyJwsValue(response.body.access_token, secret, 'HS256');
      await verifyJwsValue(response.body.refresh_token, secret, 'HS256');
    }
  });

  it('passes a body without the keys, a non-JSON body and error statuses through untouched', async () => {
    const cases: Array<[Middleware, number, string]> = [
      [bodyOf({ only: 1 }), 200, '{"only":1}'],
      [bodyOf(JSON.stringify(login)), 200, JSON.stringify(login)],
      [bodyOf(login, 401), 401, JSON.stringify(login)],
      [bodyOf({ error: 'down' }, 502), 502, '{"error":"down"}'],
      [bodyOf(undefined, 204), 204, ''],
      [
        (ctx) => {
          ctx.type = 'text/csv';
          ctx.body = Readable.from(['a,b']);
        },
        200,
        'a,b',
      ],
    ];
    for (const [handler, status, text] of cases) {
      const response = await request(app({}, handler)).post('/token');
      expect(response.status).toBe(status);
      expect(response.text).toBe(text);
    }
  });

  it('signs the keys present and passes a missing one', async () => {
    const response = await request(app({}, bodyOf({ refresh_token: refresh })))
      .post('/token')
      .expect(200);
    expect(Object.keys(response.body)).toEqual(['refresh_token']);
    await verifyJwsValue(response.body.refresh_token, secret, 'HS256');
  });

  it('reads and signs a JSON-typed stream body', async () => {
    const response = await request(
      app({}, (ctx) => {
        ctx.type = 'application/json';
        ctx.body = Readable.from([JSON.stringify(login)]);
      }),
    ).post('/token');
    expect(response.status).toBe(200);
    await verifyJwsValue(response.body.access_token, secret, 'HS256');
    await verifyJwsValue(response.body.refresh_token, secret, 'HS256');
  });

  it('refuses the whole response (500 configuration_error) for a non-object, bad JSON or an oversized body', async () => {
    const handlers: Middleware[] = [
      (ctx) => {
        ctx.set('set-cookie', 'sid=1');
        ctx.body = { access_token: access, refresh_token: 'x' };
      },
      (ctx) => {
        ctx.type = 'application/json';
        ctx.body = '{"access_token":';
      },
      (ctx) => {
        ctx.type = 'application/json';
        ctx.body = Readable.from([JSON.stringify(login), ' '.repeat(2048)]);
      },
    ];
    for (const handler of handlers) {
      const response = await request(app({ maxBodyBytes: 1024 }, handler)).post('/token');
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({ error: 'server_error', code: 'configuration_error' });
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.text).not.toContain('user-1');
    }
  });

  it("onError: 'throw' throws the ServiceJwtError to upstream error handling", async () => {
    const seen: unknown[] = [];
    const upstream: Middleware = async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        seen.push(err);
        ctx.status = 599;
        ctx.body = { mine: isServiceJwtError(err) ? err.code : 'other' };
      }
    };
    const handler = bodyOf({ access_token: [] });
    const response = await request(app({ onError: 'throw' }, handler, upstream)).post('/token');
    expect(response.status).toBe(599);
    expect(response.body).toEqual({ mine: 'configuration_error' });
    expect(seen).toHaveLength(1);
  });

  it('validates its options at construction', () => {
    const bad = [
      { onError: 'log' },
      { keysToSign: [] },
      { keys: undefined, jwkSetUrl: 'http://127.0.0.1:1/' },
    ];
    for (const extra of bad) {
      expect(() => signResponseKeys({ ...local, ...extra } as never)).toThrow(
        expect.objectContaining({ code: 'configuration_error' }),
      );
    }
  });
});
