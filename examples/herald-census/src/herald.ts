import { createServer } from 'node:http';
import { createServiceFetch, createSigner, generateKeyPair } from '@service-jwt/core';
import { jwksHandler } from '@service-jwt/express';
import express from 'express';
import { CENSUS_AUDIENCE } from './census.js';
import { type Listening, listen } from './listen.js';

/** Herald's identity (`iss`). */
export const HERALD_ISSUER = 'https://herald.internal/';

/** Herald, started in two steps: its JWKS is up before Census needs it. */
export interface Herald extends Listening {
  /** Points Herald's outgoing calls at Census. */
  connect(censusUrl: string): void;
}

/**
 * Herald (Express), with its own key pair made at start-up. It publishes its public keys, and
 * forwards `POST /register` to Census's `/people` and `POST /purge` to Census's
 * `/admin/purge` through `createServiceFetch({ bind: true })`: each call gets a fresh token with
 * `iss` = Herald, `aud` = Census, `sub` = the end user named in `X-User`, and `bdy`, `htm`,
 * `htu`, `jti` bound to exactly the bytes it sends.
 */
export async function startHerald(port?: number): Promise<Herald> {
  const { privateKey } = await generateKeyPair('EdDSA');
  const signer = createSigner({ issuer: HERALD_ISSUER, keys: privateKey });
  let censusUrl: string | undefined;

  const app = express();
  app.use(jwksHandler(signer));
  app.use(express.json());
  const forward =
    (target: string): express.RequestHandler =>
    async (req, res, next) => {
      try {
        const user = req.get('x-user');
        const censusFetch = createServiceFetch({
          signer,
          audience: CENSUS_AUDIENCE,
          bind: true,
          ...(user ? { subject: user } : {}),
        });
        const answer = await censusFetch(`${censusUrl}${target}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(req.body ?? {}),
        });
        res.status(answer.status).json(await answer.json());
      } catch (err) {
        next(err);
      }
    };
  app.post('/register', forward('/people'));
  app.post('/purge', forward('/admin/purge'));

  const listening = await listen(createServer(app), port);
  return {
    ...listening,
    connect(url) {
      censusUrl = url;
    },
  };
}
