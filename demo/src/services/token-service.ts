import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createTransactionTokenService,
  createVerifier,
  type PublicJwk,
  type TransactionTokenService,
} from '@service-jwt/core';
import { transactionTokenService } from '@service-jwt/express';
import express from 'express';
import type { DemoClock, ServiceLogs } from '../clock.js';
import { ID, TRUST_DOMAIN } from '../identities.js';
import { type Listening, listen } from '../listen.js';

/** Who a token service trusts and signs with. */
export interface TokenServiceSetup {
  /** Its `iss`, also the audience of the workloads' service tokens to it. */
  readonly issuer: string;
  readonly signingKey: KeyObject;
  /** The workloads allowed to ask, with their public keys. */
  readonly workloads: Readonly<Record<string, PublicJwk>>;
  /** The user service's public key: the subject tokens are its user tokens, `aud` = gateway. */
  readonly usersKey: KeyObject;
}

/** A running token service: its URL and the service itself (for `jwks()`). */
export interface RunningTokenService extends Listening {
  readonly service: TransactionTokenService;
}

/**
 * A Transaction Token Service (Express, `transactionTokenService` at `POST /token`): it
 * authenticates the calling workload by its service token, checks the user's token (the
 * subject token) and signs a Txn-Token for the trust domain. The scope it grants is at most the
 * user token's own `scope`; a replacement may only narrow it.
 */
export async function startTokenService(
  setup: TokenServiceSetup,
  clock: DemoClock,
  logs: ServiceLogs,
): Promise<RunningTokenService> {
  const logger = logs(setup.issuer === ID.txnTokens ? 'token service' : 'staging token service');
  const userTokens = createVerifier({
    issuers: { [ID.users]: { publicKey: setup.usersKey } },
    audience: ID.gateway,
    source: false, // user tokens carry no service marker
    now: clock.now,
  });
  const workloadVerifier = createVerifier({
    issuers: Object.fromEntries(
      Object.entries(setup.workloads).map(([issuer, publicKey]) => [issuer, { publicKey }]),
    ),
    audience: setup.issuer,
    now: clock.now,
  });
  const service = createTransactionTokenService({
    ...(logger === undefined ? {} : { logger }),
    trustDomain: TRUST_DOMAIN,
    issuer: setup.issuer,
    keys: setup.signingKey,
    workloadVerifier,
    workloads: Object.keys(setup.workloads),
    verifySubjectToken: async (token) => {
      const { claims, subject } = await userTokens.verifyToken(token);
      return { ...claims, sub: subject ?? '' };
    },
    now: clock.now,
  });
  const app = express();
  app.all('/token', transactionTokenService(service));
  const listening = await listen(createServer(app));
  return {
    service,
    url: listening.url,
    async close() {
      await listening.close();
      await Promise.all([userTokens.close(), workloadVerifier.close()]);
    },
  };
}
