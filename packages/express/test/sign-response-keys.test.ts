import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  LOGIN_RESPONSE,
  type SigningKeyServer,
  startSigningKeyServer,
} from '@service-jwt/conformance';
import { ServiceJwtError } from '@service-jwt/core';
import { createTestCertificate, verifyJwsValue } from '@service-jwt/testing';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import request from 'supertest';
import { signResponseKeys } from '../src/index.js';
import { type ExpressFactory, MAJORS } from './helpers.js';

// Keys and certificate made once for the file.
const secret = randomBytes(32);
const octJwk = { kty: 'oct', kid: 'sim2', k: secret.toString('base64url'), alg: 'HS256' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'gw1' };
const tls = createTestCertificate();
const wrongFingerprint = randomBytes(32).toString('base64');

const login = LOGIN_RESPONSE;
const { access_token: access, refresh_token: refresh } = login;
const KEYS = ['access_token', 'refresh_token'];

let keyServer: SigningKeyServer;
let jwksUrl: string;

beforeAll(async () => {
  keyServer = await startSigningKeyServer([rsaJwk, octJwk], tls);
  jwksUrl = keyServer.url;
});
afterAll(() => keyServer.close());

const local = { keysToSign: KEYS, alg: 'HS256', kid: 'sim2', keys: { keys: [octJwk] } } as const;

function app(
  express: ExpressFactory,
  options: Record<string, unknown>,
  handler: RequestHandler,
  errorHandler?: ErrorRequestHandler,
) {
  const a = express();
  a.post('/token', signResponseKeys({ ...local, ...options } as never), handler);
  if (errorHandler !== undefined) a.use(errorHandler);
  return a;
}

const sendLogin: RequestHandler = (_req, res) => {
  res.set('x-backend', '1').json(login);
};

function expectNoClaims(text: string) {
  expect(text).not.toContain('user-1');
}

