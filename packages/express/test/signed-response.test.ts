import { generateKeyPairSync } from 'node:crypto';
import {
  createMemoryReplayStore,
  createSigner,
  signHttpRequest,
  verifyHttpResponse,
} from '@service-jwt/core';
import type { Request, Response } from 'express';
import request from 'supertest';
import { serviceJwt } from '../src/index.js';
import { MAJORS } from './helpers.js';

// How the Express adapter holds back an answer to sign it (src/signed-response.ts): chunks
// written one by one are signed as one body; an answer whose headers were sent early
// (explicit writeHead) goes out unsigned, which a checking caller refuses.
const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceKey = generateKeyPairSync('ed25519');
const signer = createSigner({ issuer: ISSUER, keys: issuerKey.privateKey });

async function signedGet(path: string) {
  const headers = { authorization: `Bearer ${await signer.tokenFor(AUDIENCE)}` };
  return {
    headers: {
      ...headers,
      ...signHttpRequest({ method: 'GET', url: path, headers }, { key: issuerKey.privateKey }),
    },
  };
}

describe.each(MAJORS)('express %s: signed answers', (_major, express) => {
  const auth = serviceJwt({
    issuers: { [ISSUER]: { publicKey: issuerKey.publicKey } },
    audience: AUDIENCE,
    replay: createMemoryReplayStore(),
    httpSignature: { key: 'issuer', signResponse: { key: serviceKey.privateKey } },
  });
  const app = express();
  app.get('/chunks', auth(), (_req: Request, res: Response) => {
    res.status(202).type('text/plain');
    res.write('a');
    res.write(Buffer.from('b'));
    res.end('c');
  });
  app.get('/early', auth(), (_req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('x');
  });

  it('signs the status and the whole body written in chunks', async () => {
    const sent = await signedGet('/chunks');
    const response = await request(app).get('/chunks').set(sent.headers);
    expect(response.status).toBe(202);
    expect(response.text).toBe('abc');
    expect(() =>
      verifyHttpResponse(
        { status: 202, headers: response.headers, body: Buffer.from('abc') },
        { method: 'GET', url: '/chunks', headers: sent.headers },
        { key: serviceKey.publicKey },
      ),
    ).not.toThrow();
  });

  it('sends an answer whose headers went out early unsigned', async () => {
    const response = await request(app)
      .get('/early')
      .set((await signedGet('/early')).headers);
    expect(response.status).toBe(200);
    expect(response.text).toBe('x');
    expect(response.headers.signature).toBeUndefined();
  });
});
