import { gzipSync } from 'node:zlib';
import { type RawResponse, sendRawRequest } from '@service-jwt/conformance';
import type { RouteOptions, VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { captureRawBody, serviceJwt } from '../src/index.js';
import { type ExpressFactory, listen, MAJORS } from './helpers.js';

const AUDIENCE = 'https://census.test/';
/** Not valid UTF-8: a lone continuation byte, an overlong form, 0xff 0xfe, a NUL. */
const NON_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xff, 0xfe, 0x00, 0x41]);

type ParserFactory = (express: ExpressFactory, verify?: typeof captureRawBody) => RequestHandler;

interface ParserCase {
  readonly name: string;
  readonly make: ParserFactory;
  readonly type: string;
  readonly body: Buffer;
  /** `req.body` as the echo handler returns it (Buffers as base64). */
  readonly parsed: unknown;
}

const PARSERS: readonly ParserCase[] = [
  {
    name: 'express.json()',
    make: (e, verify) => e.json(verify ? { verify } : {}),
    type: 'application/json',
    body: Buffer.from('{"city":"Zürich","n":1}'),
    parsed: { city: 'Zürich', n: 1 },
  },
  {
    name: 'express.urlencoded()',
    make: (e, verify) => e.urlencoded({ extended: false, ...(verify ? { verify } : {}) }),
    type: 'application/x-www-form-urlencoded',
    body: Buffer.from('city=Z%C3%BCrich&n=1'),
    parsed: { city: 'Zürich', n: '1' },
  },
  {
    name: 'express.text()',
    make: (e, verify) => e.text(verify ? { verify } : {}),
    type: 'text/plain; charset=utf-8',
    body: Buffer.from('Grüße aus Zürich'),
    parsed: 'Grüße aus Zürich',
  },
  {
    name: 'express.raw()',
    make: (e, verify) => e.raw(verify ? { verify } : {}),
    type: 'application/octet-stream',
    body: NON_UTF8,
    parsed: NON_UTF8.toString('base64'),
  },
];

function echo(req: Request, res: Response): void {
  const body: unknown = Buffer.isBuffer(req.body) ? req.body.toString('base64') : req.body;
  res.json({ body, issuer: req.serviceJwt?.issuer });
}

/** Byte 3 flipped: still valid JSON, form data, UTF-8 text; a different body all the same. */
function oneByteChanged(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[3] = (copy[3] ?? 0) ^ 0x01;
  return copy;
}

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = { issuers: { [issuer.issuer]: issuer.keys }, audience: AUDIENCE };
});

/** Boots `setup(app)` on loopback, sends one request, closes. */
async function call(
  express: ExpressFactory,
  setup: (app: Express) => void,
  request: Parameters<typeof sendRawRequest>[1],
): Promise<RawResponse> {
  const app = express();
  setup(app);
  const running = await listen(app);
  try {
    return await sendRawRequest(running.url, request);
  } finally {
    await running.close();
  }
}

async function boundPost(
  body: Buffer,
  type: string,
  sent: Buffer | Buffer[] = body,
  extraHeaders: Record<string, string> = {},
) {
  const token = await issuer.signRequest({
    method: 'POST',
    url: '/echo',
    body,
    audience: AUDIENCE,
  });
  return {
    method: 'POST',
    path: '/echo',
    headers: { authorization: `Bearer ${token}`, 'content-type': type, ...extraHeaders },
    body: sent,
  };
}

function expectError(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect((response.json as { code?: string }).code).toBe(code);
}

