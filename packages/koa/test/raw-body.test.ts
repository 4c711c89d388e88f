import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { bodyParser } from '@koa/bodyparser';
import type { RawRequest } from '@service-jwt/conformance';
import type { VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import type Koa from 'koa';
import koaBodyparser from 'koa-bodyparser';
import { requireServiceJwt, type ServiceJwtMiddleware } from '../src/index.js';
import { bearer, KOA_VERSIONS, listen, type RunningApp } from './helpers.js';

const AUDIENCE = 'https://census.test/';
const NOW = Date.UTC(2026, 0, 1, 12);
const now = () => NOW;
const SMALL = 64;

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/', now });
});

function options(bodyHash: VerifierOptions['bodyHash'] = {}): VerifierOptions {
  return {
    issuers: { [issuer.issuer]: issuer.keys },
    audience: AUDIENCE,
    now,
    bodyHash: { algorithm: 'sha256', ...bodyHash },
  };
}

const PARSERS: ReadonlyArray<readonly [string, () => Koa.Middleware]> = [
  ['koa-bodyparser', () => koaBodyparser({ enableTypes: ['json', 'form', 'text'] })],
  ['@koa/bodyparser', () => bodyParser({ enableTypes: ['json', 'form', 'text'] })],
];

async function readStream(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function signBody(body: Uint8Array | string, method = 'POST', url = '/'): Promise<string> {
  return issuer.signRequest({ method, url, body, audience: AUDIENCE });
}

function code(response: { json: unknown }): unknown {
  return (response.json as { code?: unknown } | undefined)?.code;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A POST to `/` with a token signed over `body`, sent as `sent` (chunks) or as `body`. */
async function signedPost(
  body: Buffer | string,
  headers: Record<string, string> = {},
  sent: RawRequest['body'] = body,
): Promise<RawRequest> {
  return {
    method: 'POST',
    path: '/',
    headers: { ...bearer(await signBody(body)), ...headers },
    body: sent,
  };
}

describe.each(KOA_VERSIONS)('%s', (_name, Koa) => {
  const running: RunningApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  async function start(...middleware: Koa.Middleware[]): Promise<RunningApp> {
    const app = new Koa();
    for (const fn of middleware) app.use(fn);
    const started = await listen(app);
    running.push(started);
    return started;
  }

  function guard(bodyHash?: VerifierOptions['bodyHash']): ServiceJwtMiddleware {
    return requireServiceJwt(options(bodyHash));
  }

  const echoParsed: Koa.Middleware = (ctx) => {
    ctx.body = {
      body: ctx.request.body,
      rawBody: (ctx.request as { rawBody?: unknown }).rawBody ?? null,
      issuer: ctx.state.serviceJwt?.issuer,
    };
  };

  const echoStream: Koa.Middleware = async (ctx) => {
    const bytes = await readStream(ctx.req);
    ctx.body = { length: bytes.length, sha256: sha256(bytes) };
  };

  describe.each(PARSERS)('with %s', (_parser, parser) => {
    describe.each([
      ['before the parser', (g: Koa.Middleware) => [g, parser()]],
      ['after the parser', (g: Koa.Middleware) => [parser(), g]],
    ] as const)('mounted %s', (_position, order) => {
      it('hashes the exact JSON bytes and the parser still gets the body', async () => {
        const app = await start(...order(guard()), echoParsed);
        const body = '{ "city": "Zürich",\n  "n": [1, 2.50] }';
        const response = await app.send(await signedPost(body, JSON_TYPE));
        expect(response.status).toBe(200);
        expect(response.json).toEqual({
          body: { city: 'Zürich', n: [1, 2.5] },
          rawBody: body,
          issuer: issuer.issuer,
        });
      });

      it('hashes a form body and a chunked text body', async () => {
        const app = await start(...order(guard()), echoParsed);
        const form = 'a=1&b=%C3%A9+x';
        const formResponse = await app.send(
          await signedPost(form, { 'content-type': 'application/x-www-form-urlencoded' }),
        );
        expect(formResponse.status).toBe(200);
        expect(formResponse.json).toMatchObject({ body: { a: '1', b: 'é x' }, rawBody: form });

        const parts = ['first line\n', 'second ', 'line'];
        const textResponse = await app.send(
          await signedPost(parts.join(''), { 'content-type': 'text/plain' }, parts),
        );
        expect(textResponse.status).toBe(200);
        expect(textResponse.json).toMatchObject({ body: parts.join('') });
      });

      it('refuses a body changed by one byte', async () => {
        const app = await start(...order(guard()), echoParsed);
        const { token, body } = await issuer.tamperedBody({
          method: 'POST',
          url: '/',
          body: '{"amount":100}',
          audience: AUDIENCE,
        });
        const response = await app.send({
          method: 'POST',
          path: '/',
          headers: { ...bearer(token), 'content-type': 'application/json' },
          body,
        });
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
        expect(code(response)).toBe('body_hash_mismatch');
      });

      it('refuses a body over maxBodyBytes with 413', async () => {
        const app = await start(...order(guard({ maxBodyBytes: SMALL })), echoParsed);
        const body = JSON.stringify({ pad: 'x'.repeat(SMALL * 2) });
        const response = await app.send(await signedPost(body, JSON_TYPE));
        expect(response.status).toBe(413);
        expect(response.headers['www-authenticate']).toBeUndefined();
        expect(code(response)).toBe('body_too_large');
      });
    });

    it('after the parser: checks its bytes in the same turn (next() runs before the guard returns)', async () => {
      // With the parser's bytes in hand there is nothing to wait for: no reader, no deadline.
      const g = guard();
      const inTurn: Koa.Middleware = (ctx, next) => {
        let returned = false;
        const outcome = g(ctx, () => {
          ctx.state.sameTurn = !returned;
          return next();
        });
        returned = true;
        return outcome;
      };
      const sameTurn: Koa.Middleware = (ctx) => {
        ctx.body = { sameTurn: ctx.state.sameTurn, issuer: ctx.state.serviceJwt?.issuer };
      };
      const app = await start(parser(), inTurn, sameTurn);
      const response = await app.send(await signedPost('{ "city": "Zürich" }', JSON_TYPE));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ sameTurn: true, issuer: issuer.issuer });
    });

    it('before the parser: non-UTF-8 bytes are hashed exactly', async () => {
      const app = await start(guard(), parser(), echoParsed);
      const body = Buffer.concat([
        Buffer.from('{"name":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]);
      const response = await app.send(await signedPost(body, JSON_TYPE));
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ body: { name: 'caf\uFFFD' } });
    });

    it('after the parser: non-UTF-8 bytes fail closed with 500 configuration_error', async () => {
      const app = await start(parser(), guard(), echoParsed);
      const body = Buffer.concat([
        Buffer.from('{"name":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]);
      const response = await app.send(await signedPost(body, JSON_TYPE));
      expect(response.status).toBe(500);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(code(response)).toBe('configuration_error');
      // Chunked, so no Content-Length to compare: the replacement character gives it away.
      const chunked = await app.send(
        await signedPost(body, JSON_TYPE, [body.subarray(0, 5), body.subarray(5)]),
      );
      expect(chunked.status).toBe(500);
      expect(code(chunked)).toBe('configuration_error');
    });

    it('after the parser: a byte order mark the decoder dropped fails closed', async () => {
      const app = await start(parser(), guard(), echoParsed);
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
      const response = await app.send(await signedPost(body, JSON_TYPE));
      expect(response.status).toBe(500);
      expect(code(response)).toBe('configuration_error');
    });

    it('after the parser: a content type it does not parse is read from the stream', async () => {
      const app = await start(parser(), guard(), echoStream);
      const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 10]);
      const response = await app.send(
        await signedPost(body, { 'content-type': 'application/octet-stream' }),
      );
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ length: body.length, sha256: sha256(body) });
    });

    it('gzip: before the parser the compressed bytes are hashed when allowed', async () => {
      const app = await start(guard({ allowContentEncoding: true }), parser(), echoParsed);
      const body = gzipSync('{"zipped":true}');
      const response = await app.send(
        await signedPost(body, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
      );
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ body: { zipped: true } });
    });

    it('gzip: after the parser the bytes as sent are gone: 500 when allowed, 415 when not', async () => {
      const allowed = await start(parser(), guard({ allowContentEncoding: true }), echoParsed);
      const refused = await start(parser(), guard(), echoParsed);
      const body = gzipSync('{"zipped":true}');
      const request = await signedPost(body, { ...JSON_TYPE, 'content-encoding': 'gzip' });
      const fromAllowed = await allowed.send(request);
      expect(fromAllowed.status).toBe(500);
      expect(code(fromAllowed)).toBe('configuration_error');
      const fromRefused = await refused.send(request);
      expect(fromRefused.status).toBe(415);
      expect(code(fromRefused)).toBe('content_encoding_unsupported');
    });
  });

  describe('with no body parser', () => {
    it('hashes the exact bytes (non-UTF-8, chunked) and the handler can still stream them', async () => {
      const app = await start(guard(), echoStream);
      const body = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80, 0x41]);
      const single = await app.send(await signedPost(body));
      expect(single.status).toBe(200);
      expect(single.json).toEqual({ length: body.length, sha256: sha256(body) });

      const parts = [body.subarray(0, 2), body.subarray(2, 5), body.subarray(5)];
      const chunked = await app.send(await signedPost(body, {}, parts));
      expect(chunked.status).toBe(200);
      expect(chunked.json).toEqual({ length: body.length, sha256: sha256(body) });
    });

    it('bounds the body: 413 with a Content-Length or chunked', async () => {
      const app = await start(guard({ maxBodyBytes: SMALL }), echoStream);
      const body = Buffer.alloc(SMALL + 1, 0x61);
      const token = await signBody(body);
      // The client asks to keep the connection; the rest of the body is unread, so we close it.
      const declared = await app.send({
        method: 'POST',
        path: '/',
        headers: { ...bearer(token), connection: 'keep-alive' },
        body,
      });
      expect(declared.status).toBe(413);
      expect(declared.headers.connection).toBe('close');
      expect(code(declared)).toBe('body_too_large');
      const parts = [body.subarray(0, 40), body.subarray(40)];
      const chunked = await app.send({
        method: 'POST',
        path: '/',
        headers: bearer(token),
        body: parts,
      });
      expect(chunked.status).toBe(413);
      expect(code(chunked)).toBe('body_too_large');
    });

    it("onError: 'throw' hands Koa's error handling a 413 that closes the connection", async () => {
      const app = await start(
        requireServiceJwt({ ...options({ maxBodyBytes: SMALL }), onError: 'throw' }),
        echoStream,
      );
      const body = Buffer.alloc(SMALL + 1, 0x61);
      const response = await app.send(await signedPost(body, { connection: 'keep-alive' }));
      expect(response.status).toBe(413);
      expect(response.headers.connection).toBe('close');
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
    });

    it('hashes an empty GET body when the route requires bdy', async () => {
      const app = await start(guard({ required: true }), echoStream);
      const withHash = await app.send({
        method: 'GET',
        path: '/',
        headers: bearer(await signBody('', 'GET')),
      });
      expect(withHash.status).toBe(200);
      const without = await app.send({
        method: 'GET',
        path: '/',
        headers: bearer(await issuer.sign({}, { audience: AUDIENCE })),
      });
      expect(without.status).toBe(401);
      expect(code(without)).toBe('body_hash_missing');
    });

    it('refuses compressed bodies with 415 unless allowed, then hashes them as sent', async () => {
      const refused = await start(guard(), echoStream);
      const allowed = await start(guard({ allowContentEncoding: true }), echoStream);
      const body = gzipSync('hello, compressed world');
      const request = await signedPost(body, { 'content-encoding': 'gzip' });
      const fromRefused = await refused.send(request);
      expect(fromRefused.status).toBe(415);
      expect(code(fromRefused)).toBe('content_encoding_unsupported');
      const fromAllowed = await allowed.send(request);
      expect(fromAllowed.status).toBe(200);
      expect(fromAllowed.json).toEqual({ length: body.length, sha256: sha256(body) });
      expect(gunzipSync(body).toString()).toBe('hello, compressed world');
    });
  });

  describe('what is not read', () => {
    it('does not read the body of an unauthenticated request', async () => {
      let didRead: boolean | undefined;
      const app = await start(
        async (ctx, next) => {
          try {
            await next();
          } finally {
            didRead = ctx.req.readableDidRead;
          }
        },
        guard({ maxBodyBytes: SMALL }),
        echoStream,
      );
      const body = Buffer.alloc(SMALL * 4, 0x62);
      const response = await app.send({ method: 'POST', path: '/', body });
      expect(response.status).toBe(401);
      expect(code(response)).toBe('token_missing');
      expect(didRead).toBe(false);
    });

    it('does not buffer the body when no bdy is present or required', async () => {
      let didReadBeforeHandler: boolean | undefined;
      const app = await start(guard({ maxBodyBytes: SMALL }), async (ctx) => {
        didReadBeforeHandler = ctx.req.readableDidRead;
        const bytes = await readStream(ctx.req);
        ctx.body = { length: bytes.length };
      });
      // Larger than maxBodyBytes: a buffered body would have been refused with 413.
      const body = Buffer.alloc(SMALL * 4, 0x63);
      const response = await app.send({
        method: 'POST',
        path: '/',
        headers: bearer(await issuer.sign({}, { audience: AUDIENCE })),
        body,
      });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ length: body.length });
      expect(didReadBeforeHandler).toBe(false);
    });

    it('reads the body once when an app-wide and a route guard both check it', async () => {
      const app = await start(guard(), guard({ required: true }), echoStream);
      const body = '{"twice":"checked"}';
      const response = await app.send(await signedPost(body));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ length: body.length, sha256: sha256(Buffer.from(body)) });
    });
  });

  describe('after a custom body reader', () => {
    it('hashes a Buffer it left at ctx.request.rawBody as the exact bytes', async () => {
      const app = await start(
        async (ctx, next) => {
          (ctx.request as { rawBody?: unknown }).rawBody = await readStream(ctx.req);
          await next();
        },
        guard(),
        (ctx) => {
          ctx.body = { ok: ctx.state.serviceJwt !== undefined };
        },
      );
      const body = Buffer.from([0xc3, 0x28, 0xff, 0x7b]);
      const response = await app.send(await signedPost(body));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ ok: true });
    });

    it('refuses a rawBody that is neither bytes nor text with 500', async () => {
      const app = await start(
        async (ctx, next) => {
          (ctx.request as { rawBody?: unknown }).rawBody = JSON.parse(
            (await readStream(ctx.req)).toString(),
          );
          await next();
        },
        guard(),
        echoStream,
      );
      const body = '{"a":1}';
      const response = await app.send(await signedPost(body));
      expect(response.status).toBe(500);
      expect(code(response)).toBe('configuration_error');
    });
  });

  describe('when the bytes are gone', () => {
    it('fails closed with 500 configuration_error', async () => {
      const app = await start(
        async (ctx, next) => {
          await readStream(ctx.req);
          await next();
        },
        guard(),
        echoStream,
      );
      const body = '{"a":1}';
      const response = await app.send(await signedPost(body));
      expect(response.status).toBe(500);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(code(response)).toBe('configuration_error');
    });
  });
});
