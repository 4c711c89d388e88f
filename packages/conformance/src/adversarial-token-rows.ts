import { get, HEADER, padding, payload, raw } from './adversarial-kit.js';
import { HERALD } from './conformance-fixture.js';
import { bearer, type ConformanceRow, forbidden, invalid, ok, segment } from './row-kit.js';

/** Adversarial rows about finding and decoding the token: header tricks, hand-made JSON and headers. */
export const ADVERSARIAL_TOKEN_ROWS: readonly ConformanceRow[] = [
  // Finding the token.
  {
    name: 'adversarial: tab after the scheme → 401 token_malformed',
    request: async (f) => get({ authorization: `Bearer\t${await f.mint()}` }),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: Bearer twice → 401 token_malformed',
    request: async (f) => get({ authorization: `Bearer Bearer ${await f.mint()}` }),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: upper-case scheme → 200',
    request: async (f) => get({ authorization: `BEARER ${await f.mint()}` }),
    expect: ok(),
  },
  {
    name: 'adversarial: two credentials comma-joined in one header → 400 token_duplicated',
    request: async (f) =>
      get({ authorization: `Bearer ${await f.mint()}, Bearer ${await f.mint()}` }),
    expect: { status: 400, code: 'token_duplicated', challenge: 'invalid_request' },
  },
  {
    name: 'adversarial: a Bearer and a Basic Authorization line → 400 token_duplicated',
    request: async (f) =>
      get({ authorization: [`Bearer ${await f.mint()}`, 'Basic dXNlcjpwYXNz'] }),
    expect: { status: 400, code: 'token_duplicated', challenge: 'invalid_request' },
  },
  {
    name: 'adversarial: a Basic and a Bearer Authorization line → 400 token_duplicated',
    request: async (f) =>
      get({ authorization: ['Basic dXNlcjpwYXNz', `Bearer ${await f.mint()}`] }),
    expect: { status: 400, code: 'token_duplicated', challenge: 'invalid_request' },
  },
  {
    name: 'adversarial: 80 other header lines, one Authorization → 200',
    request: async (f) => get({ ...padding(80), ...bearer(await f.mint()) }),
    expect: ok(),
  },
  {
    name: 'adversarial: 80 other header lines, two Authorization lines → 400 token_duplicated',
    request: async (f) =>
      get({
        ...padding(80),
        authorization: [`Bearer ${await f.mint()}`, `Bearer ${await f.mint()}`],
      }),
    expect: { status: 400, code: 'token_duplicated', challenge: 'invalid_request' },
  },
  // Hand-made JSON.
  {
    name: 'adversarial: exp 1e400 (Infinity) → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, '"exp":1e400', ['exp']))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: exp as a string → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, `"exp":"${f.nowMs / 1000 + 300}"`, ['exp']))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: exp -0 → 401 token_expired',
    request: async (f) => get(bearer(raw(f, '"exp":-0', ['exp']))),
    expect: invalid('token_expired'),
  },
  {
    name: 'adversarial: aud [] → 401 audience_mismatch',
    request: async (f) => get(bearer(raw(f, '"aud":[]', ['aud']))),
    expect: invalid('audience_mismatch'),
  },
  {
    name: 'adversarial: aud [""] → 401 audience_mismatch',
    request: async (f) => get(bearer(raw(f, '"aud":[""]', ['aud']))),
    expect: invalid('audience_mismatch'),
  },
  {
    name: 'adversarial: iss with a Cyrillic look-alike letter → 401 issuer_not_trusted',
    request: async (f) =>
      get(bearer(raw(f, `"iss":${JSON.stringify(HERALD.replace('e', '\u0435'))}`, ['iss']))),
    expect: invalid('issuer_not_trusted'),
  },
  {
    name: 'adversarial: iss __proto__ → 401 issuer_not_trusted',
    request: async (f) => get(bearer(raw(f, '"iss":"__proto__"', ['iss']))),
    expect: invalid('issuer_not_trusted'),
  },
  {
    name: 'adversarial: duplicate member spelled "iss" and "\\u0069ss" → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, '"\\u0069ss":"https://other.service/"'))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: payload with a byte-order mark → 401 token_malformed',
    request: async (f) => get(bearer(f.signRaw(HEADER, `\ufeff${payload(f)}`))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: payload nested 2000 arrays deep → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, `"deep":${'['.repeat(2000)}${']'.repeat(2000)}`))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: escaped lone surrogate in sub → 200 with that subject',
    request: async (f) => get(bearer(raw(f, '"sub":"\\ud800x"'))),
    expect: ok(HERALD, '\ud800x'),
  },
  {
    name: 'adversarial: jti as a number → 401 token_malformed',
    request: async (f) => get(bearer(raw(f, '"jti":12345'))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: source as a list → 403 source_mismatch',
    request: async (f) => get(bearer(raw(f, '"source":["microservice"]', ['source']))),
    expect: forbidden('source_mismatch'),
  },
  // Hand-made headers.
  {
    name: 'adversarial: kid __proto__ → 401 key_not_found',
    request: async (f) =>
      get(bearer(f.signRaw('{"alg":"ES256","kid":"__proto__","typ":"JWT"}', payload(f)))),
    expect: invalid('key_not_found'),
  },
  {
    name: 'adversarial: kid with path traversal → 401 key_not_found',
    request: async (f) =>
      get(bearer(f.signRaw('{"alg":"ES256","kid":"../../../etc/passwd","typ":"JWT"}', payload(f)))),
    expect: invalid('key_not_found'),
  },
  {
    name: 'adversarial: crit [] → 401 token_malformed',
    request: async (f) =>
      get(bearer(f.signRaw('{"alg":"ES256","kid":"herald-1","crit":[]}', payload(f)))),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: alg "ES256 " → 401 algorithm_not_allowed',
    request: async (f) => get(bearer(f.signRaw('{"alg":"ES256 ","kid":"herald-1"}', payload(f)))),
    expect: invalid('algorithm_not_allowed'),
  },
  {
    name: 'adversarial: alg spelled with an escape ("ES\\u0032\\u00356") → 200',
    request: async (f) =>
      get(bearer(f.signRaw('{"alg":"ES\\u0032\\u00356","kid":"herald-1"}', payload(f)))),
    expect: ok(),
  },
  {
    name: 'adversarial: alg HS256 on an ES256 issuer (key confusion) → 401 algorithm_not_allowed',
    request: async (f) => {
      const input = `${segment({ alg: 'HS256', kid: 'herald-1' })}.${Buffer.from(payload(f)).toString('base64url')}`;
      return get(bearer(`${input}.${Buffer.alloc(32, 1).toString('base64url')}`));
    },
    expect: invalid('algorithm_not_allowed'),
  },
  {
    name: 'adversarial: b64 false → 401 token_malformed',
    request: async (f) =>
      get(bearer(f.signRaw('{"alg":"ES256","kid":"herald-1","b64":false}', payload(f)))),
    expect: invalid('token_malformed'),
  },
];
