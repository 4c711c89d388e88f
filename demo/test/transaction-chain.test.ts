import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceFetch,
  createSigner,
  createTransactionTokenClient,
  createTransactionTokenService,
  createVerifier,
  currentTransaction,
  type FetchLike,
  type TransactionTokenOptions,
} from '@service-jwt/core';
import {
  serviceJwt as expressServiceJwt,
  transactionTokenService as expressTokenService,
} from '@service-jwt/express';
import { serviceJwt as fastifyServiceJwt } from '@service-jwt/fastify';
import { requireServiceJwt as koaServiceJwt } from '@service-jwt/koa';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';

// Three real services on loopback, each on another framework, each calling the next through
// createServiceFetch: edge → gateway (Express) → orders (Koa) → billing (Fastify). The edge
// exchanges the user's token for a Txn-Token at a real token service (Express handler,
// createTransactionTokenClient); that Txn-Token must arrive at billing byte for byte: the same
// SHA-256 at every hop as the one the token service minted.

const EDGE = 'https://edge.shop.test/';
const GATEWAY = 'https://gateway.shop.test/';
const ORDERS = 'https://orders.shop.test/';
const BILLING = 'https://billing.shop.test/';
const USERS = 'https://login.shop.test/';
const TOKEN_SERVICE = 'https://txn.shop.test/';
const TRUST_DOMAIN = 'https://shop.test/';
const CHECKOUT = 'orders:write billing:charge';

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

function keyPair() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey;
}

const signers = Object.fromEntries(
  [EDGE, GATEWAY, ORDERS].map((issuer) => [issuer, createSigner({ issuer, keys: keyPair() })]),
);
const issuerKeys = (issuer: string) => ({ keys: signers[issuer]!.jwks() });

// The identity provider's user tokens, and the token service that takes them at the edge.
const users = createSigner({ issuer: USERS, keys: keyPair(), source: false });
const userTokens = createVerifier({
  issuers: { [USERS]: { keys: users.jwks() } },
  audience: EDGE,
  source: false,
});
const workloadVerifier = createVerifier({
  issuers: { [EDGE]: issuerKeys(EDGE) },
  audience: TOKEN_SERVICE,
});
/** What the token service logged for each Txn-Token it issued: its SHA-256, never the token. */
const issuedHashes: unknown[] = [];
const tokenService = createTransactionTokenService({
  logger: {
    info: (fields) => issuedHashes.push(fields.txn_token_sha256),
    debug: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  },
  trustDomain: TRUST_DOMAIN,
  issuer: TOKEN_SERVICE,
  keys: keyPair(),
  workloadVerifier,
  workloads: [EDGE],
  verifySubjectToken: async (token) => {
    const { claims, subject } = await userTokens.verifyToken(token);
    return { ...claims, sub: subject ?? '' };
  },
});
const trust: TransactionTokenOptions = {
  trustDomain: TRUST_DOMAIN,
  issuers: { [TOKEN_SERVICE]: { keys: tokenService.jwks() } },
};

const userToken = (scope = CHECKOUT) =>
  users.sign({ scope }, { audience: EDGE, subject: 'user-42' });

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
let edge: ReturnType<typeof createTransactionTokenClient>;

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

  const tts = express();
  tts.all('/token', expressTokenService(tokenService));
  const ttsServer = createServer(tts);
  servers.push(ttsServer);
  edge = createTransactionTokenClient({
    url: `${await listen(ttsServer)}/token`,
    trustDomain: TRUST_DOMAIN,
    signer: signers[EDGE]!,
    audience: TOKEN_SERVICE,
  });
});

/** The edge's exchange: the user's token for a Txn-Token, the basket in `tctx`. */
async function exchange(scope = CHECKOUT): Promise<string> {
  const { token } = await edge.exchange({
    subjectToken: await userToken(scope),
    scope,
    requestDetails: { basket: 'b-17', amount: 120 },
    requestContext: { req_ip: '203.0.113.9' },
  });
  return token;
}

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await billing.close();
  await Promise.all([userTokens.close(), workloadVerifier.close()]);
});

describe('a Txn-Token across Express → Koa → Fastify', () => {
  it('arrives at the last hop byte for byte, with the user context intact', async () => {
    const token = await exchange();
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': token },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const minted = sha256(token);
    // The hash the token service logged when it minted this token.
    expect(issuedHashes.at(-1)).toBe(minted);
    for (const hop of ['gateway', 'orders', 'billing']) {
      expect(body[hop]).toEqual({ attached: minted, current: minted });
    }
    expect(body.user).toBe('user-42');
    expect(body.tctx).toEqual({ basket: 'b-17', amount: 120 });
  });

  it('is refused at the hop whose rule it fails, and the refusal travels back', async () => {
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': await exchange('orders:write') },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('txn_token_claim_check_failed');
  });

  it('is refused at the first hop when its tctx was changed on the way', async () => {
    const [header, payload, signature] = (await exchange()).split('.') as [string, string, string];
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

  it('cannot be widened: the token service refuses a wider replacement, grants a narrower one', async () => {
    const token = await exchange();
    await expect(edge.replace(token, `${CHECKOUT} billing:refund`)).rejects.toMatchObject({
      code: 'token_exchange_refused',
      message: expect.stringContaining('(invalid_scope)'),
    });
    const narrower = await edge.replace(token, 'orders:write');
    const claims = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    expect(claims(narrower.token)).toMatchObject({
      txn: claims(token).txn,
      sub: 'user-42',
      scope: 'orders:write',
      tctx: { basket: 'b-17', amount: 120 },
    });
    // Narrowed below what billing requires, it is refused there.
    const response = await callGateway(`${gatewayUrl}/checkout`, {
      method: 'POST',
      headers: { 'txn-token': narrower.token },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('txn_token_claim_check_failed');
  });
});
