import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import {
  createMemoryReplayStore,
  createServiceFetch,
  createSigner,
  createVerifier,
  errorResponse,
  generateKeyPair,
  type HttpResponseSignatureHeaders,
  type ServiceJwtVerifier,
  signHttpResponse,
} from '@service-jwt/core';
import { toServiceJwtError } from '@service-jwt/core/adapter';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import { expectCode } from '../fixtures.js';
import { type Loopback, listen, readRaw } from '../signer/http-fixtures.js';

// Signed responses (RFC 9421 §2.4) end to end over loopback HTTP: M2 verifies M1's signed
// request, answers, and signs the answer with signHttpResponse; M1's createServiceFetch
// checks it with M2's public key. Each way a response can go wrong is produced on the wire.
const M1 = 'https://m1.test/';
const M2 = 'https://m2.test/';
const serviceKey = generateKeyPairSync('ed25519');
const strangerKey = generateKeyPairSync('ed25519');

type Answer = 'signed' | 'unsigned' | 'body-changed' | 'previous' | 'stranger' | 'stale';
let answer: Answer = 'signed';
let previous: HttpResponseSignatureHeaders | undefined;

let jwks: JwksServer;
let verifier: ServiceJwtVerifier;
let service: Loopback;
let signer: ReturnType<typeof createSigner>;
let issuerPrivate: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

function signFor(req: IncomingMessage, body: string, now = Date.now()) {
  const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
  const key = answer === 'stranger' ? strangerKey.privateKey : serviceKey.privateKey;
  const headers = { 'content-type': 'application/json' };
  return signHttpResponse({ status: 200, headers, body }, request, { key, now: () => now });
}

beforeAll(async () => {
  issuerPrivate = (await generateKeyPair('ES256')).privateKey;
  // M1 signs requests with its signer's key (the route's httpSignature.key is 'issuer').
  signer = createSigner({ issuer: M1, keys: issuerPrivate });
  jwks = await serveJwks(() => signer.jwks());
  verifier = createVerifier({
    issuers: { [M1]: { jwksUri: jwks.url, allowInsecureHttp: true } },
    audience: M2,
    replay: { store: createMemoryReplayStore(), required: false },
    httpSignature: { key: 'issuer' },
  });
  service = await listen(
    createServer(async (req, res) => {
      const raw = await readRaw(req);
      try {
        await verifier.verify({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: new Uint8Array(raw),
        });
      } catch (err) {
        const refusal = errorResponse(toServiceJwtError(err));
        res.writeHead(refusal.status, { ...refusal.headers, 'content-type': 'application/json' });
        res.end(JSON.stringify(refusal.body));
        return;
      }
      const body = JSON.stringify({ echoed: raw.length });
      const added: Record<string, string> = { ...signFor(req, body) };
      if (answer === 'previous' && previous !== undefined) Object.assign(added, previous);
      if (answer === 'stale') Object.assign(added, signFor(req, body, Date.now() - 3_600_000));
      if (answer === 'unsigned') {
        delete added.signature;
        delete added['signature-input'];
      }
      previous = signFor(req, body);
      res.writeHead(200, { 'content-type': 'application/json', ...added });
      res.end(answer === 'body-changed' ? body.replace('echoed', 'echoes') : body);
    }),
  );
});
afterEach(() => {
  answer = 'signed';
});
afterAll(async () => {
  await service.close();
  await verifier.close();
  await jwks.close();
});

function callM2(options: { verifyResponse?: unknown; key?: unknown; maxBodyBytes?: number } = {}) {
  const {
    key = issuerPrivate,
    verifyResponse = { key: serviceKey.publicKey },
    maxBodyBytes,
  } = options;
  return createServiceFetch({
    signer,
    audience: M2,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    httpSignature: { key, verifyResponse } as never,
  });
}

describe('signed responses end to end', () => {
  it('accepts the signed answer and hands back its exact body', async () => {
    const response = await callM2()(`${service.url}/orders?id=7`, {
      method: 'POST',
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('signature-input')).toContain('"signature";req');
    await expect(response.json()).resolves.toEqual({ echoed: 7 });
  });

  it('accepts a signed answer to a GET', async () => {
    const response = await callM2()(`${service.url}/orders`);
    await expect(response.json()).resolves.toEqual({ echoed: 0 });
  });

  it.each([
    ['an unsigned answer', 'unsigned'],
    ['a body changed after signing', 'body-changed'],
    ['the signed answer to an earlier request', 'previous'],
    ["another key's signature", 'stranger'],
    ['a signature an hour old', 'stale'],
  ] as const)('refuses %s → http_signature_response_invalid', async (_name, mode) => {
    const call = callM2();
    await (await call(`${service.url}/orders`)).arrayBuffer();
    answer = mode;
    await expectCode(call(`${service.url}/orders`), 'http_signature_response_invalid');
  });

  it('passes an unsigned refusal through: the service did not accept the request', async () => {
    // The route checks the issuer's key; a proof key's signature is refused, unsigned.
    const response = await callM2({ key: 'proof' })(`${service.url}/orders`);
    expect(response.status).toBe(401);
    expect(response.headers.get('signature')).toBeNull();
    await expect(response.json()).resolves.toMatchObject({ code: 'http_signature_invalid' });
  });

  it('refuses a signed response body over maxBodyBytes', async () => {
    await expectCode(callM2({ maxBodyBytes: 4 })(`${service.url}/orders`), 'configuration_error');
  });
});

describe('httpSignature.verifyResponse option', () => {
  it.each([
    [{}, 'httpSignature.verifyResponse must be'],
    [{ key: 'not a key' }, 'httpSignature.verifyResponse.key is not a public key'],
    [{ key: serviceKey.publicKey, maxAge: 0 }, 'httpSignature.verifyResponse.maxAge'],
    [{ key: serviceKey.publicKey, algorithm: 'ecdsa-p256-sha256' }, 'cannot verify'],
  ])('refuses %p at creation, naming the option', (verifyResponse, message) => {
    expect(() => callM2({ verifyResponse })).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringContaining(message),
      }),
    );
  });
});
