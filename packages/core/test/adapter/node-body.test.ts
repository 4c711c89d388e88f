import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { type Loopback, listenOnLoopback } from '@service-jwt/conformance';
import { errorResponse, ServiceJwtError } from '@service-jwt/core';
import { readNodeRequestBody, readNodeRequestChunks } from '@service-jwt/core/adapter';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function serve(handler: Handler): Promise<Loopback> {
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      res.statusCode = 599;
      res.end(String(err));
    });
  });
  return listenOnLoopback(server);
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** Sends `chunks` one by one, with `gapMs` between them (chunked unless a length is given). */
function send(
  port: number,
  options: {
    method?: string;
    chunks?: Buffer[];
    headers?: Record<string, string | number>;
    gapMs?: number;
    agent?: Agent;
  },
): Promise<Reply> {
  const { method = 'POST', chunks = [], headers = {}, gapMs = 0, agent } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: '/', headers, agent: agent ?? false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }),
        );
      },
    );
    req.on('error', reject);
    let i = 0;
    const next = (): void => {
      if (i === chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[i++]);
      setTimeout(next, gapMs);
    };
    next();
  });
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64url');

/** Reads the body, then lets `consume` read the stream again; answers both hashes. */
function replayHandler(
  maxBytes: number,
  consume: (req: IncomingMessage) => Promise<Buffer>,
  delayMs = 0,
): Handler {
  return async (req, res) => {
    // A delay stands for the verifier's own awaits (a key fetch) before it asks for the body:
    // by then the whole body may sit in the stream's buffer, already ended by the parser.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    let captured: Uint8Array;
    try {
      captured = await readNodeRequestBody(req, maxBytes);
    } catch (err) {
      const e = err as ServiceJwtError;
      const response = errorResponse(e);
      res.writeHead(response.status, { ...response.headers, connection: 'close' });
      res.end(JSON.stringify(response.body));
      return;
    }
    const readableBefore = req.readable;
    const replayed = await consume(req);
    res.end(
      JSON.stringify({
        captured: sha(captured),
        capturedLength: captured.byteLength,
        replayed: sha(replayed),
        replayedLength: replayed.length,
        readableBefore,
        ended: req.readableEnded,
      }),
    );
  };
}

