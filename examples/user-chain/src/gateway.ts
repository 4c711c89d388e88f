import { createServer } from 'node:http';
import { requireServiceJwt } from '@service-jwt/koa';
import Koa from 'koa';
import { type Listening, listen } from './listen.js';
import { USER_ISSUER } from './user-service.js';

/** The API gateway's audience. */
export const GATEWAY_AUDIENCE = 'https://gateway.example/';

/**
 * The API gateway (Koa): verifies the user token with the user service's public keys, its
 * `iss` and its own `aud` (`source: false`: user tokens carry no service marker), then passes
 * the same token on to the order service, which verifies it again for its own audience.
 */
export async function startGateway(
  usersUrl: string,
  ordersUrl: string,
  port?: number,
): Promise<Listening> {
  const guard = requireServiceJwt({
    issuers: {
      [USER_ISSUER]: { jwksUri: `${usersUrl}/.well-known/jwks.json`, allowInsecureHttp: true },
    },
    audience: GATEWAY_AUDIENCE,
    source: false,
  });
  const app = new Koa();
  app.use(guard);
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== '/orders') return;
    const answer = await fetch(`${ordersUrl}/orders`, {
      headers: { authorization: `Bearer ${ctx.state.serviceJwt?.token}` },
    });
    ctx.status = answer.status;
    ctx.body = { via: 'gateway', user: ctx.state.serviceJwt?.subject, orders: await answer.json() };
  });
  const listening = await listen(createServer(app.callback()), port);
  return {
    url: listening.url,
    async close() {
      await listening.close();
      await guard.verifier.close();
    },
  };
}
