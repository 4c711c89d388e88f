import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKeyInput, JsonWebKeySetInput } from '@service-jwt/core';

/** What {@link serveJwks} serves: an issuer (its `jwks`), a fixed set, or a function read per request. */
export type JwksSource =
  | { readonly jwks: JsonWebKeySetInput }
  | JsonWebKeySetInput
  | (() => JsonWebKeySetInput);

/** Options of {@link serveJwks}. */
export interface JwksServerOptions {
  /** Delay before each answer, in milliseconds. @default 0 */
  readonly delayMs?: number;
  /** Status of the key-set answers. @default 200 */
  readonly status?: number;
  /** The `issuer` announced at `/.well-known/openid-configuration`. @default the server origin + '/' */
  readonly issuer?: string;
}

/** A loopback (`http://127.0.0.1`) JWKS server for tests. */
export interface JwksServer {
  /** `http://127.0.0.1:PORT/.well-known/jwks.json`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT/`, whose `/.well-known/openid-configuration` points at {@link url}. */
  readonly origin: string;
  /** Key-set requests received so far. */
  readonly requests: number;
  /** Serves `keys` from now on (and ends any {@link respondWith} override). */
  setKeys(keys: JsonWebKeySetInput | readonly JsonWebKeyInput[]): void;
  /** While on, requests get no answer (until switched off or the server stops). */
  hang(on: boolean): void;
  /** Answers every key-set request with this status and raw body until {@link setKeys}. */
  respondWith(status: number, body: string): void;
  /** Stops listening and drops open connections; {@link start} listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/**
 * Serves a JWK set over plain HTTP on 127.0.0.1 (a free port). Tests only: verifiers must be
 * configured with `allowInsecureHttp: true` to accept it.
 *
 * @example
 * ```ts
 * const server = await serveJwks(issuer);
 * const verifier = createVerifier({ issuers: { [issuer.issuer]: { jwksUri: server.url, allowInsecureHttp: true } }, audience });
 * ```
 */
export async function serveJwks(
  source: JwksSource,
  options: JwksServerOptions = {},
): Promise<JwksServer> {
  let current: () => JsonWebKeySetInput;
  if (typeof source === 'function') current = source;
  else if ('jwks' in source) current = () => source.jwks;
  else current = () => source;
  let override: { status: number; body: string } | undefined;
  let hanging = false;
  let requests = 0;
  let port = 0;
  const held = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/.well-known/openid-configuration') {
      const issuer = options.issuer ?? `http://127.0.0.1:${port}/`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ issuer, jwks_uri: `http://127.0.0.1:${port}/.well-known/jwks.json` }),
      );
      return;
    }
    if (path !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    requests += 1;
    if (hanging) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const answer = () => {
      if (override !== undefined) {
        res.writeHead(override.status, { 'content-type': 'application/json' });
        res.end(override.body);
        return;
      }
      res.writeHead(options.status ?? 200, {
        'content-type': 'application/jwk-set+json',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(current()));
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      for (const res of held) res.destroy();
      held.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}/.well-known/jwks.json`;
    },
    get origin() {
      return `http://127.0.0.1:${port}/`;
    },
    get requests() {
      return requests;
    },
    setKeys(keys) {
      const set: JsonWebKeySetInput = Array.isArray(keys)
        ? { keys: keys as readonly JsonWebKeyInput[] }
        : (keys as JsonWebKeySetInput);
      current = () => set;
      override = undefined;
    },
    hang(on) {
      hanging = on;
      if (!on) {
        for (const res of held) {
          res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
          res.end(JSON.stringify(current()));
        }
        held.clear();
      }
    },
    respondWith(status, body) {
      override = { status, body };
    },
    stop,
    start: () => (server.listening ? Promise.resolve() : listen()),
    close: stop,
  };
}