describe.each(MAJORS)('%s: signResponseKeys', (_name, express) => {
  it('signs access_token and refresh_token (HS256, oct key); the rest passes', async () => {
    const response = await request(app(express, {}, sendLogin)).post('/token');
    expect(response.status).toBe(200);
    expect(response.headers['x-backend']).toBe('1');
    expect(response.headers.etag).toBeUndefined();
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.text));
    const { access_token, refresh_token, exp } = response.body;
    expect(exp).toBe(login.exp);
    const a = await verifyJwsValue(access_token, secret, 'HS256');
    expect(a.header).toEqual({ alg: 'HS256', kid: 'sim2', typ: 'JWT' });
    expect(a.form).toBe('compact');
    expect(a.payload).toEqual(access);
    expect((await verifyJwsValue(refresh_token, secret, 'HS256')).payload).toEqual(refresh);
  });

  it('signs with an RSA key from a JWK set URL pinned by fingerprint, full: true', async () => {
    const options = {
      alg: 'RS256',
      kid: 'gw1',
      keys: undefined,
      jwkSetUrl: jwksUrl,
      ca: tls.cert,
      fingerprints: [tls.fingerprint],
      full: true,
    };
    const response = await request(app(express, options, sendLogin)).post('/token');
    expect(response.status).toBe(200);
    for (const name of KEYS) {
      const result = await verifyJwsValue(response.body[name], rsa.publicKey, 'RS256');
      expect(result.form).toBe('flattened');
      expect(result.header).toEqual({ alg: 'RS256', kid: 'gw1', typ: 'JWT' });
    }
  });

  it('refuses with 503 keys_unavailable when the fingerprint does not match, nothing signed', async () => {
    const before = keyServer.requests;
    const options = {
      alg: 'RS256',
      kid: 'gw1',
      keys: undefined,
      jwkSetUrl: jwksUrl,
      ca: tls.cert,
      fingerprints: [wrongFingerprint],
    };
    const response = await request(app(express, options, sendLogin)).post('/token');
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('keys_unavailable');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['x-backend']).toBeUndefined();
    expectNoClaims(response.text);
    expect(keyServer.requests).toBe(before);
  });

  it('signs bodies sent with res.send(string), res.write + res.end and res.end(buffer)', async () => {
    const text = JSON.stringify(login);
    const handlers: RequestHandler[] = [
      (_req, res) => {
        res.type('application/json').send(text);
      },
      (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.write(text.slice(0, 10));
        res.write(Buffer.from(text.slice(10, 20)));
        res.end(text.slice(20));
      },
      (_req, res) => {
        res.setHeader('content-type', 'application/vnd.login+json');
        res.end(Buffer.from(text));
      },
    ];
    for (const handler of handlers) {
      const response = await request(app(express, {}, handler)).post('/token');
      expect(response.status).toBe(200);
      const body = JSON.parse(response.text);
      await verifyJwsValue(body.access_token, secret, 'HS256');
      await verifyJwsValue(body.refresh_token, secret, 'HS256');
    }
  });

  it('passes a body without the keys, a non-JSON body and error statuses through untouched', async () => {
    const cases: Array<[RequestHandler, number, string]> = [
      [(_req, res) => void res.json({ only: 1 }), 200, '{"only":1}'],
      [
        (_req, res) => void res.type('text').send(JSON.stringify(login)),
        200,
        JSON.stringify(login),
      ],
      [(_req, res) => void res.status(401).json(login), 401, JSON.stringify(login)],
      [(_req, res) => void res.status(502).json({ error: 'down' }), 502, '{"error":"down"}'],
      [(_req, res) => void res.status(204).end(), 204, ''],
    ];
    for (const [handler, status, text] of cases) {
      const response = await request(app(express, {}, handler)).post('/token');
      expect(response.status).toBe(status);
      expect(response.text).toBe(text);
    }
  });

  it('signs the keys present and passes a missing one', async () => {
    const handler: RequestHandler = (_req, res) => void res.json({ access_token: access });
    const response = await request(app(express, {}, handler)).post('/token');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['access_token']);
    await verifyJwsValue(response.body.access_token, secret, 'HS256');
  });

  it('refuses the whole response (500 configuration_error) when a key holds a non-object', async () => {
    const handler: RequestHandler = (_req, res) =>
      void res.set('set-cookie', 'sid=1').json({ access_token: access, refresh_token: 'x' });
    const response = await request(app(express, {}, handler)).post('/token');
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ error: 'server_error', code: 'configuration_error' });
    expect(response.headers['set-cookie']).toBeUndefined();
    expectNoClaims(response.text);
  });

  it('signs a JSON stream piped into res, and refuses a body over maxBodyBytes', async () => {
    const piped: RequestHandler = (_req, res) => {
      res.type('application/json');
      Readable.from([JSON.stringify(login).slice(0, 7), JSON.stringify(login).slice(7)]).pipe(res);
    };
    const response = await request(app(express, {}, piped)).post('/token');
    expect(response.status).toBe(200);
    await verifyJwsValue(JSON.parse(response.text).access_token, secret, 'HS256');
    const big: RequestHandler = (_req, res) => void res.json({ ...login, pad: 'x'.repeat(2048) });
    const refused = await request(app(express, { maxBodyBytes: 1024 }, big)).post('/token');
    expect(refused.status).toBe(500);
    expect(refused.body.code).toBe('configuration_error');
    expectNoClaims(refused.text);
  });

  it('refuses a JSON content type whose body is not JSON', async () => {
    const handler: RequestHandler = (_req, res) =>
      void res.type('application/json').send('{"access_token":');
    const response = await request(app(express, {}, handler)).post('/token');
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('configuration_error');
  });

  it("onError: 'throw' hands the ServiceJwtError to the app's error handler", async () => {
    const handler: RequestHandler = (_req, res) => void res.json({ access_token: [] });
    const seen: ServiceJwtError[] = [];
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      seen.push(err);
      res.status(err.status).json({ mine: err.code });
    };
    const response = await request(app(express, { onError: 'throw' }, handler, onError)).post(
      '/token',
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ mine: 'configuration_error' });
    expect(seen[0]).toBeInstanceOf(ServiceJwtError);
  });

  it('validates its options at construction', () => {
    for (const bad of [
      { onError: 'log' },
      { keysToSign: [] },
      { keys: undefined, jwkSetUrl: 'http://127.0.0.1:1/' },
    ]) {
      let code: string | undefined;
      try {
        signResponseKeys({ ...local, ...bad } as never);
      } catch (err) {
        code = (err as ServiceJwtError).code;
      }
      expect(code).toBe('configuration_error');
    }
  });
});
