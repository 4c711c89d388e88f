import type { AddressInfo } from 'node:net';
import { sendRawRequest } from '@service-jwt/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';

/** The server options the tests vary. */
export interface AppOptions {
  readonly bodyLimit?: number;
}

/** Both supported majors; Fastify 4 is typed through Fastify 5's declarations (same surface here). */
export const MAJORS: ReadonlyArray<readonly [string, (options?: AppOptions) => FastifyInstance]> = [
  ['fastify 5', (options) => Fastify({ logger: false, ...options })],
  ['fastify 4', (options) => Fastify4({ logger: false, ...options }) as unknown as FastifyInstance],
];

/** Listens on 127.0.0.1, port 0, and returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const urls = new WeakMap<FastifyInstance, Promise<string>>();

/** What {@link send} resolves: the parts of a response the tests look at. */
export interface SentResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  json(): any;
}

/**
 * Sends one request over a real loopback connection (the app listens on first use). Used
 * instead of `app.inject()`, whose Fastify 5 implementation loads an ESM-only dependency that
 * the CommonJS test runtime cannot require.
 */
export async function send(
  app: FastifyInstance,
  request: {
    readonly method: string;
    readonly url: string;
    readonly headers?: Readonly<Record<string, string | readonly string[]>>;
    readonly payload?: string | Uint8Array | readonly (string | Uint8Array)[];
  },
): Promise<SentResponse> {
  let url = urls.get(app);
  if (url === undefined) {
    url = listen(app);
    urls.set(app, url);
  }
  const response = await sendRawRequest(await url, {
    method: request.method,
    path: request.url,
    ...(request.headers === undefined ? {} : { headers: request.headers }),
    ...(request.payload === undefined ? {} : { body: request.payload }),
  });
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    json: () => response.json,
  };
}
