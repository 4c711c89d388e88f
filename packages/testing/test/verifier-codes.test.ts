import {
  createMemoryReplayStore,
  createVerifier,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import {
  createTestIssuer,
  createTestVerifierOptions,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';

// The kit's promise: each helper gets the answer its README names from core's verifier.
const AUD = 'https://orders.test/';
let issuer: TestIssuer;
let jwks: JwksServer;
let verifier: ServiceJwtVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer();
  jwks = await serveJwks(issuer);
  verifier = createVerifier(
    createTestVerifierOptions(issuer, jwks, { audience: AUD, replay: createMemoryReplayStore() }),
  );
});
afterAll(async () => {
  await verifier.close();
  await jwks.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

it('accepts a valid token and a request-bound one, once', async () => {
  await expect(
    verifier.verifyToken(await issuer.sign({}, { audience: AUD })),
  ).resolves.toMatchObject({
    issuer: issuer.issuer,
  });
  const token = await issuer.signRequest({
    method: 'POST',
    url: '/o?x=1',
    body: '{}',
    audience: AUD,
  });
  const request = { method: 'POST', url: '/o?x=1', headers: bearer(token), body: '{}' };
  await expect(verifier.verify(request)).resolves.toBeDefined();
  await expect(verifier.verify(request)).rejects.toMatchObject({
    code: 'token_replayed',
    status: 401,
  });
});

it.each([
  ['expired', () => issuer.expired(AUD), 'token_expired', 401],
  ['notYetValid', () => issuer.notYetValid(AUD), 'token_not_yet_valid', 401],
  ['wrongAudience', () => issuer.wrongAudience(), 'audience_mismatch', 401],
  ['wrongIssuer', () => issuer.wrongIssuer(AUD), 'issuer_not_trusted', 401],
  ['wrongSource', () => issuer.wrongSource(AUD), 'source_mismatch', 403],
  ['tamperedSignature', () => issuer.tamperedSignature(AUD), 'signature_invalid', 401],
  ['wrongKey', () => issuer.wrongKey(AUD), 'signature_invalid', 401],
  ['omit exp', () => issuer.sign({}, { audience: AUD, omit: ['exp'] }), 'claim_missing', 401],
] as const)('%s → %s', async (_name, mint, code, status) => {
  await expect(verifier.verifyToken(await mint())).rejects.toMatchObject({ code, status });
});

it('unsigned tokens are refused', async () => {
  const error = await verifier.verifyToken(await issuer.unsigned(AUD)).catch((err: unknown) => err);
  expect(['algorithm_not_allowed', 'token_malformed']).toContain((error as { code: string }).code);
});

it('tamperedBody → body_hash_mismatch', async () => {
  const request = { method: 'POST', url: '/o', body: '{"amount":10}', audience: AUD };
  const { token, body } = await issuer.tamperedBody(request);
  await expect(
    verifier.verify({ method: 'POST', url: '/o', headers: bearer(token), body }),
  ).rejects.toMatchObject({ code: 'body_hash_mismatch', status: 401 });
});
