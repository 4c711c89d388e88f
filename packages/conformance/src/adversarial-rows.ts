import { AUDIENCE, type ConformanceFixture, HERALD } from './conformance-fixture.js';
import {
  bearer,
  type ConformanceRow,
  forbidden,
  invalid,
  JSON_TYPE,
  ok,
  PAYLOAD,
  segment,
} from './row-kit.js';

// Hostile requests from the adversarial review: header tricks, hand-made JSON that no JWT
// library would produce, request-target variants and Content-Encoding spellings. Every
// adapter must answer them exactly like the rest of the table.

const HEADER = '{"alg":"ES256","kid":"herald-1","typ":"JWT"}';

/** The members of a valid Herald token as JSON text, `extra` spliced in verbatim first. */
function payload(f: ConformanceFixture, extra = '', omit: readonly string[] = []): string {
  const now = f.nowMs / 1000;
  const members: Record<string, string> = {
    iss: JSON.stringify(HERALD),
    aud: JSON.stringify(AUDIENCE),
    source: '"microservice"',
    iat: String(now),
    exp: String(now + 300),
  };
  const parts = Object.entries(members)
    .filter(([name]) => !omit.includes(name))
    .map(([name, value]) => `"${name}":${value}`);
  return `{${extra === '' ? '' : `${extra},`}${parts.join(',')}}`;
}

function raw(f: ConformanceFixture, extra = '', omit: readonly string[] = []): string {
  return f.signRaw(HEADER, payload(f, extra, omit));
}

const get = (headers: Record<string, string | readonly string[]>, path = '/ok') => ({
  method: 'GET',
  path,
  headers,
});

/** `count` distinct filler headers, to push a request past the adapters' fast header scan. */
function padding(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-pad-${i}`, `${i}`]));
}

/** Rows of the adversarial review. */
export const ADVERSARIAL_ROWS: readonly ConformanceRow[] = [
  // Finding the token.
  {
    name: 'adversarial: tab after the scheme → 401 token_malformed',
    request: async (f) => get({ authorization: `Bearer\t${await f.mint()}` }),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: two spaces after the scheme → 401 token_malformed',
    request: async (f) => get({ authorization: `Bearer  ${await f.mint()}` }),
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
  // The request the token rides on.
  {
    name: 'adversarial: htm "get" on a GET → 401 request_binding_mismatch',
    request: async (f) => get(bearer(raw(f, '"htm":"get","htu":"/ok"'))),
    expect: invalid('request_binding_mismatch'),
  },
  {
    name: 'adversarial: htu decoded, target percent-encoded → 401 request_binding_mismatch',
    request: async (f) =>
      get(bearer(raw(f, '"htm":"GET","htu":"/ok?next=/a/b"')), '/ok?next=%2Fa%2Fb'),
    expect: invalid('request_binding_mismatch'),
  },
  {
    name: 'adversarial: htu percent-encoded, target the same → 200',
    request: async (f) =>
      get(bearer(raw(f, '"htm":"GET","htu":"/ok?next=%2Fa%2Fb"')), '/ok?next=%2Fa%2Fb'),
    expect: ok(),
  },
  {
    name: 'adversarial: htu with a fragment → 401 request_binding_mismatch',
    request: async (f) => get(bearer(raw(f, '"htm":"GET","htu":"/ok#top"'))),
    expect: invalid('request_binding_mismatch'),
  },
  {
    name: 'adversarial: GET with a body, bdy over the empty string → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/strict',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash('') } })), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: invalid('body_hash_mismatch'),
  },
  {
    name: 'adversarial: GET with a chunked body, bdy over the empty string → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/strict',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash('') } })), ...JSON_TYPE },
      body: [PAYLOAD.slice(0, 4), PAYLOAD.slice(4)],
    }),
    expect: invalid('body_hash_mismatch'),
  },
  {
    name: 'adversarial: Content-Encoding identity on a body-hash route → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })),
        ...JSON_TYPE,
        'content-encoding': 'Identity',
      },
      body: PAYLOAD,
    }),
    expect: ok(),
  },
  {
    name: 'adversarial: Content-Encoding "gzip, identity" → 415 content_encoding_unsupported',
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })),
        ...JSON_TYPE,
        'content-encoding': 'gzip, identity',
      },
      body: PAYLOAD,
    }),
    expect: { status: 415, code: 'content_encoding_unsupported', challenge: null },
  },
  {
    name: 'adversarial: Content-Encoding twice, identity then gzip → 415 content_encoding_unsupported',
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })),
        ...JSON_TYPE,
        'content-encoding': ['identity', 'gzip'],
      },
      body: PAYLOAD,
    }),
    expect: { status: 415, code: 'content_encoding_unsupported', challenge: null },
  },
  {
    name: 'adversarial: empty Content-Encoding on a body-hash route → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })),
        ...JSON_TYPE,
        'content-encoding': '',
      },
      body: PAYLOAD,
    }),
    expect: ok(),
  },
  {
    name: 'adversarial: bdy with base64 padding → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: `${f.bodyHash(PAYLOAD)}=` } })),
        ...JSON_TYPE,
      },
      body: PAYLOAD,
    }),
    expect: invalid('body_hash_mismatch'),
  },
  {
    name: 'adversarial: bdy as a number → 401 token_malformed',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(raw(f, '"bdy":1')), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: invalid('token_malformed'),
  },
  {
    name: 'adversarial: bdy over the empty string, a body sent anyway → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash('') } })), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: invalid('body_hash_mismatch'),
  },
];
