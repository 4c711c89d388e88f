import {
  createServiceFetch,
  createSigner,
  createVerifier,
  generateKeyPair,
  type ServiceJwtSigner,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { decodeJwt } from 'jose';
import { type Loopback, type Received, startProtectedService } from './http-fixtures.js';

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
let signer: ServiceJwtSigner;
let bound: ServiceJwtVerifier;
let service: Loopback;
const received: Received[] = [];

beforeAll(async () => {
  signer = createSigner({ issuer: ISS, keys: (await generateKeyPair('EdDSA')).privateKey });
  bound = createVerifier({
    issuers: { [ISS]: { keys: signer.jwks() } },
    audience: AUD,
    bodyHash: { required: true },
    requestBinding: { required: true },
  });
  service = await startProtectedService(bound, received);
});
afterAll(async () => {
  await service.close();
  await bound.close();
});
beforeEach(() => {
  received.length = 0;
});

const last = () => received[received.length - 1] as Received;

describe('createServiceFetch({ bind: true })', () => {
  const bodies: [string, () => NonNullable<RequestInit['body']>][] = [
    ['a string', () => '{"order":1,"note":"ünïcode"}'],
    ['a Uint8Array', () => new Uint8Array([0, 1, 2, 255, 254])],
    ['an ArrayBuffer', () => new Uint8Array([9, 8, 7]).buffer],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'x y' })],
    ['a Blob', () => new Blob(['blob-bytes'], { type: 'application/octet-stream' })],
    [
      'FormData',
      () => {
        const form = new FormData();
        form.set('field', 'value');
        return form;
      },
    ],
    [
      'a ReadableStream',
      () =>
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('chunk-1,'));
            controller.enqueue(new TextEncoder().encode('chunk-2'));
            controller.close();
          },
        }),
    ],
  ];

  it.each(bodies)('signs and sends exactly the bytes of %s', async (_name, body) => {
    const call = createServiceFetch({ signer, audience: AUD, bind: true, subject: 'user-9' });
    const response = await call(`${service.url}/orders?id=7`, { method: 'POST', body: body() });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'user-9' });
    const claims = decodeJwt(String(last().headers.authorization).slice(7));
    expect(claims).toMatchObject({ htm: 'POST', htu: '/orders?id=7', sub: 'user-9' });
  });

  it('keeps the Content-Type that goes with the bytes', async () => {
    const call = createServiceFetch({ signer, audience: AUD, bind: true });
    await call(`${service.url}/f`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(last().headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new FormData();
    form.set('f', 'v');
    await call(`${service.url}/f`, { method: 'POST', body: form });
    const boundary = /boundary=(.+)$/.exec(String(last().headers['content-type']))?.[1];
    expect(last().body.toString()).toContain(String(boundary));
  });

  it('binds GETs (empty body) and Request inputs, one token per call', async () => {
    const call = createServiceFetch({ signer, audience: AUD, bind: true });
    expect((await call(`${service.url}/a`)).status).toBe(200);
    const first = last().headers.authorization;
    expect((await call(new Request(`${service.url}/a`, { method: 'PUT', body: 'x' }))).status).toBe(
      200,
    );
    expect(last().method).toBe('PUT');
    expect(last().headers.authorization).not.toBe(first);
  });

  it('refuses a preset Authorization header and a body over maxBodyBytes', async () => {
    const call = createServiceFetch({ signer, audience: AUD, bind: true, maxBodyBytes: 4 });
    await expect(
      call(`${service.url}/a`, { headers: { authorization: 'Bearer x' } }),
    ).rejects.toMatchObject({ code: 'configuration_error' });
    await expect(call(`${service.url}/a`, { method: 'POST', body: '12345' })).rejects.toMatchObject(
      {
        code: 'configuration_error',
      },
    );
    expect(received).toHaveLength(0);
  });
});

describe('createServiceFetch (static token)', () => {
  it('sends the cached tokenFor token and leaves the body alone', async () => {
    const verifier = createVerifier({ issuers: { [ISS]: { keys: signer.jwks() } }, audience: AUD });
    const plain = await startProtectedService(verifier, received);
    try {
      const call = createServiceFetch({ signer, audience: AUD });
      expect((await call(`${plain.url}/x`, { method: 'POST', body: 'abc' })).status).toBe(200);
      expect((await call(`${plain.url}/y`)).status).toBe(200);
      expect(received[0]?.headers.authorization).toBe(`Bearer ${await signer.tokenFor(AUD)}`);
      expect(received[1]?.headers.authorization).toBe(received[0]?.headers.authorization);
      expect(received[0]?.body.toString()).toBe('abc');
      // The bound service refuses the static token: it carries no bdy/htm/htu.
      expect((await call(`${service.url}/x`)).status).toBe(401);
    } finally {
      await plain.close();
      await verifier.close();
    }
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const call = createServiceFetch({
      signer,
      audience: AUD,
      fetch: async (_input, init) => {
        seen.push(new Headers(init?.headers).get('authorization') ?? '');
        return new Response('ok');
      },
    });
    expect(await (await call('http://127.0.0.1:9/none')).text()).toBe('ok');
    expect(seen[0]).toMatch(/^Bearer ey/);
  });

  it.each([
    ['no signer', { audience: AUD }],
    ['an empty audience', { audience: '' }],
    ['a non-boolean bind', { audience: AUD, bind: 'yes' }],
    ['a negative maxBodyBytes', { audience: AUD, maxBodyBytes: -1 }],
  ])('refuses %s at creation', (_name, options) => {
    const withSigner = _name === 'no signer' ? options : { signer, ...options };
    expect(() => createServiceFetch(withSigner as never)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });
});
