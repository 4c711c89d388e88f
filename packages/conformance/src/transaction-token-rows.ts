import { type ConformanceFixture, HERALD, USERS } from './conformance-fixture.js';
import { bearer, type ConformanceRow, forbidden, invalid, ok } from './row-kit.js';
import { TOKEN_SERVICE_DOWN, type TxnMintOptions } from './transaction-fixture.js';

// Transaction Tokens beside the service token: the route modes, every refusal code, claim
// rules on scope and tctx, and forwarding through createServiceFetch to a next hop.

/** A GET to `path` with Herald's service token (or `issuer`'s) and `txn` as `Txn-Token`. */
async function withTxn(
  f: ConformanceFixture,
  path: string,
  txn: string | readonly string[] | undefined,
  issuer = HERALD,
) {
  return {
    method: 'GET',
    path,
    headers: {
      ...bearer(await f.mint({ issuer })),
      ...(txn === undefined ? {} : { 'txn-token': txn }),
    },
  };
}

/** A row that sends a Txn-Token minted with `mint` to `path` and expects `expected`. */
function txnRow(
  name: string,
  path: string,
  mint: TxnMintOptions | ((f: ConformanceFixture) => string),
  expected: ConformanceRow['expect'],
): ConformanceRow {
  return {
    name,
    request: (f) => withTxn(f, path, typeof mint === 'function' ? mint(f) : f.mintTxn(mint)),
    expect: expected,
  };
}

const attached = { ...ok(HERALD), transaction: 'sent' } as const;

