import type { PublicJwk } from '@service-jwt/core';
import { serviceJwt } from '@service-jwt/fastify';
import Fastify from 'fastify';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID, TRUST_DOMAIN } from '../identities.js';
import type { Listening } from '../listen.js';

/** What billing trusts: orders' keys (service tokens) and the token service's (Txn-Tokens). */
export interface BillingTrust {
  readonly ordersKeys: { readonly keys: readonly PublicJwk[] };
  readonly tokenServiceKeys: { readonly keys: readonly PublicJwk[] };
}

/** Billing's view of the transaction it was asked to charge. */
export interface BillingView {
  readonly sub: string;
  readonly scope: string;
  readonly txn: string;
  readonly tctx: unknown;
  /** SHA-256 of the Txn-Token billing received. */
  readonly sha256: string;
}

/**
 * Billing (Fastify), the last hop of the checkout chain. `POST /charges` takes calls from
 * orders only, and only with a Txn-Token of the shop's token service whose scope holds
 * `billing:charge`. It reads the user and the amount from the Txn-Token, not from its caller.
 */
export async function startBilling(
  trust: BillingTrust,
  clock: DemoClock,
  logs: ServiceLogs,
): Promise<Listening> {
  const app = Fastify();
  const logger = logs('billing');
  await app.register(serviceJwt, {
    ...(logger === undefined ? {} : { logger }),
    issuers: { [ID.orders]: { keys: trust.ordersKeys } },
    audience: ID.billing,
    transactionTokens: {
      trustDomain: TRUST_DOMAIN,
      issuers: { [ID.txnTokens]: { keys: trust.tokenServiceKeys } },
    },
    now: clock.now,
  });
  app.post(
    '/charges',
    {
      config: {
        serviceJwt: {
          callers: { issuers: [ID.orders] },
          transactionToken: { mode: 'require', claims: { scope: { includes: 'billing:charge' } } },
        },
      },
    },
    async (request) => {
      const transaction = request.serviceJwt?.transaction;
      const view: BillingView | undefined =
        transaction === undefined
          ? undefined
          : {
              sub: transaction.subject,
              scope: transaction.claims.scope,
              txn: transaction.txn,
              tctx: transaction.claims.tctx,
              sha256: transaction.hash,
            };
      return { charged: true, billing: view };
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
