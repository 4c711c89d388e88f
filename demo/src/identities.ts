/** Every identity in the demo: `iss` values of callers and `aud` values of callees. */
export const ID = {
  m1: 'https://m1.internal/',
  m2: 'https://m2.internal/',
  users: 'https://users.internal/',
  orders: 'https://orders.internal/',
  herald: 'https://herald.internal/',
  census: 'https://census.internal/',
  ops: 'https://ops.internal/',
  gateway: 'https://gateway.internal/',
  billing: 'https://billing.internal/',
  /** The shop's Transaction Token Service: the only one its workloads trust. */
  txnTokens: 'https://txn-tokens.internal/',
  /** A staging token service: real, running, and trusted by no production workload. */
  stagingTxnTokens: 'https://txn-tokens.staging.internal/',
} as const;

/** The trust domain of the checkout chain: the `aud` of every Txn-Token. */
export const TRUST_DOMAIN = 'https://shop.internal/';

/** What a checkout transaction may do: orders writes the order, billing charges it. */
export const CHECKOUT_SCOPE = 'orders:write billing:charge';
