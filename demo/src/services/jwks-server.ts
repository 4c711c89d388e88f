import { createServer } from 'node:http';
import { jwksResponse, type ServiceJwtSigner } from '@service-jwt/core';
import { type Listening, listen } from '../listen.js';

/** Publishes a caller's public keys at `/.well-known/jwks.json`, read anew on every request. */
export function startJwksServer(signer: ServiceJwtSigner): Promise<Listening> {
  return listen(
    createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
        const { status, headers, body } = jwksResponse(signer, { maxAge: 60 });
        res.writeHead(status, headers).end(body);
      } else {
        res.writeHead(404).end();
      }
    }),
  );
}