describe.each(MAJORS)('%s: raw body', (_name, express) => {
  const auth = (route?: RouteOptions) => serviceJwt(options)(route);

  describe.each(PARSERS)('mounted before $name', (parser) => {
    const setup = (app: Express) => app.post('/echo', auth(), parser.make(express), echo);

    it('verifies the hash and the parser still gets the same bytes', async () => {
      const response = await call(express, setup, await boundPost(parser.body, parser.type));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ body: parser.parsed, issuer: issuer.issuer });
    });

    it('refuses a body changed by one byte with body_hash_mismatch', async () => {
      const request = await boundPost(parser.body, parser.type, oneByteChanged(parser.body));
      expectError(await call(express, setup, request), 401, 'body_hash_mismatch');
    });
  });

  describe.each(PARSERS)('mounted after $name with captureRawBody', (parser) => {
    const setup = (app: Express) =>
      app.post('/echo', parser.make(express, captureRawBody), auth(), echo);

    it('verifies the hash over the captured bytes', async () => {
      const response = await call(express, setup, await boundPost(parser.body, parser.type));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ body: parser.parsed, issuer: issuer.issuer });
    });

    it('refuses a body changed by one byte with body_hash_mismatch', async () => {
      const request = await boundPost(parser.body, parser.type, oneByteChanged(parser.body));
      expectError(await call(express, setup, request), 401, 'body_hash_mismatch');
    });

    it('checks the captured bytes in the same turn: next() runs before the middleware returns', async () => {
      // With the bytes in hand there is nothing to wait for: no reader, no read deadline.
      const guard = auth();
      const inTurn = (req: Request, res: Response, next: () => void): void => {
        let returned = false;
        guard(req, res, () => {
          res.locals.sameTurn = !returned;
          next();
        });
        returned = true;
      };
      const response = await call(
        express,
        (app) =>
          app.post('/echo', parser.make(express, captureRawBody), inTurn, (_req, res) => {
            res.json({ sameTurn: res.locals.sameTurn });
          }),
        await boundPost(parser.body, parser.type),
      );
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ sameTurn: true });
    });
  });

  describe('without a body parser', () => {
    const setup = (app: Express) =>
      app.post('/echo', auth(), async (req, res) => {
        // The handler still gets the whole body from the stream after we hashed it.
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        res.json({
          body: Buffer.concat(chunks).toString('base64'),
          issuer: req.serviceJwt?.issuer,
        });
      });

    it('reads and verifies the raw bytes (non-UTF-8 included), the handler can still read them', async () => {
      const response = await call(
        express,
        setup,
        await boundPost(NON_UTF8, 'application/octet-stream'),
      );
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ body: NON_UTF8.toString('base64'), issuer: issuer.issuer });
    });

    it('refuses a body changed by one byte', async () => {
      const request = await boundPost(
        NON_UTF8,
        'application/octet-stream',
        oneByteChanged(NON_UTF8),
      );
      expectError(await call(express, setup, request), 401, 'body_hash_mismatch');
    });
  });

  it('does not buffer the body when neither the token nor the policy needs a hash', async () => {
    const body = Buffer.alloc(200_000, 'a');
    const token = await issuer.sign({}, { audience: AUDIENCE });
    const response = await call(
      express,
      (app) =>
        app.post('/stream', auth(), async (req, res) => {
          const touched = req.readableDidRead || req.readableFlowing !== null;
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          res.json({ touched, bytes: Buffer.concat(chunks).length });
        }),
      {
        method: 'POST',
        path: '/stream',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: [body.subarray(0, 100_000), body.subarray(100_000)],
      },
    );
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ touched: false, bytes: body.length });
  });

  it('refuses an unauthenticated request before reading its body', async () => {
    const response = await call(
      express,
      (app) => {
        app.post('/echo', serviceJwt({ ...options, onError: 'throw' })(), express.json(), echo);
        // Runs at the moment of refusal, before Node drains the unread body after the response.
        app.use(((err, req, res, _next) => {
          res.status(err.status).json({ code: err.code, bodyTouched: req.readableDidRead });
        }) as ErrorRequestHandler);
      },
      {
        method: 'POST',
        path: '/echo',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      },
    );
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ code: 'token_missing', bodyTouched: false });
  });

  it('verifies a chunked body before express.json()', async () => {
    const body = Buffer.from('{"items":[1,2,3],"note":"chunked"}');
    const request = await boundPost(body, 'application/json', [
      body.subarray(0, 7),
      body.subarray(7, 20),
      body.subarray(20),
    ]);
    const response = await call(
      express,
      (app) => app.post('/echo', auth(), express.json(), echo),
      request,
    );
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      body: { items: [1, 2, 3], note: 'chunked' },
      issuer: issuer.issuer,
    });
  });

  it('verifies a chunked body captured after express.json()', async () => {
    const body = Buffer.from('{"items":[4,5],"note":"captured"}');
    const request = await boundPost(body, 'application/json', [
      body.subarray(0, 9),
      body.subarray(9),
    ]);
    const response = await call(
      express,
      (app) => app.post('/echo', express.json({ verify: captureRawBody }), auth(), echo),
      request,
    );
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      body: { items: [4, 5], note: 'captured' },
      issuer: issuer.issuer,
    });
  });

  describe('Content-Encoding: gzip', () => {
    const json = Buffer.from('{"zipped":true}');
    const gzipped = gzipSync(json);

    it('is refused with 415 by default', async () => {
      const request = await boundPost(gzipped, 'application/json', gzipped, {
        'content-encoding': 'gzip',
      });
      const response = await call(
        express,
        (app) => app.post('/echo', auth(), express.json(), echo),
        request,
      );
      expectError(response, 415, 'content_encoding_unsupported');
    });

    it('when allowed, the hash covers the compressed bytes as sent and the parser inflates', async () => {
      const request = await boundPost(gzipped, 'application/json', gzipped, {
        'content-encoding': 'gzip',
      });
      const route = { bodyHash: { allowContentEncoding: true } };
      const response = await call(
        express,
        (app) => app.post('/echo', auth(route), express.json(), echo),
        request,
      );
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ body: { zipped: true }, issuer: issuer.issuer });
    });

    it('when allowed but a parser already inflated it, fails closed with configuration_error', async () => {
      const request = await boundPost(gzipped, 'application/json', gzipped, {
        'content-encoding': 'gzip',
      });
      const route = { bodyHash: { allowContentEncoding: true } };
      const response = await call(
        express,
        (app) => app.post('/echo', express.json({ verify: captureRawBody }), auth(route), echo),
        request,
      );
      expectError(response, 500, 'configuration_error');
    });
  });

  it('fails closed with 500 configuration_error when a parser consumed the body without capture', async () => {
    const body = Buffer.from('{"a":1}');
    const response = await call(
      express,
      (app) => app.post('/echo', express.json(), auth(), echo),
      await boundPost(body, 'application/json'),
    );
    expectError(response, 500, 'configuration_error');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('hashes the empty body of a GET after a parser when the policy requires a hash', async () => {
    const token = await issuer.signRequest({ method: 'GET', url: '/echo', audience: AUDIENCE });
    const response = await call(
      express,
      (app) =>
        app.get('/echo', express.json(), auth({ bodyHash: { required: true } }), (req, res) => {
          res.json({ issuer: req.serviceJwt?.issuer });
        }),
      { method: 'GET', path: '/echo', headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
  });

  describe('maxBodyBytes', () => {
    const big = Buffer.alloc(2048, 'z');
    const route = { bodyHash: { maxBodyBytes: 1024 } };

    it('answers 413 before a parser', async () => {
      const response = await call(
        express,
        (app) => app.post('/echo', auth(route), express.text(), echo),
        await boundPost(big, 'text/plain'),
      );
      expectError(response, 413, 'body_too_large');
      expect(response.headers.connection).toBe('close');
    });

    it('answers 413 for a chunked body before a parser', async () => {
      const response = await call(
        express,
        (app) => app.post('/echo', auth(route), express.text(), echo),
        await boundPost(big, 'text/plain', [big.subarray(0, 1000), big.subarray(1000)]),
      );
      expectError(response, 413, 'body_too_large');
    });

    it('answers 413 for captured bytes after a parser', async () => {
      const response = await call(
        express,
        (app) => app.post('/echo', express.text({ verify: captureRawBody }), auth(route), echo),
        await boundPost(big, 'text/plain'),
      );
      expectError(response, 413, 'body_too_large');
    });
  });
});
