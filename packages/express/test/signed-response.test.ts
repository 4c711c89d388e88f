import {
  expectSignedAnswer,
  signedAnswerOptions,
  signedRequestHeaders,
} from '@service-jwt/conformance';
import type { Request, Response } from 'express';
import request from 'supertest';
import { serviceJwt } from '../src/index.js';
import { MAJORS } from './helpers.js';

// How the Express adapter holds back an answer to sign it (src/signed-response.ts): chunks
// written one by one are signed as one body; an answer whose headers were sent early
// (explicit writeHead) goes out unsigned, which a checking caller refuses.
describe.each(MAJORS)('express %s: signed answers', (_major, express) => {
  const auth = serviceJwt(signedAnswerOptions());
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
    const headers = await signedRequestHeaders('GET', '/chunks');
    const response = await request(app).get('/chunks').set(headers);
    expect(response.status).toBe(202);
    expect(response.text).toBe('abc');
    expectSignedAnswer(
      { status: 202, headers: response.headers, body: response.text },
      { method: 'GET', url: '/chunks', headers },
    );
  });

  it('sends an answer whose headers went out early unsigned', async () => {
    const headers = await signedRequestHeaders('GET', '/early');
    const response = await request(app).get('/early').set(headers);
    expect(response.status).toBe(200);
    expect(response.text).toBe('x');
    expect(response.headers.signature).toBeUndefined();
  });
});
