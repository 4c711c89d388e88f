import {
  createMemoryRevocationList,
  createSigner,
  exportPrivateJwk,
  type GeneratedKeyPair,
  generateKeyPair,
  type RevocationList,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { createDemoClock, type DemoClock, type ServiceLogs } from './clock.js';
import { ID } from './identities.js';
import type { Listening } from './listen.js';
import { startBilling } from './services/billing.js';
import { startCensus } from './services/census.js';
import { startCheckoutGateway } from './services/checkout-gateway.js';
import { startJwksServer } from './services/jwks-server.js';
import { startLegacyLogin, startLoginGateway } from './services/login-gateway.js';
import { startM2 } from './services/m2.js';
import { startOrders } from './services/orders.js';
import { startTamperProxy } from './services/tamper-proxy.js';
import { startTokenService } from './services/token-service.js';

/** Everything the scenarios use: the clock, the callers' signers and the services' URLs. */
export interface DemoWorld {
  readonly clock: DemoClock;
  readonly signers: {
    /** M1, the static-identity caller. */
    readonly m1: ServiceJwtSigner;
    /** M1's key as it signed ten minutes ago (an expired token's maker). */
    readonly m1TenMinutesAgo: ServiceJwtSigner;
    /** The user service (identity provider): user tokens, no `source` claim. */
    readonly users: ServiceJwtSigner;
    readonly herald: ServiceJwtSigner;
    /** The gateway's service tokens (the checkout chain's edge). */
    readonly gateway: ServiceJwtSigner;
    /** The order service's service tokens, to billing and to the token service. */
    readonly orders: ServiceJwtSigner;
  };
  /** M1's next key, for the rotation. */
  readonly m1NextKey: GeneratedKeyPair;
  /** The order service's revocation list (what an operator's revoke call writes to). */
  readonly ordersRevocation: RevocationList;
  readonly gatewayKid: string;
  /** The `kid` of the shop token service's signing key. */
  readonly tokenServiceKid: string;
  /** The Txn-Tokens seen on the gateway → orders wire, in order (what a hop holds). */
  readonly txnTokensOnTheWire: readonly string[];
  readonly urls: {
    readonly m2: string;
    readonly orders: string;
    readonly census: string;
    readonly tamperProxy: string;
    readonly gateway: string;
    /** The checkout chain's edge (Express): `POST /checkout`. */
    readonly checkout: string;
    readonly billing: string;
    readonly tokenService: string;
    readonly stagingTokenService: string;
  };
  close(): Promise<void>;
}

/**
 * Starts the demo's services on 127.0.0.1 (port 0), keys generated here: M1's and Herald's key
 * sets (JWKS servers), M2 (Express), the order service (Koa), Census (Fastify), a tampering
 * proxy in front of Census, the legacy login backend and the signing gateway (Express); and
 * the checkout chain: the shop's token service and a staging one (Express), billing
 * (Fastify), orders' checkout route and the checkout gateway (Express).
 */
export async function startWorld(logs: ServiceLogs = () => undefined): Promise<DemoWorld> {
  const clock = createDemoClock();
  const [m1Key, m1NextKey, usersKey, heraldKey, gatewayKey, ordersKey, txnKey, stagingTxnKey] =
    await Promise.all([
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
      generateKeyPair('RS256'),
      generateKeyPair('EdDSA'),
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
      generateKeyPair('EdDSA'),
      generateKeyPair('EdDSA'),
    ]);
  const now = clock.now;
  const signers = {
    m1: createSigner({ issuer: ID.m1, keys: m1Key.privateKey, now }),
    m1TenMinutesAgo: createSigner({
      issuer: ID.m1,
      keys: m1Key.privateKey,
      now: () => clock.now() - 600_000,
    }),
    users: createSigner({ issuer: ID.users, keys: usersKey.privateKey, source: false, now }),
    herald: createSigner({ issuer: ID.herald, keys: heraldKey.privateKey, now }),
    gateway: createSigner({ issuer: ID.gateway, keys: gatewayKey.privateKey, now }),
    orders: createSigner({ issuer: ID.orders, keys: ordersKey.privateKey, now }),
  };
  const ordersRevocation = createMemoryRevocationList({ now });

  const started: Listening[] = [];
  const keep = async (service: Promise<Listening>): Promise<string> => {
    const listening = await service;
    started.push(listening);
    return listening.url;
  };
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const m1Jwks = `${await keep(startJwksServer(signers.m1))}/.well-known/jwks.json`;
    const heraldJwks = `${await keep(startJwksServer(signers.herald))}/.well-known/jwks.json`;
    const m2 = await keep(startM2(m1Jwks, usersKey.publicKey, clock, logs));
    // The checkout chain: the shop's token service trusts the gateway (exchanges) and orders
    // (replacements); the staging one runs too, and no production workload trusts it.
    const tokenService = await startTokenService(
      {
        issuer: ID.txnTokens,
        signingKey: txnKey.privateKey,
        workloads: { [ID.gateway]: gatewayKey.publicJwk, [ID.orders]: ordersKey.publicJwk },
        usersKey: usersKey.publicKey,
      },
      clock,
      logs,
    );
    started.push(tokenService);
    const stagingTokenService = await keep(
      startTokenService(
        {
          issuer: ID.stagingTxnTokens,
          signingKey: stagingTxnKey.privateKey,
          workloads: { [ID.gateway]: gatewayKey.publicJwk },
          usersKey: usersKey.publicKey,
        },
        clock,
        logs,
      ),
    );
    const tokenServiceKeys = tokenService.service.jwks();
    const billing = await keep(
      startBilling({ ordersKeys: signers.orders.jwks(), tokenServiceKeys }, clock, logs),
    );
    const orders = await keep(
      startOrders(
        {
          m1JwksUri: m1Jwks,
          usersKey: usersKey.publicKey,
          gatewayKey: gatewayKey.publicJwk,
          revocation: ordersRevocation,
          tokenServiceKeys,
        },
        { signer: signers.orders, billingUrl: billing },
        clock,
        logs,
      ),
    );
    const txnTokensOnTheWire: string[] = [];
    const checkout = await keep(
      startCheckoutGateway({
        signer: signers.gateway,
        tokenServiceUrl: tokenService.url,
        ordersUrl: orders,
        fetch: (input, init) => {
          const token = new Headers(init?.headers).get('txn-token');
          if (token !== null) txnTokensOnTheWire.push(token);
          return globalThis.fetch(input, init);
        },
      }),
    );
    const census = await keep(startCensus(heraldJwks, clock, logs));
    const tamperProxy = await keep(startTamperProxy(census, '"role":"member"', '"role":"admin"'));
    const backend = await keep(startLegacyLogin(clock));
    const signingKey = { ...exportPrivateJwk(gatewayKey.privateKey), kid: gatewayKey.kid };
    const gateway = await keep(startLoginGateway({ backendUrl: backend, signingKey }));
    return {
      clock,
      signers,
      m1NextKey,
      ordersRevocation,
      gatewayKid: gatewayKey.kid,
      tokenServiceKid: txnKey.kid,
      txnTokensOnTheWire,
      urls: {
        m2,
        orders,
        census,
        tamperProxy,
        gateway,
        checkout,
        billing,
        tokenService: tokenService.url,
        stagingTokenService,
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
