import { createServer } from 'node:http';
import {
  createServiceFetch,
  createTransactionTokenClient,
  type FetchLike,
  ServiceJwtError,
  type ServiceJwtSigner,
  transactionTokenHash,
} from '@service-jwt/core';
import express from 'express';
import { CHECKOUT_SCOPE, ID, TRUST_DOMAIN } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/** Where the checkout gateway sends what. */
export interface CheckoutGatewaySetup {
  /** The gateway's own signer (`iss` = the gateway). */
  readonly signer: ServiceJwtSigner;
  readonly tokenServiceUrl: string;
  readonly ordersUrl: string;
  /** The fetch of its calls to orders: the demo records what goes on that wire. */
  readonly fetch: FetchLike;
}

/**
 * The edge of the checkout chain (Express). `POST /checkout` takes the user's token in
 * `Authorization` and `{ order, amount }`, exchanges the token at the token service for a
 * Txn-Token (scope {@link CHECKOUT_SCOPE}, the order in `tctx`, the client's address in
 * `rctx`) and calls orders with its own service token beside the Txn-Token. The user's token
 * goes no further than the token service, which is also what checks it.
 *
 * The answer carries orders' (and billing's) view of the transaction and the SHA-256 of the
 * Txn-Token as it was minted here, never the token.
 */
export async function startCheckoutGateway(setup: CheckoutGatewaySetup): Promise<Listening> {
  const tokens = createTransactionTokenClient({
    url: `${setup.tokenServiceUrl}/token`,
    trustDomain: TRUST_DOMAIN,
    signer: setup.signer,
    audience: ID.txnTokens,
  });
  const callOrders = createServiceFetch({
    signer: setup.signer,
    audience: ID.orders,
    fetch: setup.fetch,
  });
  const app = express();
  app.post('/checkout', express.json(), async (req, res, next) => {
    try {
      const userToken = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const { order, amount } = req.body as { order?: unknown; amount?: unknown };
      const { token } = await tokens.exchange({
        subjectToken: userToken,
        scope: CHECKOUT_SCOPE,
        requestDetails: { order, amount },
        requestContext: { req_ip: req.socket.remoteAddress },
      });
      // The edge starts the transaction: it sets the header; every hop after it forwards.
      const answer = await callOrders(`${setup.ordersUrl}/checkout`, {
        method: 'POST',
        headers: { 'txn-token': token },
      });
      res.status(answer.status).json({
        ...((await answer.json()) as object),
        gateway: { minted: transactionTokenHash(token) },
      });
    } catch (err) {
      if (err instanceof ServiceJwtError && err.status < 500) {
        res.status(err.status).json({ code: err.code });
      } else {
        next(err);
      }
    }
  });
  return listen(createServer(app));
}
