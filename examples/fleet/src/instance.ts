import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { createVerifier } from '@service-jwt/core';
import { requireServiceJwt } from '@service-jwt/express';
import { createRedisReplayStore } from '@service-jwt/redis';
import express from 'express';
import { Redis } from 'ioredis';
import { type Listening, listen } from './listen.js';

/** The payments service's audience, the same on every instance. */
export const PAYMENTS_AUDIENCE = 'https://payments.internal/';

/** Options of {@link startInstance}. */
export interface InstanceOptions {
  /** Shown in answers, to tell the instances apart. */
  readonly name: string;
  /** Trusted caller: its `iss` and public key. */
  readonly caller: { readonly issuer: string; readonly publicKey: KeyObject };
  /** Redis, shared by every instance. */
  readonly redis: { readonly host: string; readonly port: number };
  /** Key prefix in Redis: the same on every instance of the service. */
  readonly prefix: string;
  readonly port?: number;
}

/**
 * One instance of the payments service (Express). Every instance uses the same Redis and
 * prefix for its replay store, so a request-bound token (`jti`) spent on one instance is
 * refused on every other (`token_replayed`), atomically (`SET NX`).
 */
export async function startInstance(options: InstanceOptions): Promise<Listening> {
  const redis = new Redis({ ...options.redis, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  const verifier = createVerifier({
    issuers: { [options.caller.issuer]: { publicKey: options.caller.publicKey } },
    audience: PAYMENTS_AUDIENCE,
    bodyHash: { required: true },
    requestBinding: { required: true },
    replay: createRedisReplayStore({ client: redis, prefix: options.prefix }),
  });
  const app = express();
  app.use(requireServiceJwt({ verifier }));
  app.use(express.json());
  app.post('/payments', (req, res) => {
    res.status(201).json({ instance: options.name, caller: req.serviceJwt?.issuer, ...req.body });
  });
  try {
    const listening = await listen(createServer(app), options.port);
    return {
      url: listening.url,
      async close() {
        await listening.close();
        await verifier.close();
        await redis.quit();
      },
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}