async function forAwait(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** The way raw-body (Express/Koa body parsers) reads: refuses a non-readable stream, then data/end. */
function rawBodyStyle(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!req.readable) {
      reject(new Error('stream is not readable'));
      return;
    }
    if (req.readableEncoding !== null) {
      reject(new Error('stream encoding should not be set'));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

describe('readNodeRequestBody', () => {
  let server: Loopback;
  afterEach(async () => {
    await server?.close();
  });

  it.each([
    ['for await', forAwait],
    ['data/end (raw-body style)', rawBodyStyle],
  ])('reads a fixed-length body and leaves it readable for a %s consumer', async (_, consume) => {
    server = await serve(replayHandler(1 << 20, consume));
    const body = Buffer.from('{"amount":100,"note":"ü"}');
    const reply = await send(server.port, {
      chunks: [body],
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    expect(reply.status).toBe(200);
    const result = JSON.parse(reply.body);
    expect(result.captured).toBe(sha(body));
    expect(result.replayed).toBe(sha(body));
    expect(result.readableBefore).toBe(true);
    expect(result.ended).toBe(true);
  });

  it('reads a chunked body written in delayed parts, then replays it intact', async () => {
    server = await serve(replayHandler(1 << 20, rawBodyStyle));
    const chunks = [Buffer.from('first,'), Buffer.from('second,'), Buffer.from('third')];
    const reply = await send(server.port, { chunks, gapMs: 30 });
    const result = JSON.parse(reply.body);
    const whole = Buffer.concat(chunks);
    expect(result.capturedLength).toBe(whole.length);
    expect(result.captured).toBe(sha(whole));
    expect(result.replayed).toBe(sha(whole));
    expect(result.readableBefore).toBe(true);
  });

  it('replays a 2 MiB binary body of many chunks byte for byte', async () => {
    server = await serve(replayHandler(4 << 20, forAwait));
    const chunks = Array.from({ length: 32 }, () => randomBytes(64 * 1024));
    const whole = Buffer.concat(chunks);
    const reply = await send(server.port, {
      chunks,
      headers: { 'content-length': whole.length },
    });
    const result = JSON.parse(reply.body);
    expect(result.capturedLength).toBe(whole.length);
    expect(result.captured).toBe(sha(whole));
    expect(result.replayed).toBe(sha(whole));
  });

  it.each([
    ['a GET without a body', { method: 'GET' }],
    ['Content-Length: 0', { headers: { 'content-length': 0 } }],
    ['an empty chunked body', { headers: { 'transfer-encoding': 'chunked' } }],
  ])('reads %s as empty and leaves the stream readable, not ended', async (_, options) => {
    server = await serve(replayHandler(1024, rawBodyStyle));
    const reply = await send(server.port, options);
    const result = JSON.parse(reply.body);
    expect(result.capturedLength).toBe(0);
    expect(result.captured).toBe(sha(new Uint8Array(0)));
    expect(result.replayedLength).toBe(0);
    expect(result.readableBefore).toBe(true);
  });

  it.each([
    ['a small body', Buffer.from('{"late":true}')],
    ['an empty body', Buffer.alloc(0)],
  ])('reads %s that was fully buffered before the read started', async (_, body) => {
    server = await serve(replayHandler(1024, rawBodyStyle, 50));
    const reply = await send(server.port, {
      chunks: [body],
      headers: { 'content-length': body.length },
    });
    const result = JSON.parse(reply.body);
    expect(result.capturedLength).toBe(body.length);
    expect(result.captured).toBe(sha(body));
    expect(result.replayed).toBe(sha(body));
    expect(result.readableBefore).toBe(true);
  });

  it('accepts a body of exactly maxBytes', async () => {
    server = await serve(replayHandler(10, forAwait));
    const reply = await send(server.port, { chunks: [Buffer.from('0123456789')] });
    expect(JSON.parse(reply.body).capturedLength).toBe(10);
  });

  it('refuses a declared Content-Length above maxBytes with 413 before the body arrives', async () => {
    let bodyBytesSeen = -1;
    server = await serve(async (req, res) => {
      try {
        await readNodeRequestBody(req, 1024);
      } catch (err) {
        bodyBytesSeen = req.readableLength;
        const response = errorResponse(err as ServiceJwtError);
        res.writeHead(response.status, { ...response.headers, connection: 'close' });
        res.end(JSON.stringify(response.body));
      }
    });
    // Only the headers and a few bytes of a declared 10 MB body are ever sent.
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n' + 'x'.repeat(16),
    );
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    await once(socket, 'end');
    socket.destroy();
    const text = Buffer.concat(parts).toString();
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"code":"body_too_large"');
    expect(bodyBytesSeen).toBeLessThanOrEqual(16);
  });

  it('refuses a chunked body that grows past maxBytes with 413', async () => {
    server = await serve(replayHandler(100, forAwait));
    const reply = await send(server.port, {
      chunks: [Buffer.alloc(60, 1), Buffer.alloc(60, 2), Buffer.alloc(60, 3)],
      gapMs: 10,
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).code).toBe('body_too_large');
  });

  it('rejects, without crashing or hanging, when the client aborts mid-body', async () => {
    let settle!: (err: unknown) => void;
    const outcome = new Promise<unknown>((resolve) => {
      settle = resolve;
    });
    let arrived!: () => void;
    const started = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    server = await serve(async (req) => {
      arrived();
      await readNodeRequestBody(req, 1 << 20).then(
        () => settle(new Error('resolved')),
        (err: unknown) => settle(err),
      );
    });
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n');
    socket.write('y'.repeat(100));
    await started;
    socket.destroy();
    const err = await outcome;
    expect(err).toBeInstanceOf(ServiceJwtError);
    expect((err as ServiceJwtError).status).toBeLessThan(500);
    expect((err as ServiceJwtError).code).toBe('body_hash_mismatch');
  });

  it('still serves the next request after an aborted one', async () => {
    server = await serve(replayHandler(1024, forAwait));
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\nabc');
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    const reply = await send(server.port, { chunks: [Buffer.from('ok')] });
    expect(JSON.parse(reply.body).replayed).toBe(sha(Buffer.from('ok')));
  });

  it('keeps a keep-alive connection usable for the next request', async () => {
    server = await serve(replayHandler(1024, rawBodyStyle));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const text of ['one', 'two', '', 'three']) {
        const body = Buffer.from(text);
        const reply = await send(server.port, {
          chunks: [body],
          headers: { 'content-length': body.length },
          agent,
        });
        expect(JSON.parse(reply.body).replayed).toBe(sha(body));
      }
    } finally {
      agent.destroy();
    }
  });

  it('returns the same bytes to a second call, and applies the smaller limit', async () => {
    server = await serve(async (req, res) => {
      const first = await readNodeRequestBody(req, 1024);
      const second = await readNodeRequestBody(req, 1024);
      const tooSmall = await readNodeRequestBody(req, 2).then(
        () => 'resolved',
        (err: ServiceJwtError) => err.code,
      );
      const replayed = await forAwait(req);
      res.end(JSON.stringify([sha(first), sha(second), tooSmall, sha(replayed)]));
    });
    const body = Buffer.from('twice');
    const reply = await send(server.port, { chunks: [body] });
    expect(JSON.parse(reply.body)).toEqual([sha(body), sha(body), 'body_too_large', sha(body)]);
  });

  it('returns a copy: changing the result does not change what later consumers read', async () => {
    server = await serve(async (req, res) => {
      const captured = await readNodeRequestBody(req, 1024);
      captured.fill(0);
      res.end((await forAwait(req)).toString());
    });
    const reply = await send(server.port, { chunks: [Buffer.from('intact')] });
    expect(reply.body).toBe('intact');
  });

  it('refuses with configuration_error when a body parser already consumed the body', async () => {
    server = await serve(async (req, res) => {
      await forAwait(req);
      const err = await readNodeRequestBody(req, 1024).then(
        () => undefined,
        (e: ServiceJwtError) => e,
      );
      res.end(JSON.stringify({ code: err?.code, status: err?.status }));
    });
    const reply = await send(server.port, { chunks: [Buffer.from('gone')] });
    expect(JSON.parse(reply.body)).toEqual({ code: 'configuration_error', status: 500 });
  });

  it('refuses a stream with an encoding set (configuration_error)', async () => {
    server = await serve(async (req, res) => {
      req.setEncoding('utf8');
      const err = await readNodeRequestBody(req, 1024).then(
        () => undefined,
        (e: ServiceJwtError) => e,
      );
      res.end(String(err?.code));
    });
    const reply = await send(server.port, { chunks: [Buffer.from('text')] });
    expect(reply.body).toBe('configuration_error');
  });
});

describe('readNodeRequestChunks', () => {
  let server: Loopback;
  afterEach(async () => {
    await server?.close();
  });

  it('hands over the chunks in arrival order, unjoined, and the stream still replays them', async () => {
    server = await serve(async (req, res) => {
      const chunks = await readNodeRequestChunks(req, 1024);
      const replayed = await rawBodyStyle(req);
      res.end(
        JSON.stringify({
          parts: chunks.map((chunk) => chunk.toString()),
          replayed: replayed.toString(),
        }),
      );
    });
    const chunks = [Buffer.from('first,'), Buffer.from('second,'), Buffer.from('third')];
    const reply = await send(server.port, { chunks, gapMs: 30 });
    const result = JSON.parse(reply.body);
    // The 30 ms gaps make the writes arrive in separate reads (at least the first alone).
    expect(result.parts.length).toBeGreaterThan(1);
    expect(result.parts.join('')).toBe('first,second,third');
    expect(result.replayed).toBe('first,second,third');
  });

  it('gives a second call the same chunks, measured against its own limit', async () => {
    server = await serve(async (req, res) => {
      const first = await readNodeRequestChunks(req, 1024);
      const second = await readNodeRequestChunks(req, 1024);
      const tooSmall = await readNodeRequestChunks(req, 11).then(
        () => 'resolved',
        (err: ServiceJwtError) => err.code,
      );
      const exact = await readNodeRequestChunks(req, 12);
      res.end(JSON.stringify([first === second, tooSmall, Buffer.concat(exact).toString()]));
    });
    const reply = await send(server.port, {
      chunks: [Buffer.from('twelve'), Buffer.from(' bytes')],
      gapMs: 30,
    });
    expect(JSON.parse(reply.body)).toEqual([true, 'body_too_large', 'twelve bytes']);
  });

  // The chunks of one read, and the listeners added to the message while it ran (seen through
  // the stream's own 'newListener' event).
  async function readWatchingListeners(
    req: IncomingMessage,
  ): Promise<{ chunks: readonly Buffer[]; added: string[] }> {
    const added: string[] = [];
    const record = (name: string | symbol): number => added.push(String(name));
    req.on('newListener', record);
    const chunks = await readNodeRequestChunks(req, 1024);
    req.removeListener('newListener', record);
    return { chunks, added };
  }
  const READ_EVENTS = ['readable', 'error', 'aborted', 'close'] as const;

  /** POSTs `body` with its headers in one socket write (so one read on the server); the answer. */
  async function postInOneWrite(port: number, body: string): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    await once(socket, 'end');
    return Buffer.concat(parts).toString();
  }

  it('takes a body that came with its headers without adding a listener', async () => {
    let added: string[] = [];
    server = await serve(async (req, res) => {
      const read = await readWatchingListeners(req);
      added = read.added;
      res.end(Buffer.concat(read.chunks).toString());
    });
    const text = await postInOneWrite(server.port, 'hello world');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.endsWith('\r\n\r\nhello world')).toBe(true);
    expect(added).toEqual([]);
  });

  it("still reads the body while the app's tests fake the timers", async () => {
    server = await serve(async (req, res) => {
      const chunks = await readNodeRequestChunks(req, 1024);
      res.end(Buffer.concat(chunks).toString());
    });
    // Tests of expiry often fake the clock; the read must not wait on a faked timer.
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    try {
      const text = await postInOneWrite(server.port, 'fake');
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text.endsWith('\r\n\r\nfake')).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for a body still on its way with listeners, and removes every one it added', async () => {
    let added: string[] = [];
    let left: number[] = [];
    server = await serve(async (req, res) => {
      const read = await readWatchingListeners(req);
      added = read.added;
      left = READ_EVENTS.map((name) => req.listenerCount(name));
      res.end(Buffer.concat(read.chunks).toString());
    });
    const reply = await send(server.port, {
      chunks: [Buffer.from('late '), Buffer.from('body')],
      headers: { 'content-length': 9 },
      gapMs: 30,
    });
    expect(reply.body).toBe('late body');
    expect([...added].sort()).toEqual([...READ_EVENTS].sort());
    expect(left).toEqual([0, 0, 0, 0]);
  });

  it('refuses, with configuration_error, a message that is not a Node readable stream', async () => {
    const notAStream = { headers: {}, complete: true } as unknown as IncomingMessage;
    const err = await readNodeRequestChunks(notAStream, 1024).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(err).toBeInstanceOf(ServiceJwtError);
    expect((err as ServiceJwtError).code).toBe('configuration_error');
    expect((err as ServiceJwtError).message).toContain('not a Node readable stream');
  });

  it('hands over no chunk for an empty body', async () => {
    server = await serve(async (req, res) => {
      const chunks = await readNodeRequestChunks(req, 1024);
      res.end(JSON.stringify({ count: chunks.length }));
    });
    const reply = await send(server.port, { headers: { 'content-length': 0 } });
    expect(JSON.parse(reply.body)).toEqual({ count: 0 });
  });
});
