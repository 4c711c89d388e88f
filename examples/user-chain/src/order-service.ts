import serviceJwt from '@service-jwt/fastify';
import Fastify from 'fastify';
import type { Listening } from './listen.js';
import { USER_ISSUER } from './user-service.js';

/** The order service's audience. */
export const ORDERS_AUDIENCE = 'https://orders.example/';

/**
 * The order service (Fastify): verifies the user token locally with the user service's public
 * keys, checks `iss` and its own `aud`, and turns the service-source check off
 * (`source: false`) because its callers present the user's own token.
 */
export async function startOrderService(usersUrl: string, port = 0): Promise<Listening> {
  const app = Fastify();
  await app.register(serviceJwt, {
    issuers: {
      // Loopback HTTP for the example only: key sets come over TLS in production.
      [USER_ISSUER]: { jwksUri: `${usersUrl}/.well-known/jwks.json`, allowInsecureHttp: true },
    },
    audience: ORDERS_AUDIENCE,
    source: false,
  });
  app.get('/orders', { preHandler: app.requireServiceJwt() }, async (request) => ({
    user: request.serviceJwt?.subject,
    orders: [{ id: 'o-1001', total: 42 }],
  }));
  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, close: () => app.close() };
}
