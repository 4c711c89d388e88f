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
} as const;
