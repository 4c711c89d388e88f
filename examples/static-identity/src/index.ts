import { createServer } from 'node:http';
import { createSigner, createVerifier, generateKeyPair } from '@service-jwt/core';
import { jwksHandler, requireServiceJwt } from '@service-jwt/express';
import express from 'express';
import { type Listening, listen } from './listen.js';

/** M1's identity: the `iss` of its tokens and the key M2 trusts it under. */
export const M1_ISSUER = 'https://m1.internal/';
/** M2's audience: M1's tokens are minted for it. */
export const M2_AUDIENCE = 'https://m2.internal/';

/** The running example: both services' base URLs and a close for both. */
export interface StaticIdentityExample {
  readonly urls: { readonly m1: string; readonly m2: string };
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Ports to listen on (127.0.0.1). @default 0 for both: any free port */
  readonly ports?: { readonly m1?: number; readonly m2?: number };
}

/**
 * Starts M1 and M2 on 127.0.0.1.
 *
 * - M1 generates its key pair at start-up (nothing is committed), publishes the public half at
 *   `/.well-known/jwks.json`, mints its identity token for M2 once with `signer.tokenFor` and
 *   keeps it in memory (the signer renews it before it expires). `GET /report` calls M2 with it.
 * - M2 trusts M1's key set (fetched from M1's JWKS URL) and only accepts tokens carrying
 *   `source: "microservice"` and its own audience.
 *
 * @example
 * ```ts
 * const { urls, close } = await start();
 * await fetch(`${urls.m1}/report`); // M1 → M2, accepted
 * await fetch(`${urls.m2}/inventory`); // no token: 401 token_missing
 * await close();
 * ```
 */
export async function start(options: StartOptions = {}): Promise<StaticIdentityExample> {
  const { privateKey } = await generateKeyPair('ES256');
  const signer = createSigner({ issuer: M1_ISSUER, keys: privateKey, lifetime: 3600 });

  const m1App = express();
  m1App.use(jwksHandler(signer));
  const m1 = await listen(createServer(m1App), options.ports?.m1);
  let m2: Listening | undefined;

  const m2App = express();
  const verifier = createVerifier({
    issuers: {
      // Loopback HTTP for the example only: key sets are fetched over https in production.
      [M1_ISSUER]: { jwksUri: `${m1.url}/.well-known/jwks.json`, allowInsecureHttp: true },
    },
    audience: M2_AUDIENCE,
  });
  m2App.use(requireServiceJwt({ verifier }));
  m2App.get('/inventory', (req, res) => {
    res.json({ caller: req.serviceJwt?.issuer, items: [{ sku: 'apple', count: 12 }] });
  });
  try {
    m2 = await listen(createServer(m2App), options.ports?.m2);
  } catch (err) {
    await m1.close();
    throw err;
  }
  const m2Url = m2.url;

  // The static identity token: minted once at start-up, then served from the signer's cache.
  await signer.tokenFor(M2_AUDIENCE);
  m1App.get('/report', async (_req, res, next) => {
    try {
      const token = await signer.tokenFor(M2_AUDIENCE);
      const answer = await fetch(`${m2Url}/inventory`, {
        headers: { authorization: `Bearer ${token}` },
      });
      res.status(answer.status).json({ from: 'm2', body: await answer.json() });
    } catch (err) {
      next(err);
    }
  });

  return {
    urls: { m1: m1.url, m2: m2Url },
    async close() {
      await Promise.all([m1.close(), m2?.close()]);
      await verifier.close();
    },
  };
}
