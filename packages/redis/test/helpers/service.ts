import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '@service-jwt/conformance';
import { errorResponse, type ServiceJwtVerifier } from '@service-jwt/core';
import { toServiceJwtError } from '@service-jwt/core/adapter';

/** A plain node:http service protected by a verifier, listening on 127.0.0.1. */
export interface Service {
  readonly url: string;
  close(): Promise<void>;
}

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers 200 `{ subject, jti }` for an accepted token, else core's error response. */
export async function startService(
  verifier: ServiceJwtVerifier,
  extra?: ExtraRoute,
): Promise<Service> {
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return;
    readBody(req)
      .then((body) =>
        verifier.verify({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body,
        }),
      )
      .then(
        (verified) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ subject: verified.subject, jti: verified.claims.jti }));
        },
        (err: unknown) => {
          const { status, headers, body } = errorResponse(toServiceJwtError(err));
          res.writeHead(status, { ...headers, 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
      );
  });
  server.keepAliveTimeout = 1000;
  const { url, close } = await listenOnLoopback(server);
  return { url, close };
}

/** What a test needs of one response. */
export interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly wwwAuthenticate: string | null;
  readonly retryAfter: string | null;
  readonly ms: number;
}

/** GET `path` with a bearer token; never waits longer than `timeoutMs`. */
export async function call(
  url: string,
  token: string,
  timeoutMs = 5000,
  path = '/orders',
): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url + path, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { code?: string };
  return {
    status: res.status,
    code: body.code,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    ms: Date.now() - started,
  };
}
