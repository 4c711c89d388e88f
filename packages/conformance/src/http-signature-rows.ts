import { generateKeyPairSync } from 'node:crypto';
import { verifyHttpResponse } from '@service-jwt/core';
import {
  ANSWER_KEY,
  type ConformanceFixture,
  type HttpSignatureSigner,
  type HttpSignatureTarget,
  SMALL_BODY_LIMIT,
} from './conformance-fixture.js';
import type { RawRequest, RawResponse } from './raw-request.js';
import { bearer, type ConformanceRow, invalid, JSON_TYPE, ok, PAYLOAD } from './row-kit.js';

// The HTTP Message Signature binding (RFC 9421 + Content-Digest, RFC 9530) on every adapter:
// /signed takes signatures by the issuer's key, /proof by the key the token's cnf confirms.

const STRANGER_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const WITHOUT_AUTHORIZATION = ['@method', '@path', '@query', 'content-digest'];
const WITHOUT_DIGEST = ['@method', '@path', '@query', 'authorization'];

interface SignedRequest {
  readonly method?: string;
  readonly path?: string;
  readonly body?: HttpSignatureTarget['body'];
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly signing?: HttpSignatureSigner;
  /** Changes the request after it was signed. */
  readonly after?: (request: RawRequest & { headers: Record<string, string> }) => RawRequest;
}

