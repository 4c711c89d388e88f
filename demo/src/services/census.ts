import { createMemoryReplayStore } from '@service-jwt/core';
import serviceJwt from '@service-jwt/fastify';
import Fastify from 'fastify';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID } from '../identities.js';
import type { Listening } from '../listen.js';

/**
 * Census (Fastify): request-bound tokens only. Every request must carry `bdy` (hash of the
 * exact body bytes), `htm`/`htu` and a one-time `jti` (memory replay store); Herald may call
 * `POST /people`, only the ops service may call `POST /admin/purge`.
 */
export async function startCensus(
  heraldJwksUri: string,
  clock: DemoClock,
  logs: ServiceLogs,
): Promise<Listening> {
  const app = Fastify();
  const logger = logs('Census');
  await app.register(serviceJwt, {
    ...(logger === undefined ? {} : { logger }),
    issuers: { [ID.herald]: { jwksUri: heraldJwksUri, allowInsecureHttp: true } },
    audience: ID.census,
    bodyHash: { required: true },
    requestBinding: { required: true },
    replay: createMemoryReplayStore({ now: clock.now }),
    now: clock.now,
  });
  app.post(
    '/people',
    { config: { serviceJwt: { callers: { issuers: [ID.herald] } } } },
    async (request, reply) => reply.code(201).send({ stored: request.body }),
  );
  app.post(
    '/admin/purge',
    { config: { serviceJwt: { callers: { issuers: [ID.ops] } } } },
    async () => ({ purged: true }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
