import { createMemoryReplayStore } from '@service-jwt/core';
import serviceJwt from '@service-jwt/fastify';
import Fastify from 'fastify';
import type { Listening } from './listen.js';

/** Census's audience. */
export const CENSUS_AUDIENCE = 'https://census.internal/';
/** The only caller allowed to purge records (not Herald). */
export const OPS_ISSUER = 'https://ops.internal/';

/** Census's trusted callers: issuer → its JWKS URL. */
export type TrustedCallers = Readonly<Record<string, string>>;

/**
 * Census (Fastify). It finds each caller's public keys from `iss` (only configured issuers are
 * trusted), and on every route requires request-bound tokens: `bdy` (SHA-256 of the exact body
 * bytes, so a tampered payload is refused), `htm`/`htu` (a captured token can't be redirected
 * to another route) and a one-time `jti` (a captured request can't be replayed). Each route
 * names the callers allowed on it.
 */
export async function startCensus(
  trusted: TrustedCallers,
  heraldIssuer: string,
  port = 0,
): Promise<Listening> {
  const app = Fastify();
  await app.register(serviceJwt, {
    issuers: Object.fromEntries(
      // Loopback HTTP for the example only: key sets come over TLS in production.
      Object.entries(trusted).map(([iss, jwksUri]) => [iss, { jwksUri, allowInsecureHttp: true }]),
    ),
    audience: CENSUS_AUDIENCE,
    bodyHash: { required: true },
    requestBinding: { required: true },
    replay: createMemoryReplayStore(),
  });
  const people: { name: string; registeredBy: string | undefined }[] = [];

  app.post(
    '/people',
    { config: { serviceJwt: { callers: { issuers: [heraldIssuer] } } } },
    async (request, reply) => {
      const { name } = request.body as { name: string };
      people.push({ name, registeredBy: request.serviceJwt?.subject });
      return reply.code(201).send({ name, registeredBy: request.serviceJwt?.subject });
    },
  );
  app.post(
    '/admin/purge',
    { config: { serviceJwt: { callers: { issuers: [OPS_ISSUER] } } } },
    async () => {
      people.length = 0;
      return { purged: true };
    },
  );

  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, close: () => app.close() };
}
