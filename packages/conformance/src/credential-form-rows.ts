import { get, payload, raw } from './adversarial-kit.js';
import { bearer, type ConformanceRow, invalid, ok } from './row-kit.js';

// Rows of the credential's form at the RFC edges (issue W2 3/6, findings 1–4): what counts as
// a credential, the spaces after the scheme, another scheme, and the bounds of `jti`.
const BARE_CHALLENGE = { status: 401, code: 'token_missing', challenge: 'bare' } as const;

export const CREDENTIAL_FORM_ROWS: readonly ConformanceRow[] = [
  {
    name: 'a JWS in JSON serialization (commas inside) → 401 token_malformed, not token_duplicated',
    request: async (f) => {
      const [protectedHeader, body, signature] = raw(f).split('.');
      const json = JSON.stringify({ payload: body, protected: protectedHeader, signature });
      return get({ authorization: `Bearer ${json}` });
    },
    expect: invalid('token_malformed'),
  },
  {
    name: 'a raw JSON payload (RFC 7797 b64: false) → 401 token_malformed, not token_duplicated',
    request: async (f) => {
      const signed = f.signRaw('{"alg":"ES256","kid":"herald-1","b64":false,"crit":["b64"]}', '{}');
      const [head, , signature] = signed.split('.');
      return get({ authorization: `Bearer ${head}.${payload(f)}.${signature}` });
    },
    expect: invalid('token_malformed'),
  },
  {
    name: 'two spaces after the scheme (RFC 9110 §11.4: 1*SP) → 200',
    request: async (f) => get({ authorization: `Bearer  ${await f.mint()}` }),
    expect: ok(),
  },
  {
    name: 'many spaces after the scheme → 200',
    request: async (f) => get({ authorization: `Bearer       ${await f.mint()}` }),
    expect: ok(),
  },
  {
    name: 'a Basic credential only → 401 token_missing with a plain challenge (RFC 6750 §3.1)',
    request: async () => get({ authorization: 'Basic dXNlcjpwYXNz' }),
    expect: BARE_CHALLENGE,
  },
  {
    name: 'another scheme carrying a JWT (Token …) → 401 token_missing with a plain challenge',
    request: async (f) => get({ authorization: `Token ${await f.mint()}` }),
    expect: BARE_CHALLENGE,
  },
  {
    name: 'an empty jti → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, '"jti":""'))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'a jti of 129 characters → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, `"jti":"${'j'.repeat(129)}"`))),
    expect: invalid('token_malformed'),
  },
  // Per-route replay (finding 8): one verifier, routes with and without a one-time record.
  {
    name: 'a route that drops replay: the same jti twice → 200 both times',
    request: async (f) => get(bearer(await f.mint({ jti: f.jti() })), '/static'),
    sendTwice: true,
    expect: ok(),
  },
  {
    name: 'a route with its own replay store: no jti → 401 claim_missing',
    request: async (f) => get(bearer(await f.mint()), '/once'),
    expect: invalid('claim_missing'),
  },
  {
    name: 'a route with its own replay store: the same jti twice → 401 token_replayed',
    request: async (f) => get(bearer(await f.mint({ jti: f.jti() })), '/once'),
    sendTwice: true,
    expect: invalid('token_replayed'),
  },
  {
    name: 'a jti of 128 characters → 200',
    request: async (f) => get(bearer(raw(f, `"jti":"${'j'.repeat(128)}"`))),
    expect: ok(),
  },
];
