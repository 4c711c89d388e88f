import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { type Loopback, listenOnLoopback, thrownBy } from '@service-jwt/conformance';
import { errorResponse } from '@service-jwt/core';
import { nodeRequestHeaders } from '@service-jwt/core/adapter';
import { extractToken } from '../../src/verify/extract-token.js';

const BEARER = { header: 'authorization', scheme: 'Bearer' } as const;

let server: Loopback;
let received: ((req: IncomingMessage) => void) | undefined;

beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((req, res) => {
      received?.(req);
      res.end();
    }),
  );
});

afterAll(() => server.close());

/** Sends `lines` as the header block of a GET, byte for byte, and resolves with the message. */
async function receive(lines: readonly string[]): Promise<IncomingMessage> {
  const arrived = new Promise<IncomingMessage>((resolve) => {
    received = resolve;
  });
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.end(`GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`);
  try {
    return await arrived;
  } finally {
    received = undefined;
  }
}

describe('nodeRequestHeaders', () => {
  it('hands back the message headers themselves when no header name repeats', async () => {
    const message = await receive(['Authorization: Bearer a.b.c', 'X-One: 1']);
    const headers = nodeRequestHeaders(message);
    expect(headers).toBe(message.headers);
    expect(extractToken(headers, BEARER, 8192)).toBe('a.b.c');
  });

  it.each([
    ['the same spelling', 'Authorization', 'Authorization'],
    ['names differing in case', 'Authorization', 'authorization'],
  ])(
    'keeps both of two Authorization headers (%s), so the request is token_duplicated',
    async (_, first, second) => {
      const message = await receive([
        `${first}: Bearer a.b.c`,
        'X-One: 1',
        `${second}: Bearer d.e.f`,
      ]);
      // What Node alone keeps would hide the second credential.
      expect(message.headers.authorization).toBe('Bearer a.b.c');
      const headers = nodeRequestHeaders(message);
      expect(headers.authorization).toEqual(['Bearer a.b.c', 'Bearer d.e.f']);
      expect(headers['x-one']).toBe('1');
      expect(message.headers.authorization).toBe('Bearer a.b.c');
      const err = thrownBy(() => extractToken(headers, BEARER, 8192));
      expect(err.code).toBe('token_duplicated');
      expect(err.status).toBe(400);
      expect(errorResponse(err, { realm: 'api' }).headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="invalid_request"/,
      );
    },
  );

  it('gives every value of any other repeated header, leaving single ones as they are', async () => {
    const message = await receive(['X-Many: 1', 'Authorization: Bearer a.b.c', 'X-Many: 2']);
    const headers = nodeRequestHeaders(message);
    expect(headers['x-many']).toEqual(['1', '2']);
    expect(headers.authorization).toBe('Bearer a.b.c');
    expect(extractToken(headers, BEARER, 8192)).toBe('a.b.c');
  });

  it('takes the exact path for more than 64 header lines and still finds the repeat', async () => {
    const filler = Array.from({ length: 70 }, (_, i) => `X-Filler-${i}: ${i}`);
    const single = await receive(['Authorization: Bearer a.b.c', ...filler]);
    expect(nodeRequestHeaders(single)).toEqual(single.headers);
    const twice = await receive(['Authorization: Bearer a.b.c', ...filler, 'Authorization: x']);
    expect(thrownBy(() => extractToken(nodeRequestHeaders(twice), BEARER, 8192)).code).toBe(
      'token_duplicated',
    );
  });

  it('starts from the headers it is given instead of the message headers', async () => {
    const message = await receive(['Authorization: Bearer a.b.c', 'Authorization: Bearer d.e.f']);
    const base = { ...message.headers, 'x-added': 'yes' };
    const headers = nodeRequestHeaders(message, base);
    expect(headers['x-added']).toBe('yes');
    expect(headers.authorization).toEqual(['Bearer a.b.c', 'Bearer d.e.f']);
    expect(base.authorization).toBe('Bearer a.b.c');
    const plain = await receive(['Authorization: Bearer a.b.c']);
    const given = { authorization: 'Bearer z.z.z' };
    expect(nodeRequestHeaders(plain, given)).toBe(given);
  });

  it('uses the headers as they are when the request has no headersDistinct', () => {
    const headers = { authorization: 'Bearer a.b.c' };
    const source = { headers, rawHeaders: ['Authorization', 'Bearer a.b.c', 'authorization', 'x'] };
    expect(nodeRequestHeaders(source)).toBe(headers);
  });
});
