import { createServer, type IncomingMessage } from 'node:http';
import { type Listening, listen } from './listen.js';

/** The `iss` the legacy backend writes in its claims. */
export const LOGIN_ISSUER = 'https://login.example/';
/** Audience of access tokens: the order service. */
export const ORDERS_AUDIENCE = 'https://orders.example/';
/** Audience of refresh tokens: only the gateway's refresh endpoint, never a service. */
export const REFRESH_AUDIENCE = 'https://gateway.example/refresh';

// The example's one user. A real backend checks a password store.
const USERS: Readonly<Record<string, string>> = { ada: 'lovelace' };

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(typeof value === 'object' && value !== null ? (value as never) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * The legacy backend: `POST /token-issuer` with `{ user, password }` answers the claims of an
 * access token and a refresh token as plain JSON objects. It holds no key and signs nothing;
 * a wrong password is a 401, which the gateway passes through unsigned.
 */
export function startBackend(port = 0, now: () => number = Date.now): Promise<Listening> {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/token-issuer') {
      res.writeHead(404).end();
      return;
    }
    readJson(req).then((body) => {
      const user = typeof body?.user === 'string' ? body.user : '';
      if (USERS[user] === undefined || USERS[user] !== body?.password) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_credentials' }));
        return;
      }
      const iat = Math.floor(now() / 1000);
      const exp = iat + 900;
      const claims = {
        access_token: { iss: LOGIN_ISSUER, sub: user, aud: ORDERS_AUDIENCE, iat, exp },
        refresh_token: {
          iss: LOGIN_ISSUER,
          sub: user,
          aud: REFRESH_AUDIENCE,
          iat,
          exp: iat + 86_400,
        },
        exp,
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(claims));
    });
  });
  return listen(server, port);
}
