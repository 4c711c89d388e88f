import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  LOGIN_RESPONSE,
  type SigningKeyServer,
  startSigningKeyServer,
} from '@service-jwt/conformance';
import { isServiceJwtError } from '@service-jwt/core';
import { verifyJwsValue } from '@service-jwt/testing';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signResponseKeys } from '../src/index.js';
import { MAJORS, send } from './apps.js';

// Keys made once for the file. The HTTPS cases (CA, fingerprints) are core's and the other
// adapters' tests; here the remote set is served over plain HTTP with allowInsecureHttp.
const secret = randomBytes(32);
const octJwk = { kty: 'oct', kid: 'sim2', k: secret.toString('base64url'), alg: 'HS256' };
const ed = generateKeyPairSync('ed25519');
const edJwk = { ...ed.privateKey.export({ format: 'jwk' }), kid: 'gw-ed' };

const login = LOGIN_RESPONSE;
const { access_token: access, refresh_token: refresh } = login;
const KEYS = ['access_token', 'refresh_token'];

let keyServer: SigningKeyServer;
let jwksUrl: string;

beforeAll(async () => {
  keyServer = await startSigningKeyServer([edJwk, octJwk]);
  jwksUrl = keyServer.url;
});
afterAll(() => keyServer.close());

const local = { keysToSign: KEYS, alg: 'HS256', kid: 'sim2', keys: { keys: [octJwk] } };
type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

