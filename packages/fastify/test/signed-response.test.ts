import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  createMemoryReplayStore,
  createSigner,
  signHttpRequest,
  verifyHttpResponse,
} from '@service-jwt/core';
import type { FastifyInstance } from 'fastify';
import { serviceJwt } from '../src/index.js';
import { MAJORS, send } from './apps.js';

// How the Fastify adapter signs an answer (the route's last onSend hook): over the payload
// that goes out; a stream payload is read in full and signed.
const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceKey = generateKeyPairSync('ed25519');
const signer = createSigner({ issuer: ISSUER, keys: issuerKey.privateKey });

describe.each(MAJORS)('%s: signed answers', (_name, create) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = create();
    await app.register(serviceJwt, {
      issuers: { [ISSUER]: { publicKey: issuerKey.publicKey } },
      audience: AUDIENCE,
      replay: createMemoryReplayStore(),
      httpSignature: { key: 'issuer', signResponse: { key: serviceKey.privateKey } },
      global: true,
    });
    app.get('/s', async (_request, reply) => {
      reply.code(201).type('text/plain');
      return reply.send(Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    });
  });
  afterAll(() => app.close());

  it('reads a stream payload in full and signs those bytes with the status', async () => {
    const headers = { authorization: `Bearer ${await signer.tokenFor(AUDIENCE)}` };
    Object.assign(
      headers,
      signHttpRequest({ method: 'GET', url: '/s', headers }, { key: issuerKey.privateKey }),
    );
    const response = await send(app, { method: 'GET', url: '/s', headers });
    expect(response.statusCode).toBe(201);
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
