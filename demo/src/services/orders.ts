import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { PublicJwk, RevocationList } from '@service-jwt/core';
import { serviceJwt } from '@service-jwt/koa';
import Koa from 'koa';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/** What the order service trusts. */
export interface OrdersTrust {
  readonly m1JwksUri: string;
  readonly usersKey: KeyObject;
  readonly gatewayKey: PublicJwk;
  readonly revocation: RevocationList;
}

/**
 * The order service (Koa), with a revocation list. `GET /orders` serves end users: it takes
 * user tokens (`source: false`) from the user service or signed by the login gateway, for its
 * own audience. `POST /internal/restock` is service-only and M1 is its only allowed caller.
 */
export async function startOrders(
  trust: OrdersTrust,
  clock: DemoClock,
  logs: ServiceLogs,
): Promise<Listening> {
  const logger = logs('orders');
  const auth = serviceJwt({
    ...(logger === undefined ? {} : { logger }),
    issuers: {
      [ID.m1]: { jwksUri: trust.m1JwksUri, allowInsecureHttp: true },
      [ID.users]: { publicKey: trust.usersKey },
      [ID.gateway]: { publicKey: trust.gatewayKey },
    },
    audience: ID.orders,
    revocation: trust.revocation,
    now: clock.now,
  });
  const userRoute = auth({ source: false, callers: { issuers: [ID.users, ID.gateway] } });
  const restockRoute = auth({ callers: { issuers: [ID.m1] } });

  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/orders') {
      await userRoute(ctx, async () => {
        ctx.body = { user: ctx.state.serviceJwt?.subject, orders: ['o-1001'] };
      });
    } else if (ctx.method === 'POST' && ctx.path === '/internal/restock') {
      await restockRoute(ctx, async () => {
        ctx.body = { restocked: true, by: ctx.state.serviceJwt?.issuer };
      });
    } else {
      await next();
    }
  });
  const listening = await listen(createServer(app.callback()));
  return {
    url: listening.url,
    async close() {
      await listening.close();
      await auth.verifier.close();
    },
  };
}
