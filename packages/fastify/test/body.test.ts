import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createMemoryReplayStore, type VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

const AUDIENCE = 'https://census.test/';
const JSON_BODY = '{"name":"Ada","city":"Zürich"}';

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = createTestVerifierOptions(issuer, undefined, {
    audience: AUDIENCE,
    replay: createMemoryReplayStore(),
  });
});

const hash = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('base64url');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withBody = (body: string | Uint8Array) =>
  issuer.sign({ bdy: hash(body) }, { audience: AUDIENCE });

describe.each(MAJORS)('%s', (_major, create) => {
  let app: FastifyInstance;
  /** Bodies the custom parsers received (a parser that never ran leaves no entry). */
  let parsed: string[];
  /** Whether the stream parser got the untouched incoming message. */
  let streamWasRaw: boolean[];

  beforeEach(async () => {
    parsed = [];
    streamWasRaw = [];
    app = create({ bodyLimit: 4096 });
    app.addContentTypeParser(
      'application/x-custom',
      { parseAs: 'buffer' },
      (_request, body, done) => {
        parsed.push(body.toString('latin1'));
        done(null, { custom: body.toString('latin1') });
      },
    );
    app.addContentTypeParser(
      'application/x-stream',
      async (request: FastifyRequest, payload: IncomingMessage) => {
        streamWasRaw.push(payload === request.raw);
        const chunks: Buffer[] = [];
        for await (const chunk of payload) chunks.push(chunk as Buffer);
        return { streamed: Buffer.concat(chunks).toString('utf8') };
      },
    );
    await app.register(serviceJwt, options);
    const echo = async (request: { body: unknown; serviceJwt: unknown }) => ({
      body: request.body ?? null,
      verified: request.serviceJwt !== null,
    });
    app.post('/echo', { preHandler: app.requireServiceJwt() }, echo);
    app.post('/config', { config: { serviceJwt: true } }, echo);
    app.get(
      '/strict',
      { preHandler: app.requireServiceJwt({ bodyHash: { required: true } }) },
      echo,
    );
    app.post(
      '/small',
      { preHandler: app.requireServiceJwt({ bodyHash: { maxBodyBytes: 16 } }) },
      echo,
    );
    app.post(
      '/big',
      { preHandler: app.requireServiceJwt({ bodyHash: { maxBodyBytes: 1 << 20 } }) },
      echo,
    );
    app.post(
      '/gzip-ok',
      {
        preHandler: app.requireServiceJwt({
          bodyHash: { required: true, allowContentEncoding: true },
        }),
      },
      echo,
    );
  });
  afterEach(async () => app.close());

  it('hashes a JSON body while Fastify parses it', async () => {
    for (const url of ['/echo', '/config']) {
      const response = await send(app, {
        method: 'POST',
        url,
        headers: { ...bearer(await withBody(JSON_BODY)), 'content-type': 'application/json' },
        payload: JSON_BODY,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ body: { name: 'Ada', city: 'Zürich' }, verified: true });
    }
  });

  it('hashes a text body', async () => {
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: { ...bearer(await withBody('hello')), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(response.json()).toEqual({ body: 'hello', verified: true });
  });

  it('hashes the bytes a custom content-type parser receives', async () => {
    const bytes = Buffer.from([0x80, 0xff, 0x00, 0x41]);
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: { ...bearer(await withBody(bytes)), 'content-type': 'application/x-custom' },
      payload: bytes,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ custom: bytes.toString('latin1') });
  });

  it('works with a custom parser that reads the payload stream itself', async () => {
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: {
        ...bearer(await withBody('streamed bytes')),
        'content-type': 'application/x-stream',
      },
      payload: 'streamed bytes',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ streamed: 'streamed bytes' });
    expect(streamWasRaw).toEqual([false]);
  });

  it('does not touch the payload stream when the token has no bdy', async () => {
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: {
        ...bearer(await issuer.sign({}, { audience: AUDIENCE })),
        'content-type': 'application/x-stream',
      },
      payload: 'not hashed',
    });
    expect(response.json().body).toEqual({ streamed: 'not hashed' });
    expect(streamWasRaw).toEqual([true]);
  });

  it('checks an empty body against the hash of the empty string', async () => {
    const post = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: bearer(await withBody('')),
    });
    expect(post.statusCode).toBe(200);
    const get = await send(app, {
      method: 'GET',
      url: '/strict',
      headers: bearer(await withBody('')),
    });
    expect(get.statusCode).toBe(200);
    const wrong = await send(app, {
      method: 'GET',
      url: '/strict',
      headers: bearer(await withBody('x')),
    });
    expect(wrong.json().code).toBe('body_hash_mismatch');
  });

  it('refuses a tampered body before any parser sees it', async () => {
    const { token, body } = await issuer.tamperedBody({
      method: 'POST',
      url: '/echo',
      body: 'abcdef',
      audience: AUDIENCE,
    });
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: { ...bearer(token), 'content-type': 'application/x-custom' },
      payload: Buffer.from(body),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('body_hash_mismatch');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(parsed).toEqual([]);
  });

  it('refuses a tampered body read by a streaming parser', async () => {
    const { token, body } = await issuer.tamperedBody({
      method: 'POST',
      url: '/echo',
      body: 'streamed',
      audience: AUDIENCE,
    });
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: { ...bearer(token), 'content-type': 'application/x-stream' },
      payload: Buffer.from(body),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('body_hash_mismatch');
  });

  it('records the jti only once the body passes: a refused request does not burn the token', async () => {
    const token = await withBody(JSON_BODY);
    const headers = { ...bearer(token), 'content-type': 'application/json' };
    const tampered = await send(app, {
      method: 'POST',
      url: '/echo',
      headers,
      payload: JSON_BODY.replace('Ada', 'Adb'),
    });
    expect(tampered.json().code).toBe('body_hash_mismatch');
    const genuine = await send(app, { method: 'POST', url: '/echo', headers, payload: JSON_BODY });
    expect(genuine.statusCode).toBe(200);
    const replayed = await send(app, { method: 'POST', url: '/echo', headers, payload: JSON_BODY });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().code).toBe('token_replayed');
  });

  it('refuses an unauthenticated request before its body is parsed', async () => {
    for (const headers of [{}, bearer(await issuer.expired(AUDIENCE))]) {
      const response = await send(app, {
        method: 'POST',
        url: '/echo',
        headers: { ...headers, 'content-type': 'application/x-custom' },
        payload: 'secret body',
      });
      expect(response.statusCode).toBe(401);
    }
    expect(parsed).toEqual([]);
  });

  it('answers 413 body_too_large beyond maxBodyBytes', async () => {
    const big = 'x'.repeat(17);
    const response = await send(app, {
      method: 'POST',
      url: '/small',
      headers: { ...bearer(await withBody(big)), 'content-type': 'text/plain' },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'body_too_large' });
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('answers 413 body_too_large for a chunked body beyond maxBodyBytes', async () => {
    const part = 'y'.repeat(10);
    const response = await send(app, {
      method: 'POST',
      url: '/small',
      headers: { ...bearer(await withBody(part.repeat(3))), 'content-type': 'text/plain' },
      payload: [part, part, part],
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'body_too_large' });
    expect(parsed).toEqual([]);
  });

  it("keeps Fastify's bodyLimit when it is the smaller bound", async () => {
    const big = 'z'.repeat(5000);
    const response = await send(app, {
      method: 'POST',
      url: '/big',
      headers: { ...bearer(await withBody(big)), 'content-type': 'text/plain' },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
  });

  it('refuses a gzip body on a body-hash route with 415', async () => {
    const gzipped = gzipSync(JSON_BODY);
    const response = await send(app, {
      method: 'POST',
      url: '/echo',
      headers: {
        ...bearer(await withBody(gzipped)),
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      payload: gzipped,
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('content_encoding_unsupported');
  });

  it('hashes a gzip body as sent where the route allows it', async () => {
    const gzipped = gzipSync(JSON_BODY);
    const headers = { 'content-type': 'application/x-custom', 'content-encoding': 'gzip' };
    const accepted = await send(app, {
      method: 'POST',
      url: '/gzip-ok',
      headers: { ...headers, ...bearer(await withBody(gzipped)) },
      payload: gzipped,
    });
    expect(accepted.statusCode).toBe(200);
    expect(parsed).toEqual([gzipped.toString('latin1')]);
    const overPlain = await send(app, {
      method: 'POST',
      url: '/gzip-ok',
      headers: { ...headers, ...bearer(await withBody(JSON_BODY)) },
      payload: gzipped,
    });
    expect(overPlain.json().code).toBe('body_hash_mismatch');
  });
});
