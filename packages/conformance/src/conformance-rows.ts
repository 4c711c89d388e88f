import { gzipSync } from 'node:zlib';
import type { Rfc6750Error, ServiceJwtErrorCode } from '@service-jwt/core';
import {
  type ConformanceFixture,
  DOWN,
  HERALD,
  ORDERS_AUDIENCE,
  REVOKED_JTI,
  SMALL_BODY_LIMIT,
  STRANGER,
  USERS,
} from './conformance-fixture.js';
import type { RawRequest } from './raw-request.js';

/** What a row expects back. */
export interface ConformanceExpectation {
  readonly status: number;
  /** The `code` of the JSON error body; absent for 200 rows. */
  readonly code?: ServiceJwtErrorCode;
  /**
   * The `WWW-Authenticate` challenge: `'bare'` is `Bearer realm="…"` with no error attribute,
   * an RFC 6750 error names the attribute expected, `null` means no header.
   */
  readonly challenge?: 'bare' | Rfc6750Error | null;
  /** The 200 body `{ issuer, subject }`. */
  readonly issuer?: string;
  readonly subject?: string;
}

/** One request → expected status, code and challenge. */
export interface ConformanceRow {
  readonly name: string;
  request(fixture: ConformanceFixture): Promise<RawRequest>;
  readonly expect: ConformanceExpectation;
  /** Send the request once first (expecting 200), then again for the expectation. */
  readonly sendTwice?: boolean;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const JSON_TYPE = { 'content-type': 'application/json' };
const PAYLOAD = '{"name":"Ada","city":"Zürich"}';
/** Bytes that are not valid UTF-8 (a lone continuation byte, an overlong form, 0xff). */
const NON_UTF8 = Uint8Array.from([0x80, 0xc0, 0xaf, 0xff, 0xfe, 0x00, 0x41]);

function invalid(code: ServiceJwtErrorCode): ConformanceExpectation {
  return { status: 401, code, challenge: 'invalid_token' };
}
function forbidden(code: ServiceJwtErrorCode): ConformanceExpectation {
  return { status: 403, code, challenge: 'insufficient_scope' };
}
const ok = (issuer = HERALD, subject?: string): ConformanceExpectation => ({
  status: 200,
  issuer,
  ...(subject === undefined ? {} : { subject }),
});

/** Base64url of a JSON value, for hand-made tokens. */
function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The conformance table. Every adapter must answer every row identically. */
export const CONFORMANCE_ROWS: readonly ConformanceRow[] = [
  {
    name: 'valid token → 200 with issuer and subject',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ subject: 'user-42' })),
    }),
    expect: ok(HERALD, 'user-42'),
  },
  {
    name: 'valid token of a local-key issuer → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ issuer: USERS })),
    }),
    expect: ok(USERS),
  },
  {
    name: 'no token → 401 token_missing with a bare challenge',
    request: async () => ({ method: 'GET', path: '/ok' }),
    expect: { status: 401, code: 'token_missing', challenge: 'bare' },
  },
  {
    name: 'two Authorization headers → 400 token_duplicated',
    request: async (f) => {
      const token = await f.mint();
      return {
        method: 'GET',
        path: '/ok',
        headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      };
    },
    expect: { status: 400, code: 'token_duplicated', challenge: 'invalid_request' },
  },
  {
    name: 'oversized token → 401 token_too_large',
    request: async () => ({ method: 'GET', path: '/ok', headers: bearer('a'.repeat(9000)) }),
    expect: invalid('token_too_large'),
  },
  {
    name: 'garbage token → 401 token_malformed',
    request: async () => ({ method: 'GET', path: '/ok', headers: bearer('not-a.jwt') }),
    expect: invalid('token_malformed'),
  },
  {
    name: 'alg none with an empty signature → 401 token_malformed',
    request: async (f) => {
      const payload = {
        iss: HERALD,
        aud: f.options.audience,
        source: 'microservice',
        exp: f.nowMs / 1000 + 300,
      };
      return {
        method: 'GET',
        path: '/ok',
        headers: bearer(`${segment({ alg: 'none' })}.${segment(payload)}.`),
      };
    },
    expect: invalid('token_malformed'),
  },
  {
    name: 'alg none with a signature part → 401 algorithm_not_allowed',
    request: async (f) => {
      const payload = {
        iss: HERALD,
        aud: f.options.audience,
        source: 'microservice',
        exp: f.nowMs / 1000 + 300,
      };
      const signature = Buffer.alloc(64, 7).toString('base64url');
      return {
        method: 'GET',
        path: '/ok',
        headers: bearer(`${segment({ alg: 'none' })}.${segment(payload)}.${signature}`),
      };
    },
    expect: invalid('algorithm_not_allowed'),
  },
  {
    name: 'wrong signature → 401 signature_invalid',
    request: async (f) => {
      const [header, payload] = (await f.mint({ subject: 'a' })).split('.');
      const otherSignature = (await f.mint({ subject: 'b' })).split('.')[2];
      return {
        method: 'GET',
        path: '/ok',
        headers: bearer(`${header}.${payload}.${otherSignature}`),
      };
    },
    expect: invalid('signature_invalid'),
  },
  {
    name: 'unknown kid → 401 key_not_found',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ kid: 'herald-unknown' })),
    }),
    expect: invalid('key_not_found'),
  },
  {
    name: 'auth scheme is case-insensitive (RFC 7235) → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: { authorization: `bearer ${await f.mint()}` },
    }),
    expect: ok(),
  },
  {
    name: 'unknown issuer → 401 issuer_not_trusted',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ issuer: STRANGER })),
    }),
    expect: invalid('issuer_not_trusted'),
  },
  {
    name: 'wrong audience → 401 audience_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ audience: 'https://elsewhere.service/' })),
    }),
    expect: invalid('audience_mismatch'),
  },
  {
    name: 'route audience override accepts its own audience → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/orders',
      headers: bearer(await f.mint({ audience: ORDERS_AUDIENCE })),
    }),
    expect: ok(),
  },
  {
    name: 'route audience override refuses the app audience → 401 audience_mismatch',
    request: async (f) => ({ method: 'GET', path: '/orders', headers: bearer(await f.mint()) }),
    expect: invalid('audience_mismatch'),
  },
  {
    name: 'expired → 401 token_expired',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ iat: f.nowMs / 1000 - 7200, lifetime: 3600 })),
    }),
    expect: invalid('token_expired'),
  },
  {
    name: 'not yet valid → 401 token_not_yet_valid',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ nbf: f.nowMs / 1000 + 600, lifetime: 3600 })),
    }),
    expect: invalid('token_not_yet_valid'),
  },
  {
    name: 'user token without source → 403 source_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ issuer: USERS, subject: 'user-1', source: false })),
    }),
    expect: forbidden('source_mismatch'),
  },
  {
    name: 'route claim rule passes → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/admin',
      headers: bearer(await f.mint({ claims: { role: 'admin' } })),
    }),
    expect: ok(),
  },
  {
    name: 'route claim rule fails → 403 claim_check_failed',
    request: async (f) => ({
      method: 'GET',
      path: '/admin',
      headers: bearer(await f.mint({ claims: { role: 'reader' } })),
    }),
    expect: forbidden('claim_check_failed'),
  },
  {
    name: 'caller not allowed on the route → 403 caller_not_allowed',
    request: async (f) => ({
      method: 'GET',
      path: '/herald-only',
      headers: bearer(await f.mint({ issuer: USERS })),
    }),
    expect: forbidden('caller_not_allowed'),
  },
  {
    name: 'allowed caller → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/herald-only',
      headers: bearer(await f.mint()),
    }),
    expect: ok(),
  },
  {
    name: 'valid bdy over a POST body → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: ok(),
  },
  {
    name: 'body changed by one byte → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })), ...JSON_TYPE },
      body: PAYLOAD.replace('Ada', 'Adb'),
    }),
    expect: invalid('body_hash_mismatch'),
  },
  {
    name: 'valid bdy over a chunked body → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })), ...JSON_TYPE },
      body: [PAYLOAD.slice(0, 5), PAYLOAD.slice(5, 12), PAYLOAD.slice(12)],
    }),
    expect: ok(),
  },
  {
    name: 'valid bdy over non-UTF-8 bytes → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: {
        ...bearer(await f.mint({ claims: { bdy: f.bodyHash(NON_UTF8) } })),
        'content-type': 'application/octet-stream',
      },
      body: NON_UTF8,
    }),
    expect: ok(),
  },
  {
    name: 'POST body on a route without bdy nor body policy → 200',
    request: async (f) => ({
      method: 'POST',
      path: '/ok',
      headers: { ...bearer(await f.mint()), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: ok(),
  },
  {
    name: 'body hash required, token without bdy → 401 body_hash_missing',
    request: async (f) => ({
      method: 'POST',
      path: '/strict',
      headers: { ...bearer(await f.mint()), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: invalid('body_hash_missing'),
  },
  {
    name: 'body hash required, GET with bdy over the empty string → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/strict',
      headers: bearer(await f.mint({ claims: { bdy: f.bodyHash('') } })),
    }),
    expect: ok(),
  },
  {
    name: `body over maxBodyBytes (${SMALL_BODY_LIMIT}) → 413 body_too_large`,
    request: async (f) => {
      const big = 'x'.repeat(SMALL_BODY_LIMIT * 4);
      return {
        method: 'POST',
        path: '/small',
        headers: {
          ...bearer(await f.mint({ claims: { bdy: f.bodyHash(big) } })),
          'content-type': 'text/plain',
        },
        body: big,
      };
    },
    expect: { status: 413, code: 'body_too_large', challenge: null },
  },
  {
    name: 'chunked body over maxBodyBytes → 413 body_too_large',
    request: async (f) => {
      const part = 'y'.repeat(SMALL_BODY_LIMIT);
      return {
        method: 'POST',
        path: '/small',
        headers: {
          ...bearer(await f.mint({ claims: { bdy: f.bodyHash(part.repeat(3)) } })),
          'content-type': 'text/plain',
        },
        body: [part, part, part],
      };
    },
    expect: { status: 413, code: 'body_too_large', challenge: null },
  },
  {
    name: 'gzip body on a body-hash route → 415 content_encoding_unsupported',
    request: async (f) => {
      const gzipped = gzipSync(PAYLOAD);
      return {
        method: 'POST',
        path: '/strict',
        headers: {
          ...bearer(await f.mint({ claims: { bdy: f.bodyHash(gzipped) } })),
          ...JSON_TYPE,
          'content-encoding': 'gzip',
        },
        body: gzipped,
      };
    },
    expect: { status: 415, code: 'content_encoding_unsupported', challenge: null },
  },
  {
    name: 'htm/htu mismatch → 401 request_binding_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/ok?page=2',
      headers: bearer(await f.mint({ claims: { htm: 'GET', htu: '/ok?page=3' } })),
    }),
    expect: invalid('request_binding_mismatch'),
  },
  {
    name: 'matching htm/htu → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/ok?page=2',
      headers: bearer(await f.mint({ claims: { htm: 'GET', htu: '/ok?page=2' } })),
    }),
    expect: ok(),
  },
  {
    name: 'replayed jti → 401 token_replayed',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ jti: f.jti() })),
    }),
    sendTwice: true,
    expect: invalid('token_replayed'),
  },
  {
    name: 'revoked jti → 401 token_revoked',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ jti: REVOKED_JTI })),
    }),
    expect: invalid('token_revoked'),
  },
  {
    name: 'JWKS server down, nothing cached → 503 keys_unavailable with Retry-After',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: bearer(await f.mint({ issuer: DOWN })),
    }),
    expect: { status: 503, code: 'keys_unavailable', challenge: null },
  },
];
