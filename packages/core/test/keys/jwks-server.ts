import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** What the loopback JWKS server answers on `/jwks.json`. */
export type JwksMode = 'ok' | 'hang' | 'junk' | 'not-a-set' | 'oversize' | 'redirect' | 'error';

/** A JWKS (and OIDC discovery) server on 127.0.0.1 that counts requests. */
export interface JwksServer {
  readonly origin: string;
  readonly jwksUrl: string;
  /** Requests to `/jwks.json` so far. */
  readonly jwksRequests: number;
  readonly discoveryRequests: number;
  mode: JwksMode;
  keys: object[];
  /** The discovery document served at `/.well-known/openid-configuration`. */
  discovery: Record<string, unknown> | undefined;
  /** Stops listening and drops every connection (the endpoint goes down). */
  close(): Promise<void>;
}

export async function startJwksServer(tls?: { key: string; cert: string }): Promise<JwksServer> {
  let jwksRequests = 0;
  let discoveryRequests = 0;
  const hanging = new Set<ServerResponse>();
  const state = {
    mode: 'ok' as JwksMode,
    keys: [] as object[],
    discovery: undefined as Record<string, unknown> | undefined,
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/.well-known/openid-configuration' && state.discovery !== undefined) {
      discoveryRequests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(state.discovery));
      return;
    }
    if (req.url !== '/jwks.json') {
      res.statusCode = 404;
      res.end();
      return;
    }
    jwksRequests += 1;
    switch (state.mode) {
      case 'hang':
        hanging.add(res);
        return;
      case 'junk':
        res.end('{"keys": [');
        return;
      case 'not-a-set':
        res.end('{"kids": []}');
        return;
      case 'oversize':
        res.end(JSON.stringify({ keys: state.keys, padding: 'x'.repeat(64 * 1024) }));
        return;
      case 'redirect':
        res.statusCode = 302;
        res.setHeader('location', '/other.json');
        res.end();
        return;
      case 'error':
        res.statusCode = 500;
        res.end('{}');
        return;
      default:
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: state.keys }));
    }
  };
  const server = tls === undefined ? createHttpServer(handler) : createHttpsServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  return {
    origin,
    jwksUrl: `${origin}/jwks.json`,
    get jwksRequests() {
      return jwksRequests;
    },
    get discoveryRequests() {
      return discoveryRequests;
    },
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    get discovery() {
      return state.discovery;
    },
    set discovery(value) {
      state.discovery = value;
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A public JWK of a fresh key pair, for building key sets in tests. */
export function publicJwk(key: KeyObject, extra: Record<string, unknown> = {}): object {
  return { ...key.export({ format: 'jwk' }), ...extra };
}

export function ecKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** Runs `fn` (sync or async) and returns the `ServiceJwtError` it throws or rejects with. */
export { caughtBy as caught } from '@service-jwt/conformance';
