import { createServer } from 'node:http';
import type { JsonWebKeyInput } from '@service-jwt/core';
import { signResponseKeys } from '@service-jwt/express';
import express from 'express';
import type { DemoClock } from '../clock.js';
import { ID } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/**
 * A legacy login backend: `POST /login` answers plain, unsigned JSON claims, as many old
 * backends do (design scenario 4).
 */
export function startLegacyLogin(clock: DemoClock): Promise<Listening> {
  return listen(
    createServer((_req, res) => {
      const iat = Math.floor(clock.now() / 1000);
      const claims = { iss: ID.gateway, sub: 'ada', iat };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: { ...claims, aud: ID.orders, exp: iat + 300 },
          refresh_token: { ...claims, aud: ID.gateway, exp: iat + 86_400 },
          token_type: 'Bearer',
        }),
      );
    }),
  );
}

/** Options of {@link startLoginGateway}. */
export interface LoginGatewayOptions {
  readonly backendUrl: string;
  /** The gateway's private signing key (JWK with `kid` and `alg`). */
  readonly signingKey: JsonWebKeyInput & { readonly kid: string };
}

/**
 * The gateway (Express): its `POST /login` route calls the legacy backend and, with
 * `signResponseKeys`, replaces `access_token` and `refresh_token` by compact JWSs signed with
 * the gateway's own key before the response leaves.
 */
export async function startLoginGateway(options: LoginGatewayOptions): Promise<Listening> {
  const signing = signResponseKeys({
    keysToSign: ['access_token', 'refresh_token'],
    alg: 'ES256',
    kid: options.signingKey.kid,
    keys: [options.signingKey],
  });
  await signing.signer.ready();
  const app = express();
  app.post('/login', signing, async (_req, res, next) => {
    try {
      const answer = await fetch(`${options.backendUrl}/login`, { method: 'POST' });
      res
        .status(answer.status)
        .type('application/json')
        .send(await answer.text());
    } catch (err) {
      next(err);
    }
  });
  return listen(createServer(app));
}
