import type { KeyObject } from 'node:crypto';
import {
  createMemoryReplayStore,
  createServiceFetch,
  createSigner,
  createVerifier,
  generateKeyPair,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import {
  type Loopback,
  type Received,
  sendRaw,
  startProtectedService,
} from '../signer/http-fixtures.js';

// createServiceFetch({ httpSignature }) against a verifier route in the mode, over loopback
// HTTP: a proof key per token (cnf) and the issuer's own key; what went on the wire replayed
// or changed by one byte.
const M1 = 'https://m1.test/';
const M2 = 'https://m2.test/';
const BODY = JSON.stringify({ order: 7, note: 'Zürich' });

let jwks: JwksServer;
let verifier: ServiceJwtVerifier;
let services: Loopback[] = [];
let issuerKey: Awaited<ReturnType<typeof generateKeyPair>>;
let signer: ReturnType<typeof createSigner>;

beforeAll(async () => {
  issuerKey = await generateKeyPair('ES256');
  signer = createSigner({ issuer: M1, keys: issuerKey.privateKey });
  jwks = await serveJwks(() => signer.jwks());
  verifier = createVerifier({
    issuers: { [M1]: { jwksUri: jwks.url, allowInsecureHttp: true } },
    audience: M2,
    replay: { store: createMemoryReplayStore(), required: false },
  });
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  services = [];
  await verifier.close();
  await jwks.close();
});

async function serve(route: Parameters<ServiceJwtVerifier['forRoute']>[0]) {
  const received: Received[] = [];
  const service = await startProtectedService(verifier.forRoute(route), received);
  services.push(service);
  return { service, received };
}

type FetchSigning = () => true | { key: KeyObject };
const proofSigning: FetchSigning = () => true;
const issuerSigning: FetchSigning = () => ({ key: issuerKey.privateKey });

describe.each([
  ['a proof key per token (cnf)', { key: 'cnf' as const }, proofSigning],
  ["the issuer's key", { key: 'issuer' as const }, issuerSigning],
])('createServiceFetch with httpSignature: %s', (_, route, fetchOption) => {
  it('signs the exact bytes sent; the verifier accepts them once', async () => {
    const { service, received } = await serve({ httpSignature: route });
    const call = createServiceFetch({ signer, audience: M2, httpSignature: fetchOption() });
    const first = await call(`${service.url}/orders?id=7`, { method: 'POST', body: BODY });
    expect(first.status).toBe(200);
    const second = await call(`${service.url}/orders?id=8`);
    expect(second.status).toBe(200);
    const sent = received[0]!;
    expect(sent.headers['content-digest']).toMatch(/^sha-256=:[A-Za-z0-9+/]+=:$/);
    expect(sent.headers['signature-input']).toContain(';tag="service-jwt"');
    // The same token served both requests: the signature is what is one-time.
    expect(received[1]!.headers.authorization).toBe(sent.headers.authorization);

    const again = await sendRaw(Number(new URL(service.url).port), sent);
    expect(JSON.parse(again.body.toString()).code).toBe('http_signature_replayed');
    const flipped = Buffer.from(sent.body);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    const changed = await sendRaw(Number(new URL(service.url).port), { ...sent, body: flipped });
    expect(changed.status).toBe(401);
    expect(JSON.parse(changed.body.toString()).code).toBe('content_digest_mismatch');
  });

  it('signs multipart bodies as fetch serialises them', async () => {
    const { service } = await serve({ httpSignature: route });
    const call = createServiceFetch({ signer, audience: M2, httpSignature: fetchOption() });
    const form = new FormData();
    form.set('file', new Blob([Buffer.from([0, 1, 2, 255])]), 'a.bin');
    const response = await call(`${service.url}/upload`, { method: 'PUT', body: form });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { bytes: number }).bytes).toBeGreaterThan(4);
  });
});

describe('createServiceFetch httpSignature options', () => {
  it('refuses bind together with httpSignature, and a bad lifetime', () => {
    expect(() =>
      createServiceFetch({ signer, audience: M2, bind: true, httpSignature: true }),
    ).toThrow(expect.objectContaining({ code: 'configuration_error' }));
    expect(() =>
      createServiceFetch({ signer, audience: M2, httpSignature: { lifetime: 0 } }),
    ).toThrow(
      expect.objectContaining({ message: expect.stringContaining('httpSignature.lifetime') }),
    );
  });

  it('a proof-key signature does not pass a route that wants the issuer key', async () => {
    const { service } = await serve({ httpSignature: { key: 'issuer' } });
    const call = createServiceFetch({ signer, audience: M2, httpSignature: true });
    const response = await call(`${service.url}/orders`, { method: 'POST', body: BODY });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('http_signature_invalid');
  });
});