async function signedRequest(f: ConformanceFixture, spec: SignedRequest): Promise<RawRequest> {
  const method = spec.method ?? 'POST';
  const path = spec.path ?? '/signed?page=1';
  const headers: Record<string, string> = {
    ...bearer(await f.mint(spec.claims === undefined ? {} : { claims: spec.claims })),
    ...(spec.body === undefined ? {} : JSON_TYPE),
  };
  Object.assign(headers, f.signHttp({ method, path, headers, body: spec.body }, spec.signing));
  const request = {
    method,
    path,
    headers,
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  return spec.after === undefined ? request : spec.after(request);
}

function editHeaders(edit: (headers: Record<string, string>) => void) {
  return (request: RawRequest & { headers: Record<string, string> }): RawRequest => {
    const headers = { ...request.headers };
    edit(headers);
    return { ...request, headers };
  };
}

/** Asserts that `response` carries a signature by {@link ANSWER_KEY} tied to `request`. */
function signedByTheService(
  response: RawResponse,
  request: RawRequest,
  fixture: ConformanceFixture,
): void {
  const headers = { ...response.headers };
  expect(headers['signature-input']).toContain('"signature";req');
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    sent[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  const check = (status: number, body: string) =>
    verifyHttpResponse(
      { status, headers, body: Buffer.from(body) },
      { method: request.method, url: request.path, headers: sent },
      { key: ANSWER_KEY.publicKey, now: () => fixture.nowMs },
    );
  expect(() => check(response.status, response.body)).not.toThrow();
  // The signature holds the status and the exact body.
  expect(() => check(201, response.body)).toThrow(
    expect.objectContaining({ code: 'http_signature_response_invalid' }),
  );
  expect(() => check(response.status, `${response.body} `)).toThrow(
    expect.objectContaining({ code: 'http_signature_response_invalid' }),
  );
}

/** Rows of the `httpSignature` binding. */
export const HTTP_SIGNATURE_ROWS: readonly ConformanceRow[] = [
  {
    name: "http signature by the issuer's key over a POST body → 200",
    request: (f) => signedRequest(f, { body: PAYLOAD }),
    expect: ok(),
  },
  {
    name: 'http signature by the cnf proof key over a chunked body → 200',
    request: (f) =>
      signedRequest(f, {
        path: '/proof',
        claims: { cnf: { jwk: f.proofJwk } },
        body: [PAYLOAD.slice(0, 7), PAYLOAD.slice(7)],
        signing: { signer: 'proof' },
      }),
    expect: ok(),
  },
  {
    name: 'http signature over a GET without body → 200',
    request: (f) => signedRequest(f, { method: 'GET' }),
    expect: ok(),
  },
  {
    name: 'http signature: body changed by one byte → 401 content_digest_mismatch',
    request: async (f) => ({
      ...(await signedRequest(f, { body: PAYLOAD })),
      body: PAYLOAD.replace('Ada', 'Adb'),
    }),
    expect: invalid('content_digest_mismatch'),
  },
  {
    name: 'http signature route, request without a signature → 401 http_signature_missing',
    request: async (f) => ({
      method: 'POST',
      path: '/signed',
      headers: { ...bearer(await f.mint()), ...JSON_TYPE },
      body: PAYLOAD,
    }),
    expect: invalid('http_signature_missing'),
  },
  {
    name: 'http signature without a covered Content-Digest over a body → 401 content_digest_missing',
    request: (f) => signedRequest(f, { body: PAYLOAD, signing: { components: WITHOUT_DIGEST } }),
    expect: invalid('content_digest_missing'),
  },
  {
    name: 'http signature not covering authorization → 401 http_signature_insufficient',
    request: (f) =>
      signedRequest(f, { body: PAYLOAD, signing: { components: WITHOUT_AUTHORIZATION } }),
    expect: invalid('http_signature_insufficient'),
  },
  {
    name: 'http signature covering @path twice → 400 http_signature_malformed',
    request: (f) =>
      signedRequest(f, {
        method: 'GET',
        signing: { components: ['@method', '@path', '@query', 'authorization', '@path'] },
      }),
    expect: { status: 400, code: 'http_signature_malformed', challenge: 'invalid_request' },
  },
  {
    name: 'http signature replayed (same nonce) → 401 http_signature_replayed',
    request: (f) => signedRequest(f, { body: PAYLOAD }),
    sendTwice: true,
    expect: invalid('http_signature_replayed'),
  },
  {
    name: 'http signature by a key that is not the issuer key → 401 http_signature_invalid',
    request: (f) => signedRequest(f, { body: PAYLOAD, signing: { key: STRANGER_KEY } }),
    expect: invalid('http_signature_invalid'),
  },
  {
    name: 'http signature expired → 401 http_signature_expired',
    request: (f) =>
      signedRequest(f, { body: PAYLOAD, signing: { now: () => f.nowMs - 10 * 60_000 } }),
    expect: invalid('http_signature_expired'),
  },
  {
    name: 'http signature naming another algorithm than the key → 401 algorithm_not_allowed',
    request: (f) =>
      signedRequest(f, {
        body: PAYLOAD,
        signing: { includeAlg: true },
        after: editHeaders((h) => {
          h['signature-input'] = (h['signature-input'] as string).replace(
            'alg="ecdsa-p256-sha256"',
            'alg="ed25519"',
          );
        }),
      }),
    expect: invalid('algorithm_not_allowed'),
  },
  {
    name: `http signature route, body over maxBodyBytes (${SMALL_BODY_LIMIT}) → 413 body_too_large`,
    request: (f) =>
      signedRequest(f, { path: '/signed-small', body: 'z'.repeat(SMALL_BODY_LIMIT * 4) }),
    expect: { status: 413, code: 'body_too_large', challenge: null },
  },
  {
    name: 'signResponse: the answer to a signed POST is signed, tied to the request → 200',
    request: (f) => signedRequest(f, { path: '/answered?page=2', body: PAYLOAD }),
    expect: ok(),
    check: signedByTheService,
  },
  {
    name: 'signResponse: the answer to a signed GET is signed → 200',
    request: (f) => signedRequest(f, { method: 'GET', path: '/answered' }),
    expect: ok(),
    check: signedByTheService,
  },
  {
    name: 'signResponse: a refused request gets an unsigned refusal → 401',
    request: (f) =>
      signedRequest(f, {
        path: '/answered',
        body: PAYLOAD,
        after: editHeaders((h) => {
          h.signature = h.signature!.replace(/=:(.)/, (_m, c) => `=:${c === 'A' ? 'B' : 'A'}`);
        }),
      }),
    expect: invalid('http_signature_invalid'),
    check: (response) => expect(response.headers.signature).toBeUndefined(),
  },
  {
    name: 'signature fields on a claims-binding route change nothing → 200',
    request: (f) => signedRequest(f, { path: '/ok', body: PAYLOAD, signing: { tag: 'other' } }),
    expect: ok(),
  },
];
