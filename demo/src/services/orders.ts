import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createServiceFetch,
  currentTransaction,
  type PublicJwk,
  type RevocationList,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { serviceJwt } from '@service-jwt/koa';
import Koa from 'koa';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID, TRUST_DOMAIN } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/** What the order service trusts. */
export interface OrdersTrust {
  readonly m1JwksUri: string;
  readonly usersKey: KeyObject;
  readonly gatewayKey: PublicJwk;
  readonly revocation: RevocationList;
  /** The shop's token service's keys: the Txn-Tokens of the checkout chain. */
  readonly tokenServiceKeys: { readonly keys: readonly PublicJwk[] };
}

/** Where the order service calls billing, as whom. */
export interface OrdersOutbound {
  readonly signer: ServiceJwtSigner;
  readonly billingUrl: string;
}

/**
 * The order service (Koa), with a revocation list. `GET /orders` serves end users: it takes
 * user tokens (`source: false`) from the user service or signed by the login gateway, for its
 * own audience. `POST /internal/restock` is service-only and M1 is its only allowed caller.
 * `POST /checkout` is the middle hop of the checkout chain: the gateway's service token and a
 * Txn-Token whose scope holds `orders:write`; it charges the order at billing through
 * `createServiceFetch`, which forwards the Txn-Token byte for byte.
 */
export async function startOrders(
  trust: OrdersTrust,
  outbound: OrdersOutbound,
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
    transactionTokens: {
      trustDomain: TRUST_DOMAIN,
      issuers: { [ID.txnTokens]: { keys: trust.tokenServiceKeys } },
      // The verifier also trusts the user service and M1; only the gateway is a workload of
      // the shop's trust domain, so only its calls may carry a Txn-Token.
      workloads: [ID.gateway],
    },
    now: clock.now,
  });
  const userRoute = auth({ source: false, callers: { issuers: [ID.users, ID.gateway] } });
  const restockRoute = auth({ callers: { issuers: [ID.m1] } });
  const checkoutRoute = auth({
    callers: { issuers: [ID.gateway] },
    transactionToken: { mode: 'require', claims: { scope: { includes: 'orders:write' } } },
  });
  const callBilling = createServiceFetch({ signer: outbound.signer, audience: ID.billing });

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
    } else if (ctx.method === 'POST' && ctx.path === '/checkout') {
      await checkoutRoute(ctx, async () => {
        const answer = await callBilling(`${outbound.billingUrl}/charges`, { method: 'POST' });
        ctx.status = answer.status;
        ctx.body = {
          ...((await answer.json()) as object),
          orders: { sha256: currentTransaction()?.hash },
        };
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
