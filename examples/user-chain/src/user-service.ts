import { createServer } from 'node:http';
import { createSigner, generateKeyPair, jwksResponse } from '@service-jwt/core';
import { type Listening, listen } from './listen.js';

/** The user service's identity: the `iss` of user tokens. */
export const USER_ISSUER = 'https://users.example/';

/**
 * The user service, the identity provider of the chain (plain `node:http`: issuing needs no
 * framework). `POST /login` with `{"user": "…"}` answers `{ "access_token": … }`, a user token
 * (`sub`, `iss`, `aud`, `exp`, `iat`; no `source` claim: it is not a service token) for every
 * audience in `audiences`. `GET /.well-known/jwks.json` publishes its public keys. There is no
 * password check: login itself is out of scope.
 */
export async function startUserService(
  audiences: readonly string[],
  port?: number,
): Promise<Listening> {
  const { privateKey } = await generateKeyPair('RS256');
  const signer = createSigner({ issuer: USER_ISSUER, keys: privateKey, source: false });
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      const { status, headers, body } = jwksResponse(signer);
      res.writeHead(status, headers).end(body);
      return;
    }
    if (req.method !== 'POST' || req.url !== '/login') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let user: unknown;
      try {
        user = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { user?: unknown }).user;
      } catch {
        user = undefined;
      }
      if (typeof user !== 'string' || user === '') {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"user"}');
        return;
      }
      signer.sign({}, { audience: audiences, subject: user, lifetime: 900 }).then(
        (token) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 900 }));
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  return listen(server, port);
}
