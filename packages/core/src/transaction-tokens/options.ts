import type { ClaimRules, IssuerKeys } from '../verify/options.js';

/**
 * Trust in Transaction Tokens (draft-ietf-oauth-transaction-tokens-10), verifier-wide: which
 * token services may mint them, for which trust domain, and which workloads belong to it.
 * Set it as `transactionTokens` in `createVerifier` (or an adapter's options).
 *
 * @example
 * ```ts
 * createVerifier({
 *   issuers, audience: 'https://billing.internal',
 *   transactionTokens: {
 *     trustDomain: 'https://shop.internal',
 *     issuers: { 'https://txn.shop.internal': { jwksUri: 'https://txn.shop.internal/jwks.json' } },
 *   },
 * });
 * ```
 */
export interface TransactionTokenOptions {
  /** The trust domain: every Txn-Token's `aud` must be (or contain) exactly this value. */
  readonly trustDomain: string;
  /**
   * The trusted token services, keyed by their exact `iss`, with their keys from any key
   * source core supports except a shared secret (`publicKey`, `keys`, `jwksUri`,
   * `discovery`): with a secret, every workload holding it could mint Txn-Tokens. Remote
   * key sets are fetched, cached and refreshed exactly like the service token issuers'.
   */
  readonly issuers: Readonly<Record<string, Exclude<IssuerKeys, { readonly secret: unknown }>>>;
  /**
   * Longest accepted lifetime, `exp - iat`, in seconds. The draft wants Txn-Tokens short-lived:
   * a token that claims a longer life is refused whatever its `exp`. @default 300
   */
  readonly maxLifetime?: number;
  /**
   * The workloads of the trust domain, by service token `iss`: a request that carries a
   * Txn-Token must come from one of them (403 `txn_workload_unknown`). @default every issuer
   * the verifier trusts (its `issuers`): a service this verifier accepts a call from is a
   * workload of the domain.
   */
  readonly workloads?: readonly string[];
}

/**
 * What a route does with the `Txn-Token` header: `'require'` (a request without a valid one
 * is refused), `'accept'` (verified and propagated when present, a request without one
 * passes), `'ignore'` (not read, not propagated, not forwarded).
 */
export type TransactionTokenMode = 'require' | 'accept' | 'ignore';

/** A route's Txn-Token policy with rules on its claims. */
export interface TransactionTokenRoute {
  readonly mode: TransactionTokenMode;
  /**
   * Rules on the Txn-Token's claims, as `claims` on the service token: a value, `{ equals }`,
   * `{ includes }` (a space-separated `scope` holding every listed word), `{ oneOf }` or a
   * predicate. 403 `txn_token_claim_check_failed`.
   */
  readonly claims?: ClaimRules;
  /**
   * Rules on the fields of `tctx`, the transaction's context (`{ region: 'eu' }`); a token
   * without `tctx` fails every one. 403 `txn_token_claim_check_failed`.
   */
  readonly context?: ClaimRules;
}

/**
 * The route option `transactionToken`: a mode or `{ mode, claims, context }`. A route's value
 * replaces the verifier's field by field (a bare mode keeps the verifier's rules).
 * @default 'accept' when the verifier has `transactionTokens`, else 'ignore'
 */
export type TransactionTokenRouteOption = TransactionTokenMode | TransactionTokenRoute;
