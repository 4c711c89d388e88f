import { Readable } from 'node:stream';
import {
  expectSignedAnswer,
  signedAnswerOptions,
  signedRequestHeaders,
} from '@service-jwt/conformance';
import { serviceJwt } from '../src/index.js';
import { KOA_VERSIONS, listen, type RunningApp } from './helpers.js';

// How the Koa adapter signs an answer (src/signed-response.ts): after the downstream
// middleware, over the bytes Koa sends; a stream body is read in full and signed.
describe.each(KOA_VERSIONS)('%s: signed answers', (_name, Koa) => {
  let app: RunningApp;
  beforeAll(async () => {
    const koa = new Koa();
    koa.use(serviceJwt(signedAnswerOptions())());
    koa.use((ctx) => {
      ctx.status = 201;
      ctx.type = 'text/plain';
      ctx.body = Readable.from([Buffer.from('str'), Buffer.from('eam')]);
    });
    app = await listen(koa);
  });
  afterAll(() => app.close());

  it('reads a stream body in full and signs those bytes with the status', async () => {
    const headers = await signedRequestHeaders('GET', '/s');
    const response = await app.send({ method: 'GET', path: '/s', headers });
    expect(response.status).toBe(201);
    expect(response.body).toBe('stream');
    expectSignedAnswer(
      { status: 201, headers: response.headers, body: response.body },
      { method: 'GET', url: '/s', headers },
    );
  });
});
