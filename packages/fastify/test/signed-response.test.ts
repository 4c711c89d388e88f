import { Readable } from 'node:stream';
import {
  expectSignedAnswer,
  signedAnswerOptions,
  signedRequestHeaders,
} from '@service-jwt/conformance';
import type { FastifyInstance } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

// How the Fastify adapter signs an answer (the route's last onSend hook): over the payload
// that goes out; a stream payload is read in full and signed.
describe.each(MAJORS)('%s: signed answers', (_name, create) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = create();
    await app.register(serviceJwt, { ...signedAnswerOptions(), global: true });
    app.get('/s', async (_request, reply) => {
      reply.code(201).type('text/plain');
      return reply.send(Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    });
  });
  afterAll(() => app.close());

  it('reads a stream payload in full and signs those bytes with the status', async () => {
    const headers = await signedRequestHeaders('GET', '/s');
    const response = await send(app, { method: 'GET', url: '/s', headers });
    expect(response.statusCode).toBe(201);
    expect(response.body).toBe('stream');
    expectSignedAnswer(
      { status: 201, headers: response.headers, body: response.body },
      { method: 'GET', url: '/s', headers },
    );
  });
});
