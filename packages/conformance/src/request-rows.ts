import { gzipSync } from 'node:zlib';
import { DOWN, REVOKED_JTI, SMALL_BODY_LIMIT } from './conformance-fixture.js';
import {
  bearer,
  type ConformanceRow,
  invalid,
  JSON_TYPE,
  NON_UTF8,
  ok,
  PAYLOAD,
} from './row-kit.js';

/** Rows about the request the token rides on: body hash, size, encoding, binding, replay, revocation, key availability. */
export const REQUEST_ROWS: readonly ConformanceRow[] = [
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
  // A body on a GET: frameworks that never parse one (Fastify) still have it checked.
  {
    name: 'body hash required, GET with a body its bdy covers → 200',
    request: async (f) => ({
      method: 'GET',
      path: '/strict',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: ok(),
  },
  {
    name: 'GET with a body changed by one byte → 401 body_hash_mismatch',
    request: async (f) => ({
      method: 'GET',
      path: '/ok',
      headers: { ...bearer(await f.mint({ claims: { bdy: f.bodyHash(PAYLOAD) } })), ...JSON_TYPE },
      body: PAYLOAD.replace('Ada', 'Adb'),
    }),
    expect: invalid('body_hash_mismatch'),
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
