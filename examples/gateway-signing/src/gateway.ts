import { createServer } from 'node:http';
import type { JsonWebKeyInput } from '@service-jwt/core';
import { signResponseKeys } from '@service-jwt/express';
import express from 'express';
import { type Listening, listen } from './listen.js';

/** How the gateway signs: which keys, with which key. */
export interface GatewayOptions {
  /** Base URL of the legacy backend. */
  readonly backendUrl: string;
  /** The gateway's private JWK (with `kid`). In production: `jwkSetUrl` with `ca`/`fingerprints`. */
  readonly signingJwk: JsonWebKeyInput & { readonly kid: string };
  readonly port?: number;
}

/**
 * The gateway (Express): `POST /token` forwards the request body to the backend's
 * `POST /token-issuer` and answers its status and body, with `access_token` and
 * `refresh_token` replaced by compact JWS signed with the gateway's key. The backend never
 * holds a key; the signing key never leaves the gateway.
 */
export async function startGateway(options: GatewayOptions): Promise<Listening> {
  const sign = signResponseKeys({
    keysToSign: ['access_token', 'refresh_token'],
    alg: 'ES256',
    kid: options.signingJwk.kid,
    keys: { keys: [options.signingJwk] },
  });
  // Fails at start-up, not on the first login, when the key is unusable.
  await sign.signer.ready();

  const app = express();
  app.post('/token', express.raw({ type: () => true, limit: '16kb' }), sign, (req, res, next) => {
    fetch(`${options.backendUrl}/token-issuer`, {
      method: 'POST',
      headers: { 'content-type': req.get('content-type') ?? 'application/json' },
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      signal: AbortSignal.timeout(5000),
    })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        res.status(upstream.status);
        res.type(upstream.headers.get('content-type') ?? 'application/octet-stream');
        res.send(body);
      })
      .catch(next);
  });
  return listen(createServer(app), options.port ?? 0);
}
