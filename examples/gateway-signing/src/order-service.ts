import { createServer } from 'node:http';
import type { PublicJwk } from '@service-jwt/core';
import { requireServiceJwt } from '@service-jwt/express';
import express from 'express';
import { LOGIN_ISSUER, ORDERS_AUDIENCE } from './backend.js';
import { type Listening, listen } from './listen.js';

/**
 * The order service (Express): accepts the access tokens the gateway signed. It trusts the
 * backend's issuer with the gateway's public key, checks its own `aud`, and sets
 * `source: false` because these are user tokens, not service tokens.
 */
export function startOrderService(gatewayPublicJwk: PublicJwk, port = 0): Promise<Listening> {
  const app = express();
  app.use(
    requireServiceJwt({
      issuers: { [LOGIN_ISSUER]: { publicKey: gatewayPublicJwk } },
      audience: ORDERS_AUDIENCE,
      source: false,
    }),
  );
  app.get('/orders', (req, res) => {
    res.json({ user: req.serviceJwt?.subject, orders: [{ id: 'o-1001', total: 42 }] });
  });
  return listen(createServer(app), port);
}
