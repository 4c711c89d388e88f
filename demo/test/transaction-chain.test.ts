import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceFetch,
  createSigner,
  currentTransaction,
  type FetchLike,
  type TransactionTokenOptions,
} from '@service-jwt/core';
import { serviceJwt as expressServiceJwt } from '@service-jwt/express';
import { serviceJwt as fastifyServiceJwt } from '@service-jwt/fastify';
import { requireServiceJwt as koaServiceJwt } from '@service-jwt/koa';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';

// Three real services on loopback, each on another framework, each calling the next through
// createServiceFetch: edge → gateway (Express) → orders (Koa) → billing (Fastify). The
// Txn-Token minted at the edge (here by the test, as the token service would) must arrive at
// billing byte for byte: the same SHA-256 at every hop.

const EDGE = 'https://edge.shop.test/';
const GATEWAY = 'https://gateway.shop.test/';
const ORDERS = 'https://orders.shop.test/';
const BILLING = 'https://billing.shop.test/';
const TOKEN_SERVICE = 'https://txn.shop.test/';
const TRUST_DOMAIN = 'https://shop.test/';

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

function keyPair() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey;
}

const tokenService = generateKeyPairSync('ed25519');
const tokenServiceKey = tokenService.privateKey;
const signers = Object.fromEntries(
  [EDGE, GATEWAY, ORDERS].map((issuer) => [issuer, createSigner({ issuer, keys: keyPair() })]),
);
const issuerKeys = (issuer: string) => ({ keys: signers[issuer]!.jwks() });
const trust: TransactionTokenOptions = {
  trustDomain: TRUST_DOMAIN,
  issuers: {
    [TOKEN_SERVICE]: {
      publicKey: tokenService.publicKey,
    },
  },
};

/** A Txn-Token as the token service would mint it (Ed25519, `typ: txntoken+jwt`). */
function mintTxn(claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment({ alg: 'EdDSA', typ: 'txntoken+jwt' })}.${segment({
    iss: TOKEN_SERVICE,
    aud: TRUST_DOMAIN,
    iat: now,
    exp: now + 120,
    txn: randomUUID(),
    sub: 'user-42',
    scope: 'orders:write billing:charge',
    req_wl: EDGE,
    tctx: { basket: 'b-17', amount: 120 },
    rctx: { req_ip: '203.0.113.9' },
    ...claims,
  })}`;
  return Promise.resolve(
    `${input}.${sign(null, Buffer.from(input), tokenServiceKey).toString('base64url')}`,
  );
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const servers: Server[] = [];
let billing: FastifyInstance;
let gatewayUrl: string;
let callGateway: FetchLike;

/** What each hop saw: the hash of its attached Txn-Token and of `currentTransaction()`. */
interface Hop {
  readonly attached: string | undefined;
  readonly current: string | undefined;
}

beforeAll(async () => {
  billing = Fastify();
  await billing.register(fastifyServiceJwt, {
    issuers: { [ORDERS]: issuerKeys(ORDERS) },
    audience: BILLING,
    transactionTokens: trust,
    transactionToken: { mode: 'require', claims: { scope: { includes: 'billing:charge' } } },
  });
  billing.post('/charges', { config: { serviceJwt: true } }, async (request) => {
    const transaction = request.serviceJwt?.transaction;
    return {
      billing: { attached: transaction?.hash, current: currentTransaction()?.hash },
      user: transaction?.subject,
      txn: transaction?.txn,
      tctx: transaction?.claims.tctx,
    };
  });
  const billingUrl = await billing.listen({ port: 0, host: '127.0.0.1' });

  const callBilling = createServiceFetch({ signer: signers[ORDERS]!, audience: BILLING });
  const orders = new Koa();
  orders.use(
    koaServiceJwt({
      issuers: { [GATEWAY]: issuerKeys(GATEWAY) },
      audience: ORDERS,
      transactionTokens: trust,
      transactionToken: 'require',
    }),
  );
  orders.use(async (ctx) => {
    const hop: Hop = {
      attached: ctx.state.serviceJwt?.transaction?.hash,
      current: currentTransaction()?.hash,
    };
    const response = await callBilling(`${billingUrl}/charges`, { method: 'POST' });
    ctx.status = response.status;
    ctx.body = { ...((await response.json()) as object), orders: hop };
  });
  const ordersServer = createServer(orders.callback());
  servers.push(ordersServer);
  const ordersUrl = await listen(ordersServer);

  const callOrders = createServiceFetch({ signer: signers[GATEWAY]!, audience: ORDERS });
  const gateway = express();
  const auth = expressServiceJwt({
    issuers: { [EDGE]: issuerKeys(EDGE) },
    audience: GATEWAY,
    transactionTokens: trust,
  });
  gateway.post('/checkout', auth({ transactionToken: 'require' }), async (req, res) => {
    const hop: Hop = {
      attached: req.serviceJwt?.transaction?.hash,
      current: currentTransaction()?.hash,
    };
    const response = await callOrders(`${ordersUrl}/orders`, { method: 'POST' });
    res.status(response.status).json({ ...((await response.json()) as object), gateway: hop });
  });
  const gatewayServer = createServer(gateway);
  servers.push(gatewayServer);
  gatewayUrl = await listen(gatewayServer);
  callGateway = createServiceFetch({ signer: signers[EDGE]!, audience: GATEWAY });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await billing.close();
});

describe('a Txn-Token across Express → Koa → Fastify', () => {
  it('arrives at the last hop byte for byte, with the user context intact', async () => {
    const token = await mintTxn();
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': token },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const minted = sha256(token);
    for (const hop of ['gateway', 'orders', 'billing']) {
      expect(body[hop]).toEqual({ attached: minted, current: minted });
    }
    expect(body.user).toBe('user-42');
    expect(body.tctx).toEqual({ basket: 'b-17', amount: 120 });
  });

  it('is refused at the hop whose rule it fails, and the refusal travels back', async () => {
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': await mintTxn({ scope: 'orders:write' }) },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('txn_token_claim_check_failed');
  });

  it('is refused at the first hop when its tctx was changed on the way', async () => {
    const [header, payload, signature] = (await mintTxn()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(
      JSON.stringify({ ...claims, tctx: { ...claims.tctx, amount: 1 } }),
    ).toString('base64url');
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': `${header}.${forged}.${signature}` },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('txn_token_invalid');
  });
});
