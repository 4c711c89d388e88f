import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  createMemoryReplayStore,
  createSigner,
  signHttpRequest,
  verifyHttpResponse,
} from '@service-jwt/core';
import { serviceJwt } from '../src/index.js';
import { KOA_VERSIONS, listen, type RunningApp } from './helpers.js';

// How the Koa adapter signs an answer (src/signed-response.ts): after the downstream
// middleware, over the bytes Koa sends; a stream body is read in full and signed.
const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceKey = generateKeyPairSync('ed25519');
const signer = createSigner({ issuer: ISSUER, keys: issuerKey.privateKey });

describe.each(KOA_VERSIONS)('%s: signed answers', (_name, Koa) => {
  let app: RunningApp;
  beforeAll(async () => {
    const auth = serviceJwt({
      issuers: { [ISSUER]: { publicKey: issuerKey.publicKey } },
      audience: AUDIENCE,
      replay: createMemoryReplayStore(),
      httpSignature: { key: 'issuer', signResponse: { key: serviceKey.privateKey } },
    });
    const koa = new Koa();
    koa.use(auth());
    koa.use((ctx) => {
      ctx.status = 201;
      ctx.type = 'text/plain';
      ctx.body = Readable.from([Buffer.from('str'), Buffer.from('eam')]);
    });
    app = await listen(koa);
  });
  afterAll(() => app.close());

  it('reads a stream body in full and signs those bytes with the status', async () => {
    const headers = { authorization: `Bearer ${await signer.tokenFor(AUDIENCE)}` };
    Object.assign(
      headers,
      signHttpRequest({ method: 'GET', url: '/s', headers }, { key: issuerKey.privateKey }),
    );
    const response = await app.send({ method: 'GET', path: '/s', headers });
    expect(response.status).toBe(201);
    expect(response.body).toBe('stream');
    expect(() =>
      verifyHttpResponse(
        { status: 201, headers: response.headers, body: Buffer.from(response.body) },
        { method: 'GET', url: '/s', headers },
        { key: serviceKey.publicKey },
      ),
    ).not.toThrow();
  });
});
