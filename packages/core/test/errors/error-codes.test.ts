import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createTrustDomain, TRUST_DOMAIN } from '@service-jwt/conformance';
import {
  createMemoryReplayStore,
  createMemoryRevocationList,
  createServiceFetch,
  createSigner,
  createTransactionTokenClient,
  createVerifier,
  SERVICE_JWT_ERROR_CODES,
  type ServiceJwtErrorCode,
  type SignHttpRequestOptions,
  signHttpRequest,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import {
  AUDIENCE,
  b64,
  bearer,
  claimsAt,
  expectCode,
  ISSUER,
  makeKey,
  mint,
  NOW,
  NOW_MS,
  verifierFor,
} from '../fixtures.js';
import { listen } from '../signer/http-fixtures.js';
import {
  mintTxn,
  txnClaimsAt,
  txnVerifierFor,
  withTxn,
} from '../transaction-tokens/txn-fixtures.js';

// Every code of the design's error table, produced through the public API, with its status
// and WWW-Authenticate challenge (asserted by expectCode).
const key = makeKey('ES256');
const verifier = verifierFor(key);
const sha = (body: string) => createHash('sha256').update(body).digest('base64url');
const produced = new Set<ServiceJwtErrorCode>();

// The httpSignature binding with the issuer's key; `edit` changes the request after signing.
const signedRoute = verifierFor(key, {
  replay: { store: createMemoryReplayStore({ now: () => NOW_MS }), required: false },
  httpSignature: { key: 'issuer' },
});
function signedRequest(
  options: Partial<SignHttpRequestOptions> = {},
  edit: (headers: Record<string, string>) => void = () => undefined,
  body = '{"a":1}',
) {
  const token = mint(key, claimsAt());
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  Object.assign(
    headers,
    signHttpRequest(
      { method: 'POST', url: '/orders', headers, body: '{"a":1}' },
      { key: key.privateKey, now: () => NOW_MS, ...options },
    ),
    { 'content-length': String(body.length) },
  );
  edit(headers);
  return { method: 'POST', url: '/orders', headers, body };
}

// A route that requires a Txn-Token, from a token service with its own key.
const txnKey = makeKey('EdDSA', 'txn');
const txnRoute = txnVerifierFor(key, txnKey).forRoute({ transactionToken: 'require' });
const withTxnClaims = (overrides: Record<string, unknown>) =>
  txnRoute.verify(withTxn(key, mintTxn(txnKey, txnClaimsAt(overrides))));

const CASES: ReadonlyArray<[ServiceJwtErrorCode, () => Promise<unknown>]> = [
  ['token_missing', () => verifier.verify({ method: 'GET', url: '/', headers: {} })],
  ['token_malformed', () => verifier.verifyToken('not.a-token')],
  ['token_too_large', () => verifier.verifyToken('x'.repeat(8193))],
  [
    'algorithm_not_allowed',
    () => verifier.verifyToken(`${b64({ alg: 'none' })}.${b64(claimsAt())}.AA`),
  ],
  ['key_not_found', () => verifier.verifyToken(mint(makeKey('ES256', 'unknown-kid'), claimsAt()))],
  [
    'signature_invalid',
    () => verifier.verifyToken(mint({ ...makeKey('ES256'), kid: key.kid }, claimsAt())),
  ],
  ['token_expired', () => verifier.verifyToken(mint(key, claimsAt({ exp: NOW - 60 })))],
  ['token_not_yet_valid', () => verifier.verifyToken(mint(key, claimsAt({ nbf: NOW + 60 })))],
  ['token_too_old', () => verifier.forRoute({ maxTokenAge: 1 }).verifyToken(mint(key, claimsAt()))],
  [
    'issuer_not_trusted',
    () => verifier.verifyToken(mint(key, claimsAt({ iss: 'https://elsewhere.test' }))),
  ],
  [
    'audience_mismatch',
    () => verifier.verifyToken(mint(key, claimsAt({ aud: 'https://elsewhere.test' }))),
  ],
  [
    'claim_missing',
    () => verifier.forRoute({ requiredClaims: ['tenant'] }).verifyToken(mint(key, claimsAt())),
  ],
  [
    'body_hash_missing',
    () =>
      verifier
        .forRoute({ bodyHash: { required: true } })
        .verify(bearer(mint(key, claimsAt()), { body: '{}' })),
  ],
  [
    'body_hash_mismatch',
    () => verifier.verify(bearer(mint(key, claimsAt({ bdy: sha('{}') })), { body: '{ }' })),
  ],
  [
    'request_binding_mismatch',
    () => verifier.verify(bearer(mint(key, claimsAt({ htm: 'DELETE' })))),
  ],
  [
    'token_replayed',
    async () => {
      const once = verifierFor(key, { replay: createMemoryReplayStore({ now: () => NOW_MS }) });
      const token = mint(key, claimsAt({ jti: 'twice' }));
      await once.verifyToken(token);
      return once.verifyToken(token);
    },
  ],
  [
    'token_revoked',
    async () => {
      const revocation = createMemoryRevocationList({ now: () => NOW_MS });
      await revocation.revokeToken(ISSUER, 'gone', NOW + 600);
      return verifierFor(key, { revocation }).verifyToken(mint(key, claimsAt({ jti: 'gone' })));
    },
  ],
  ['source_mismatch', () => verifier.verifyToken(mint(key, claimsAt({ source: 'user' })))],
  [
    'claim_check_failed',
    () => verifier.forRoute({ claims: { tier: 'gold' } }).verifyToken(mint(key, claimsAt())),
  ],
  [
    'caller_not_allowed',
    () =>
      verifier.forRoute({ callers: { subjects: ['billing'] } }).verifyToken(mint(key, claimsAt())),
  ],
  [
    'token_duplicated',
    () => {
      const token = mint(key, claimsAt());
      return verifier.verify({
        method: 'GET',
        url: '/',
        headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      });
    },
  ],
  [
    'body_too_large',
    () =>
      verifier
        .forRoute({ bodyHash: { maxBodyBytes: 2 } })
        .verify(bearer(mint(key, claimsAt({ bdy: sha('{"a":1}') })), { body: '{"a":1}' })),
  ],
  [
    'content_encoding_unsupported',
    () =>
      verifier.verify(
        bearer(mint(key, claimsAt({ bdy: sha('x') })), {
          body: 'x',
          headers: { 'content-encoding': 'br' },
        }),
      ),
  ],
  [
    'http_signature_missing',
    () => signedRoute.verify(bearer(mint(key, claimsAt()), { body: '{}' })),
  ],
  [
    'http_signature_malformed',
    () => signedRoute.verify(signedRequest({}, (h) => Object.assign(h, { signature: 'sig1=:x' }))),
  ],
  [
    'http_signature_insufficient',
    () => signedRoute.verify(signedRequest({ components: ['@method', 'authorization'] })),
  ],
  [
    'http_signature_invalid',
    () => signedRoute.verify(signedRequest({ key: makeKey('ES256').privateKey })),
  ],
  [
    'http_signature_expired',
    () => signedRoute.verify(signedRequest({ now: () => NOW_MS - 600_000 })),
  ],
  [
    'http_signature_replayed',
    async () => {
      const request = signedRequest();
      await signedRoute.verify(request);
      return signedRoute.verify(request);
    },
  ],
  [
    'content_digest_missing',
    () =>
      signedRoute.verify(
        signedRequest({ components: ['@method', '@path', '@query', 'authorization'] }),
      ),
  ],
  ['content_digest_mismatch', () => signedRoute.verify(signedRequest({}, undefined, '{"a":2}'))],
  ['txn_token_missing', () => txnRoute.verify(withTxn(key))],
  ['txn_token_duplicated', () => txnRoute.verify(withTxn(key, [mintTxn(txnKey), mintTxn(txnKey)]))],
  ['txn_token_malformed', () => withTxnClaims({ txn: undefined })],
  ['txn_token_untrusted', () => withTxnClaims({ iss: 'https://elsewhere.test' })],
  ['txn_token_invalid', () => txnRoute.verify(withTxn(key, mintTxn(makeKey('EdDSA', 'txn'))))],
  ['txn_token_expired', () => withTxnClaims({ iat: NOW - 300, exp: NOW - 60 })],
  ['txn_token_not_yet_valid', () => withTxnClaims({ iat: NOW + 60, exp: NOW + 120 })],
  ['txn_token_lifetime_exceeded', () => withTxnClaims({ exp: NOW + 3600 })],
  ['txn_token_audience_mismatch', () => withTxnClaims({ aud: AUDIENCE })],
  ['txn_token_in_authorization', () => verifier.verifyToken(mintTxn(key, claimsAt()))],
  [
    'txn_token_claim_check_failed',
    () =>
      txnRoute
        .forRoute({ transactionToken: { mode: 'require', claims: { scope: { includes: 'x' } } } })
        .verify(withTxn(key, mintTxn(txnKey))),
  ],
  [
    'txn_workload_unknown',
    () =>
      txnVerifierFor(key, txnKey, {}, { workloads: ['https://gateway.test'] }).verify(
        withTxn(key, mintTxn(txnKey)),
      ),
  ],
  [
    'http_signature_response_invalid',
    async () => {
      // A called service that answers 200 without signing it, to a caller that checks.
      const service = await listen(
        createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')),
      );
      const call = createServiceFetch({
        signer: createSigner({ issuer: ISSUER, keys: key.privateKey as never }),
        audience: AUDIENCE,
        httpSignature: {
          key: key.privateKey as never,
          verifyResponse: { key: key.publicKey as never },
        },
      });
      try {
        return await call(`${service.url}/orders`);
      } finally {
        await service.close();
      }
    },
  ],
  [
    'keys_unavailable',
    async () => {
      const server = await serveJwks({ keys: [key.jwk as never] });
      await server.stop();
      const remote = createVerifier({
        issuers: { [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true, timeout: 500 } },
        audience: AUDIENCE,
        now: () => NOW_MS,
      });
      try {
        return await remote.verifyToken(mint(key, claimsAt()));
      } finally {
        await remote.close();
        await server.close();
      }
    },
  ],
  [
    'body_timeout',
    () =>
      verifierFor(key, { bodyHash: { timeout: 50 } }).verify(
        bearer(mint(key, claimsAt({ bdy: 'x' })), {
          headers: { 'content-length': '10' },
          body: (() => new Promise<Uint8Array>(() => undefined)) as never,
        }),
      ),
  ],
  [
    'store_unavailable',
    () =>
      verifierFor(key, { replay: { claim: () => Promise.reject(new Error('down')) } }).verifyToken(
        mint(key, claimsAt({ jti: 'x' })),
      ),
  ],
  [
    'signer_unavailable',
    () =>
      createSigner({
        issuer: ISSUER,
        keys: {
          algorithm: 'ES256',
          publicKey: key.jwk as never,
          sign: () => Promise.reject(new Error('KMS down')),
        },
      }).sign({}, { audience: AUDIENCE }),
  ],
  [
    'token_exchange_refused',
    async () => {
      // The real token service, reached through the client's fetch option.
      const domain = await createTrustDomain();
      const client = createTransactionTokenClient({
        url: 'https://txn-tokens.test/token',
        trustDomain: TRUST_DOMAIN,
        serviceToken: () => domain.gatewayToken(),
        fetch: async (_url, init) => {
          const answer = await domain.service.handle({
            method: 'POST',
            headers: Object.fromEntries(new Headers(init.headers).entries()),
            body: String(init.body),
          });
          return new Response(JSON.stringify(answer.body), {
            status: answer.status,
            headers: answer.headers,
          });
        },
      });
      return client.exchange({ subjectToken: 'not-a-user-token', scope: 'orders.read' });
    },
  ],
  [
    'token_service_unavailable',
    () =>
      createTransactionTokenClient({
        url: 'http://127.0.0.1:1/token',
        trustDomain: TRUST_DOMAIN,
        serviceToken: () => 'service-token',
      }).exchange({ subjectToken: 'user-token', scope: 'orders.read' }),
  ],
  [
    'configuration_error',
    async () => createVerifier({ issuers: { [ISSUER]: { keys: [key.jwk as never] } } } as never),
  ],
];

describe('every error code of the design table', () => {
  it.each(CASES)('%s', async (code, produce) => {
    await expectCode(produce(), code);
    produced.add(code);
  });

  it('covers the whole table', () => {
    expect([...produced].sort()).toEqual([...SERVICE_JWT_ERROR_CODES].sort());
  });
});
