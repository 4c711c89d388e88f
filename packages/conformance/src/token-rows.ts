import { HERALD, ORDERS_AUDIENCE, STRANGER, USERS } from './conformance-fixture.js';
import { bearer, type ConformanceRow, forbidden, invalid, ok, segment } from './row-kit.js';

/** Rows about the token itself: finding it, its syntax, signature, issuer, claims and route rules. */
export const TOKEN_ROWS: readonly ConformanceRow[] = [
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
];
