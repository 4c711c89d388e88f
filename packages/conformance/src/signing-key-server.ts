import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listenOnLoopback } from './loopback.js';

/** A loopback server of a JWK set holding private signing keys, for `signResponseKeys` tests. */
export interface SigningKeyServer {
  /** `http(s)://127.0.0.1:<port>/jwks.json` */
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: number;
  /** The status of the next answers. @default 200 */
  status: number;
  close(): Promise<void>;
}

/**
 * Serves `{ keys }` on 127.0.0.1 (a free port), over HTTPS when a certificate is given.
 * Start it once per test file.
 */
export async function startSigningKeyServer(
  keys: readonly object[],
  tls?: { readonly key: string; readonly cert: string },
): Promise<SigningKeyServer> {
  const body = JSON.stringify({ keys });
  let requests = 0;
  const state = { status: 200 };
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    res.statusCode = state.status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  };
  const server: Server =
    tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  const loopback = await listenOnLoopback(server);
  return {
    url: `${loopback.url}/jwks.json`,
    get requests() {
      return requests;
    },
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: loopback.close,
  };
}

/** A legacy login response: two token claim sets to sign and a key left as it is. */
export const LOGIN_RESPONSE = Object.freeze({
  access_token: Object.freeze({ sub: 'user-1', iss: 'https://login.test/', exp: 1_900_000_000 }),
  refresh_token: Object.freeze({ sub: 'user-1', typ: 'refresh' }),
  exp: 1_900_000_000,
});
