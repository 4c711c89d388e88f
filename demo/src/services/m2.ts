import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { createVerifier } from '@service-jwt/core';
import { requireServiceJwt } from '@service-jwt/express';
import express from 'express';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/**
 * M2, the inventory service (Express): service tokens only (the default `source` check), for
 * its own audience, from M1 (keys from M1's JWKS URL, so rotations are picked up) or from the
 * user service (a trusted issuer whose tokens are nevertheless not service tokens).
 */
export async function startM2(
  m1JwksUri: string,
  usersKey: KeyObject,
  clock: DemoClock,
  logs: ServiceLogs,
): Promise<Listening> {
  const logger = logs('M2');
  const verifier = createVerifier({
    ...(logger === undefined ? {} : { logger }),
    issuers: {
      // Loopback HTTP for the demo only: key sets come over TLS in production.
      [ID.m1]: { jwksUri: m1JwksUri, allowInsecureHttp: true },
      [ID.users]: { publicKey: usersKey },
    },
    audience: ID.m2,
    now: clock.now,
  });
  const app = express();
  app.use(requireServiceJwt({ verifier }));
  app.get('/inventory', (req, res) => {
    res.json({ caller: req.serviceJwt?.issuer, kid: req.serviceJwt?.header.kid, apples: 12 });
  });
  const listening = await listen(createServer(app));
  return {
    url: listening.url,
    async close() {
      await listening.close();
      await verifier.close();
    },
  };
}
