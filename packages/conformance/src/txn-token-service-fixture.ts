import {
  createSigner,
  createTransactionTokenService,
  createVerifier,
  generateKeyPair,
  type ServiceJwtSigner,
  type TransactionTokenService,
  type TransactionTokenServiceOptions,
} from '@service-jwt/core';
import { type RawResponse, sendRawRequest } from './raw-request.js';

// A trust domain for the token service's tests: a user issuer, two workloads (the gateway is
// allowed to ask for Txn-Tokens, the batch job is trusted but not allowed), and the service.
// Keys are generated per call.

export const TRUST_DOMAIN = 'trust-domain.example';
export const TTS_ISSUER = 'https://txn-tokens.test';
export const USER_ISSUER = 'https://login.test';
export const GATEWAY = 'https://gateway.test';
export const BATCH = 'https://batch.test';
/** Where each adapter serves the token endpoint in the shared rows. */
export const TOKEN_PATH = '/token';
export const TXN_TOKEN_URN = 'urn:ietf:params:oauth:token-type:txn_token';
export const ACCESS_TOKEN_URN = 'urn:ietf:params:oauth:token-type:access_token';
export const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Everything a token-service test needs, built with fresh keys. */
export interface TrustDomainFixture {
  readonly service: TransactionTokenService;
  /** The gateway's service token for the token service. */
  gatewayToken(): Promise<string>;
  /** A service token of a workload the verifier trusts but `workloads` does not list. */
  batchToken(): Promise<string>;
  /** A user access token with `scope`, for `subject_token`. */
  userToken(scope: string, lifetime?: number): Promise<string>;
  /** A second service with the same issuer name and other keys (a foreign signer). */
  readonly foreignService: TransactionTokenService;
  readonly gateway: ServiceJwtSigner;
  /** Moves the clock of every party by `seconds`. */
  advance(seconds: number): void;
  /** Current clock, epoch milliseconds. */
  now(): number;
}

/**
 * POSTs a token request as the gateway (its service token in `Authorization`) to
 * `baseUrl` + {@link TOKEN_PATH}; `headers` adds or replaces headers.
 */
export async function sendTokenRequest(
  baseUrl: string,
  domain: TrustDomainFixture,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawResponse> {
  return sendRawRequest(baseUrl, {
    method: 'POST',
    path: TOKEN_PATH,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${await domain.gatewayToken()}`,
      ...headers,
    },
    body,
  });
}

/** Form fields of a first exchange, `overrides` replacing or (with `undefined`) removing some. */
export function exchangeForm(
  subjectToken: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): string {
  const fields: Record<string, string | undefined> = {
    grant_type: EXCHANGE_GRANT,
    requested_token_type: TXN_TOKEN_URN,
    audience: TRUST_DOMAIN,
    scope: 'orders.read',
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_URN,
    request_context: JSON.stringify({ req_ip: '192.0.2.7', authn: 'pwd' }),
    request_details: JSON.stringify({ action: 'BUY', ticker: 'MSFT', quantity: '100' }),
    ...overrides,
  };
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, value);
  }
  return form.toString();
}

/**
 * Builds the trust domain. `options` overrides the service's options (the subject verifier,
 * a scope policy, limits).
 */
export async function createTrustDomain(
  options: Partial<TransactionTokenServiceOptions> = {},
): Promise<TrustDomainFixture> {
  let clock = Date.now();
  const now = () => clock;
  const [userKey, gatewayKey, batchKey, ttsKey, foreignKey] = await Promise.all([
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
    generateKeyPair('ES256'),
  ]);
  const users = createSigner({ issuer: USER_ISSUER, keys: userKey.privateKey, source: false, now });
  const gateway = createSigner({ issuer: GATEWAY, keys: gatewayKey.privateKey, now });
  const batch = createSigner({ issuer: BATCH, keys: batchKey.privateKey, now });
  const userVerifier = createVerifier({
    issuers: { [USER_ISSUER]: { publicKey: userKey.publicKey } },
    audience: 'https://api.test',
    source: false,
    now,
  });
  const workloadVerifier = createVerifier({
    issuers: {
      [GATEWAY]: { publicKey: gatewayKey.publicKey },
      [BATCH]: { publicKey: batchKey.publicKey },
    },
    audience: TTS_ISSUER,
    now,
  });
  const base: TransactionTokenServiceOptions = {
    trustDomain: TRUST_DOMAIN,
    issuer: TTS_ISSUER,
    keys: ttsKey.privateKey,
    workloadVerifier,
    workloads: [GATEWAY],
    verifySubjectToken: async (token) => {
      const { claims, subject } = await userVerifier.verifyToken(token);
      return { ...claims, sub: subject ?? '' };
    },
    now,
    ...options,
  };
  return {
    service: createTransactionTokenService(base),
    foreignService: createTransactionTokenService({ ...base, keys: foreignKey.privateKey }),
    gateway,
    gatewayToken: () => gateway.sign({}, { audience: TTS_ISSUER }),
    batchToken: () => batch.sign({}, { audience: TTS_ISSUER }),
    userToken: (scope, lifetime = 600) =>
      users.sign({ scope }, { audience: 'https://api.test', subject: 'user-42', lifetime }),
    advance(seconds) {
      clock += seconds * 1000;
    },
    now,
  };
}