/** Rows about the `Txn-Token` header. */
export const TRANSACTION_TOKEN_ROWS: readonly ConformanceRow[] = [
  txnRow("Txn-Token on a 'require' route → 200, attached", '/txn', {}, attached),
  {
    name: "Txn-Token on a 'require' route with a bound body → 200, attached",
    request: async (f) => {
      const body = '{"order":7}';
      return {
        method: 'POST',
        path: '/txn',
        headers: {
          ...bearer(await f.mint({ claims: { bdy: f.bodyHash(body) } })),
          'content-type': 'application/json',
          'txn-token': f.mintTxn(),
        },
        body,
      };
    },
    expect: attached,
  },
  {
    name: "no Txn-Token on a 'require' route → 401 txn_token_missing",
    request: (f) => withTxn(f, '/txn', undefined),
    expect: invalid('txn_token_missing'),
  },
  txnRow("Txn-Token on an 'accept' route (the default) → 200, attached", '/ok', {}, attached),
  {
    name: "no Txn-Token on an 'accept' route → 200, nothing attached",
    request: (f) => withTxn(f, '/ok', undefined),
    expect: ok(HERALD),
  },
  txnRow("Txn-Token on an 'ignore' route → 200, not attached", '/txn-ignore', {}, ok(HERALD)),
  txnRow(
    "garbage in Txn-Token on an 'ignore' route → 200, not read",
    '/txn-ignore',
    () => 'not a token',
    ok(HERALD),
  ),
  {
    name: 'two Txn-Token headers → 400 txn_token_duplicated',
    request: (f) => withTxn(f, '/txn', [f.mintTxn(), f.mintTxn()]),
    expect: { status: 400, code: 'txn_token_duplicated', challenge: 'invalid_request' },
  },
  txnRow(
    'Txn-Token not a JWS → 401 txn_token_malformed',
    '/txn',
    () => 'abc.def',
    invalid('txn_token_malformed'),
  ),
  txnRow(
    'Txn-Token with typ JWT → 401 txn_token_malformed',
    '/txn',
    { typ: 'JWT' },
    invalid('txn_token_malformed'),
  ),
  txnRow(
    'Txn-Token without txn → 401 txn_token_malformed',
    '/txn',
    { claims: { txn: undefined } },
    invalid('txn_token_malformed'),
  ),
  txnRow(
    'Txn-Token whose tctx is not an object → 401 txn_token_malformed',
    '/txn',
    { claims: { tctx: 'eu' } },
    invalid('txn_token_malformed'),
  ),
  txnRow(
    'Txn-Token from an untrusted token service → 401 txn_token_untrusted',
    '/txn',
    { signer: 'stranger', claims: { iss: 'https://rogue-txn.service/' } },
    invalid('txn_token_untrusted'),
  ),
  txnRow(
    'Txn-Token signed by another key → 401 txn_token_invalid',
    '/txn',
    { signer: 'stranger' },
    invalid('txn_token_invalid'),
  ),
  txnRow(
    "Txn-Token re-minted by a hop with a wider scope, in the token service's name → 401 txn_token_invalid",
    '/txn-scope',
    { signer: 'stranger', claims: { scope: 'orders:read orders:write billing:refund' } },
    invalid('txn_token_invalid'),
  ),
  txnRow(
    'Txn-Token whose scope was widened after signing → 401 txn_token_invalid',
    '/txn-scope',
    (f) => {
      const [header, , signature] = f.mintTxn().split('.');
      const wider = f.mintTxn({ claims: { scope: 'orders:read orders:write billing:refund' } });
      return `${header}.${wider.split('.')[1]}.${signature}`;
    },
    invalid('txn_token_invalid'),
  ),
  txnRow(
    'Txn-Token whose tctx was changed after signing → 401 txn_token_invalid',
    '/txn-context',
    (f) => {
      const [header, , signature] = f.mintTxn().split('.');
      const tampered = f.mintTxn({ claims: { tctx: { region: 'us', basket: 3 } } }).split('.')[1];
      return `${header}.${tampered}.${signature}`;
    },
    invalid('txn_token_invalid'),
  ),
  {
    name: 'expired Txn-Token → 401 txn_token_expired',
    request: async (f) => {
      const now = f.nowMs / 1000;
      return withTxn(f, '/txn', f.mintTxn({ claims: { iat: now - 300, exp: now - 60 } }));
    },
    expect: invalid('txn_token_expired'),
  },
  {
    name: 'Txn-Token issued in the future → 401 txn_token_not_yet_valid',
    request: async (f) => {
      const now = f.nowMs / 1000;
      return withTxn(f, '/txn', f.mintTxn({ claims: { iat: now + 120, exp: now + 180 } }));
    },
    expect: invalid('txn_token_not_yet_valid'),
  },
  {
    name: 'Txn-Token living longer than the cap → 401 txn_token_lifetime_exceeded',
    request: async (f) => {
      const now = f.nowMs / 1000;
      return withTxn(f, '/txn', f.mintTxn({ claims: { iat: now, exp: now + 3600 } }));
    },
    expect: invalid('txn_token_lifetime_exceeded'),
  },
  txnRow(
    'Txn-Token for another trust domain → 401 txn_token_audience_mismatch',
    '/txn',
    { claims: { aud: 'https://elsewhere.trust/' } },
    invalid('txn_token_audience_mismatch'),
  ),
  {
    name: 'Txn-Token sent in Authorization → 400 txn_token_in_authorization',
    request: async (f) => ({
      method: 'GET',
      path: '/txn',
      headers: bearer(f.mintTxn()),
    }),
    expect: { status: 400, code: 'txn_token_in_authorization', challenge: 'invalid_request' },
  },
  txnRow('Txn-Token whose scope holds the required word → 200', '/txn-scope', {}, attached),
  txnRow(
    'Txn-Token forging a narrower scope → 403 txn_token_claim_check_failed',
    '/txn-scope',
    { claims: { scope: 'orders:read' } },
    forbidden('txn_token_claim_check_failed'),
  ),
  txnRow('Txn-Token whose tctx matches the rule → 200', '/txn-context', {}, attached),
  txnRow(
    'Txn-Token whose tctx fails the rule → 403 txn_token_claim_check_failed',
    '/txn-context',
    { claims: { tctx: { region: 'us' } } },
    forbidden('txn_token_claim_check_failed'),
  ),
  {
    name: 'Txn-Token from a caller outside the trust domain → 403 txn_workload_unknown',
    request: (f) => withTxn(f, '/txn', f.mintTxn(), USERS),
    expect: forbidden('txn_workload_unknown'),
  },
  txnRow(
    'Txn-Token of a token service whose keys are unreachable → 503 keys_unavailable',
    '/txn',
    { claims: { iss: TOKEN_SERVICE_DOWN } },
    { status: 503, code: 'keys_unavailable', challenge: null },
  ),
  txnRow(
    'Txn-Token forwarded by createServiceFetch to the next hop, byte for byte',
    '/txn-forward',
    {},
    { ...attached, forwarded: 'sent' },
  ),
  {
    name: 'no Txn-Token forwarded from a request without one',
    request: (f) => withTxn(f, '/ok-forward', undefined),
    expect: { ...ok(HERALD), forwarded: null },
  },
  txnRow(
    "no Txn-Token forwarded from an 'ignore' route, although the request carried one",
    '/txn-ignore-forward',
    {},
    { ...ok(HERALD), forwarded: null },
  ),
];
