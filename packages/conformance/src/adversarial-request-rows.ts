import { get, raw } from './adversarial-kit.js';
import { bearer, type ConformanceRow, invalid, JSON_TYPE, ok, PAYLOAD } from './row-kit.js';

const UNSUPPORTED: ConformanceRow['expect'] = {
  status: 415,
  code: 'content_encoding_unsupported',
  challenge: null,
};

/** A valid body-hash POST whose only twist is its `Content-Encoding` header. */
function encodingRow(
  name: string,
  encoding: string | string[],
  expect: ConformanceRow['expect'],
): ConformanceRow {
  return {
    name: `adversarial: ${name}`,
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })),
        ...JSON_TYPE,
        'content-encoding': encoding,
      },
      body: PAYLOAD,
    }),
    expect,
  };
}

/** Adversarial rows about the request the token rides on: binding, body hash, Content-Encoding. */
export const ADVERSARIAL_REQUEST_ROWS: readonly ConformanceRow[] = [
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
  encodingRow('Content-Encoding identity on a body-hash route → 200', 'Identity', ok()),
  encodingRow(
    'Content-Encoding "gzip, identity" → 415 content_encoding_unsupported',
    'gzip, identity',
    UNSUPPORTED,
  ),
  encodingRow(
    'Content-Encoding twice, identity then gzip → 415 content_encoding_unsupported',
    ['identity', 'gzip'],
    UNSUPPORTED,
  ),
  encodingRow('empty Content-Encoding on a body-hash route → 200', '', ok()),
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
