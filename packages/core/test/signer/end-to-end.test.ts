import { createServer } from 'node:http';
import {
  createMemoryReplayStore,
  createServiceFetch,
  createSigner,
  createVerifier,
  type FetchLike,
  generateKeyPair,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import {
  type Loopback,
  listen,
  type Received,
  readRaw,
  sendRaw,
  startProtectedService,
} from './http-fixtures.js';

// M1 calls M2 through createServiceFetch({ bind: true }) over real loopback HTTP, through a
// proxy that can tamper with, capture or redirect what M1 sent.
const M1 = 'https://m1.test/';
const M2 = 'https://m2.test/';
type Mode = 'pass' | 'flip-body-byte' | 'redirect';

let mode: Mode = 'pass';
let captured: Received | undefined;
let m2: Loopback;
let proxy: Loopback;
let jwks: JwksServer;
let verifier: ServiceJwtVerifier;
let callM2: FetchLike;

beforeAll(async () => {
  const signer = createSigner({ issuer: M1, keys: (await generateKeyPair('ES256')).privateKey });
  jwks = await serveJwks(() => signer.jwks());
  verifier = createVerifier({
    issuers: { [M1]: { jwksUri: jwks.url, allowInsecureHttp: true } },
    audience: M2,
    replay: createMemoryReplayStore(),
  });
  m2 = await startProtectedService(verifier);
  proxy = await listen(
    createServer(async (req, res) => {
      const body = await readRaw(req);
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      captured = { ...request, body: Buffer.from(body) };
      const middle = body.length >> 1;
      if (mode === 'flip-body-byte') body[middle] = (body[middle] ?? 0) ^ 0x01;
      if (mode === 'redirect') request.url = '/admin/refunds';
      const answer = await sendRaw(m2.port, request);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    }),
  );
  callM2 = createServiceFetch({ signer, audience: M2, bind: true, subject: 'user-42' });
});
afterAll(async () => {
  await proxy.close();
  await m2.close();
  await verifier.close();
  await jwks.close();
});
beforeEach(() => {
  mode = 'pass';
});

const order = JSON.stringify({ item: 'book', amount: 1200 });
const post = () => callM2(`${proxy.url}/orders?tenant=7`, { method: 'POST', body: order });

async function expectRefused(
  response: {
    status: number;
    headers: { get(name: string): string | null } | Record<string, unknown>;
  },
  body: string,
  code: string,
) {
  expect(response.status).toBe(401);
  const challenge =
    'get' in response.headers && typeof response.headers.get === 'function'
      ? response.headers.get('www-authenticate')
      : (response.headers as Record<string, unknown>)['www-authenticate'];
  expect(challenge).toMatch(/^Bearer realm="service-jwt", error="invalid_token"/);
  expect(JSON.parse(body)).toMatchObject({ error: 'invalid_token', code });
}

it('M2 accepts the untouched request and sees the caller and subject', async () => {
  const response = await post();
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ subject: 'user-42', bytes: Buffer.byteLength(order) });
});

it('one body byte changed in transit → body_hash_mismatch', async () => {
  mode = 'flip-body-byte';
  const response = await post();
  await expectRefused(response, await response.text(), 'body_hash_mismatch');
});

it('replaying a captured request → token_replayed', async () => {
  expect((await post()).status).toBe(200);
  const replay = await sendRaw(m2.port, captured as Received);
  await expectRefused(replay, replay.body.toString(), 'token_replayed');
});

it('redirecting a request to another route → request_binding_mismatch', async () => {
  mode = 'redirect';
  const response = await post();
  await expectRefused(response, await response.text(), 'request_binding_mismatch');
  // The same token, delivered to the route it was signed for, is still accepted: a refused
  // request does not burn it.
  const original = await sendRaw(m2.port, captured as Received);
  expect(original.status).toBe(200);
  // And a captured, already used request sent to another route is refused on its binding.
  const redirected = await sendRaw(m2.port, { ...(captured as Received), url: '/admin/refunds' });
  await expectRefused(redirected, redirected.body.toString(), 'request_binding_mismatch');
});

it('changing the method → request_binding_mismatch', async () => {
  expect((await post()).status).toBe(200);
  const response = await sendRaw(m2.port, { ...(captured as Received), method: 'PUT' });
  await expectRefused(response, response.body.toString(), 'request_binding_mismatch');
});