describe.each(MAJORS)('%s: signResponseKeys', (_major, create) => {
  let app: FastifyInstance;
  afterEach(async () => app.close());

  function route(options: Record<string, unknown>, handler: Handler): FastifyInstance {
    app = create();
    app.post('/token', { onSend: signResponseKeys({ ...local, ...options } as never) }, handler);
    return app;
  }
  const post = () => send(app, { method: 'POST', url: '/token' });
  const sendLogin: Handler = async (_request, reply) => {
    reply.header('x-backend', '1');
    return login;
  };

  it('signs access_token and refresh_token (HS256, oct key); the rest passes', async () => {
    route({}, sendLogin);
    const response = await post();
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-backend']).toBe('1');
    const body = response.json();
    expect(body.exp).toBe(login.exp);
    const a = await verifyJwsValue(body.access_token, secret, 'HS256');
    expect(a).toEqual({
      header: { alg: 'HS256', kid: 'sim2', typ: 'JWT' },
      payload: access,
      form: 'compact',
    });
    expect((await verifyJwsValue(body.refresh_token, secret, 'HS256')).payload).toEqual(refresh);
  });

  it('signs with an Ed25519 key from a JWK set URL (allowInsecureHttp), full: true, as a scoped hook', async () => {
    app = create();
    await app.register(async (scope) => {
      scope.addHook(
        'onSend',
        signResponseKeys({
          ...local,
          alg: 'EdDSA',
          kid: 'gw-ed',
          keys: undefined,
          jwkSetUrl: jwksUrl,
          allowInsecureHttp: true,
          full: true,
        } as never),
      );
      scope.post('/token', sendLogin);
    });
    const body = (await post()).json();
    for (const name of KEYS) {
      const result = await verifyJwsValue(body[name], ed.publicKey, 'EdDSA');
      expect(result.form).toBe('flattened');
      expect(result.header).toEqual({ alg: 'EdDSA', kid: 'gw-ed', typ: 'JWT' });
    }
  });

  it('refuses with 503 keys_unavailable when the key set cannot be fetched, nothing signed', async () => {
    keyServer.status = 500;
    try {
      const remote = { keys: undefined, jwkSetUrl: jwksUrl, allowInsecureHttp: true };
      route(remote, sendLogin);
      const response = await post();
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: 'server_error', code: 'keys_unavailable' });
      expect(response.headers['retry-after']).toBe('5');
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.headers['x-backend']).toBeUndefined();
      expect(response.body).not.toContain('user-1');
    } finally {
      keyServer.status = 200;
    }
  });

  it('refuses plain http: without allowInsecureHttp when created', () => {
    expect(() =>
      signResponseKeys({ ...local, keys: undefined, jwkSetUrl: jwksUrl } as never),
    ).toThrow(expect.objectContaining({ code: 'configuration_error' }));
  });

  it('signs a JSON string or Buffer payload typed as JSON', async () => {
    const text = JSON.stringify(login);
    for (const payload of [text, Buffer.from(text)]) {
      route({}, async (_request, reply) => {
        reply.type('application/vnd.login+json');
        return payload;
      });
      const body = (await post()).json();
      await verifyJwsValue(body.access_token, secret, 'HS256');
      await verifyJwsValue(body.refresh_token, secret, 'HS256');
      await app.close();
    }
  });

  it('passes a body without the keys, a non-JSON body and error statuses through untouched', async () => {
    const cases: Array<[Handler, number, string]> = [
      [async () => ({ only: 1 }), 200, '{"only":1}'],
      [
        async (_request, reply) => reply.type('text/plain').send(JSON.stringify(login)),
        200,
        JSON.stringify(login),
      ],
      [async (_request, reply) => reply.code(401).send(login), 401, JSON.stringify(login)],
      [async (_request, reply) => reply.code(502).send({ error: 'down' }), 502, '{"error":"down"}'],
      [async (_request, reply) => reply.code(204).send(), 204, ''],
      [async (_request, reply) => reply.type('text/csv').send(Readable.from(['a,b'])), 200, 'a,b'],
    ];
    for (const [handler, status, text] of cases) {
      route({}, handler);
      const response = await post();
      expect(response.statusCode).toBe(status);
      expect(response.body).toBe(text);
      await app.close();
    }
  });

  it('signs the keys present and passes a missing one', async () => {
    route({}, async () => ({ access_token: access }));
    const body = (await post()).json();
    expect(Object.keys(body)).toEqual(['access_token']);
    await verifyJwsValue(body.access_token, secret, 'HS256');
  });

  it('reads and signs a JSON-typed stream payload', async () => {
    route({}, async (_request, reply) =>
      reply.type('application/json').send(Readable.from([JSON.stringify(login)])),
    );
    const body = (await post()).json();
    await verifyJwsValue(body.access_token, secret, 'HS256');
    await verifyJwsValue(body.refresh_token, secret, 'HS256');
  });

  it('refuses the whole reply (500 configuration_error) for a non-object, bad JSON or an oversized payload', async () => {
    const handlers: Handler[] = [
      async (_request, reply) => {
        reply.header('set-cookie', 'sid=1');
        return { access_token: access, refresh_token: 'x' };
      },
      async (_request, reply) => reply.type('application/json').send('{"access_token":'),
      async (_request, reply) =>
        reply
          .type('application/json')
          .send(Readable.from([JSON.stringify(login), ' '.repeat(2048)])),
    ];
    for (const handler of handlers) {
      route({ maxBodyBytes: 1024 }, handler);
      const response = await post();
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ error: 'server_error', code: 'configuration_error' });
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).not.toContain('user-1');
      await app.close();
    }
  });

  it("onError: 'throw' hands the ServiceJwtError to the app's error handler", async () => {
    const seen: unknown[] = [];
    route({ onError: 'throw' }, async () => ({ access_token: [] }));
    app.setErrorHandler(async (err, _request, reply) => {
      seen.push(err);
      reply.code(599);
      return { mine: isServiceJwtError(err) ? err.code : 'other' };
    });
    const response = await post();
    expect(response.statusCode).toBe(599);
    expect(response.json()).toEqual({ mine: 'configuration_error' });
    expect(seen).toHaveLength(1);
  });

  it('validates its options when created', () => {
    app = create();
    for (const extra of [{ onError: 'log' }, { realm: 'a"b' }, { keysToSign: [] }, { alg: 'no' }]) {
      expect(() => signResponseKeys({ ...local, ...extra } as never)).toThrow(
        expect.objectContaining({ code: 'configuration_error' }),
      );
    }
  });
});
