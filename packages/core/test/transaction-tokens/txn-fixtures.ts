import { createHash } from 'node:crypto';
import type { ServiceJwtVerifier, VerifierOptions } from '@service-jwt/core';
import {
  bearer,
  claimsAt,
  type FixtureKey,
  ISSUER,
  issuerConfig,
  mint,
  NOW,
  verifierFor,
} from '../fixtures.js';

// Txn-Tokens for the verifier's tests: a token service key, claims valid at NOW, and a
// request that carries a service token and a Txn-Token.

export const TOKEN_SERVICE = 'https://txn.test';
export const TRUST_DOMAIN = 'https://trust.test';

/** The claims of a valid Txn-Token at NOW. */
export function txnClaimsAt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: TOKEN_SERVICE,
    aud: TRUST_DOMAIN,
    iat: NOW - 10,
    exp: NOW + 120,
    txn: 'txn-97053963-771d-49cc-a4e3-20aad399c312',
    sub: 'user-42',
    scope: 'orders:read orders:write',
    req_wl: 'https://gateway.test',
    tctx: { region: 'eu', amount: 120 },
    rctx: { req_ip: '198.51.100.7' },
    ...overrides,
  };
}

/** A Txn-Token (`typ: txntoken+jwt`) signed by `key`. */
export function mintTxn(
  key: FixtureKey,
  claims: Record<string, unknown> | string = txnClaimsAt(),
  header: Record<string, unknown> = {},
): string {
  return mint(key, claims, { typ: 'txntoken+jwt', ...header });
}

/** A verifier trusting ISSUER's `serviceKey` and TOKEN_SERVICE's `txnKey`. */
export function txnVerifierFor(
  serviceKey: FixtureKey,
  txnKey: FixtureKey,
  options: Partial<VerifierOptions> = {},
  transactionTokens: Partial<NonNullable<VerifierOptions['transactionTokens']>> = {},
): ServiceJwtVerifier {
  return verifierFor(serviceKey, {
    transactionTokens: {
      trustDomain: TRUST_DOMAIN,
      issuers: { [TOKEN_SERVICE]: issuerConfig(txnKey) as never },
      ...transactionTokens,
    },
    ...options,
  });
}

/** A GET with a valid service token and `txn` (a string, or several) as `Txn-Token`. */
export function withTxn(serviceKey: FixtureKey, txn?: string | string[]) {
  const request = bearer(mint(serviceKey, claimsAt()), { method: 'GET', url: '/orders' });
  return {
    ...request,
    headers: { ...request.headers, ...(txn === undefined ? {} : { 'txn-token': txn }) },
  } as { method: string; url: string; headers: Record<string, string | string[]> };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export { ISSUER };
