/// <reference types="jest" />
import { connect } from 'node:net';
import { answerWith, type ConformanceApp, type ConformanceAppSpec } from './adapter-conformance.js';
import { createConformanceFixture } from './conformance-fixture.js';
import { bearer } from './row-kit.js';

const STALL_TIMEOUT_MS = 300;
const CONNECTIONS = 20;
// Bounds the test, never asserted: a guard without a deadline leaves these requests hanging.
const CLIENT_LIMIT_MS = 10_000;

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly connection: string | undefined;
  /** The server closed the connection after answering. */
  readonly closed: boolean;
}

// Sends the headers and the first bytes of a body that never comes in full, then waits.
function stall(url: string, token: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const limit = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${CLIENT_LIMIT_MS} ms: the body is waited for forever`));
    }, CLIENT_LIMIT_MS);
    socket.on('connect', () => {
      socket.write(
        [
          'POST /ok HTTP/1.1',
          'Host: 127.0.0.1',
          `Authorization: ${bearer(token).authorization}`,
          'Content-Type: application/json',
          'Content-Length: 100',
          '',
          '{"name":"A',
        ].join('\r\n'),
      );
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(limit);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const connection = /\r\nconnection: *([^\r]*)/i.exec(head)?.[1]?.toLowerCase();
      const code = /"code":"([a-z_]+)"/.exec(body)?.[1];
      resolve({ status, code, connection, closed: true });
    });
  });
}

/**
 * A stalled body on a route that checks body hashes is answered 408 `body_timeout` after the
 * route's `bodyHash.timeout`, with `Connection: close`, on every adapter, however many arrive
 * at once; frameworks whose own request time-out is off by default (Fastify) included.
 * `start` is the same function the adapter gives {@link describeConformance}.
 */
export function describeStalledBodies(
  adapterName: string,
  start: (spec: ConformanceAppSpec) => Promise<ConformanceApp>,
): void {
  describe(`stalled bodies: ${adapterName}`, () => {
    it(`answers ${CONNECTIONS} stalled bound bodies 408 body_timeout and closes them`, async () => {
      const fixture = await createConformanceFixture();
      const app = await start({
        options: fixture.options,
        routes: [
          {
            method: 'POST',
            path: '/ok',
            route: { bodyHash: { required: true, timeout: STALL_TIMEOUT_MS } },
          },
        ],
        answer: answerWith(fixture),
      });
      try {
        const tokens = await Promise.all(
          Array.from({ length: CONNECTIONS }, () =>
            fixture.mint({ claims: { bdy: fixture.bodyHash('{"name":"Ada"}') } }),
          ),
        );
        const answers = await Promise.all(tokens.map((token) => stall(app.url, token)));
        for (const answer of answers) {
          expect(answer).toEqual({
            status: 408,
            code: 'body_timeout',
            connection: 'close',
            closed: true,
          });
        }
      } finally {
        await app.close();
        await fixture.close();
      }
    }, 30_000);
  });
}
