// Type test: compiled by `pnpm typecheck`, never run. Each `@ts-expect-error` must stay an error.
import {
  createVerifier,
  currentTransaction,
  type TransactionTokenOptions,
  type VerifiedServiceJwt,
  type VerifiedTransactionToken,
} from '@service-jwt/core';

export function typedTransactions(verified: VerifiedServiceJwt): void {
  const transaction: VerifiedTransactionToken | undefined = verified.transaction;
  const subject: string | undefined = transaction?.subject;
  const scopes: readonly string[] | undefined = currentTransaction()?.scopes;
  const region: unknown = transaction?.claims.tctx?.region;
  // @ts-expect-error the claims of a verified Txn-Token are read-only
  if (transaction) transaction.claims.sub = 'someone-else';
  // @ts-expect-error the scopes are read-only
  scopes?.push('admin');
  void [subject, region];

  const trust: TransactionTokenOptions = {
    trustDomain: 'https://shop.test',
    issuers: { 'https://txn.shop.test': { jwksUri: 'https://txn.shop.test/jwks.json' } },
  };
  createVerifier({
    issuers: { 'https://a.test': { jwksUri: 'https://a.test/jwks.json' } },
    audience: 'https://b.test',
    transactionTokens: trust,
    transactionToken: { mode: 'require', claims: { scope: { includes: 'orders:read' } } },
  });
  // @ts-expect-error a token service signs with a private key, never a shared secret
  const shared: TransactionTokenOptions = { trustDomain: 'x', issuers: { x: { secret: 'y' } } };
  // @ts-expect-error the route modes are require, accept and ignore
  createVerifier({ issuers: {}, audience: null, transactionToken: 'optional' });
  void shared;
}
