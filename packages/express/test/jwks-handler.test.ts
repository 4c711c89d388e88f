import { generateKeyPairSync } from 'node:crypto';
import { createSigner, type ServiceJwtError, type ServiceJwtSigner } from '@service-jwt/core';
import request from 'supertest';
import { jwksHandler, requireServiceJwt } from '../src/index.js';
import { listen, MAJORS } from './helpers.js';

const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';

let signer: ServiceJwtSigner;

beforeAll(() => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signer = createSigner({ issuer: ISSUER, keys: privateKey });
});

describe.each(MAJORS)('%s: jwksHandler', (_name, express) => {
  it('serves the public key set at /.well-known/jwks.json with cache headers', async () => {
    const app = express();
    app.use(jwksHandler(signer));
    const response = await request(app).get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const body = JSON.parse(response.text) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(body.keys[0]).not.toHaveProperty('d');
  });

  it('answers HEAD, passes other methods and paths on, honours path and maxAge', async () => {
    const app = express();
    app.use(jwksHandler(signer, { path: '/keys', maxAge: 60 }));
    app.use((_req, res) => {
      res.status(404).json({ passed: true });
    });
    const head = await request(app).head('/keys');
    expect(head.status).toBe(200);
    expect(head.headers['cache-control']).toBe('public, max-age=60');
    expect((await request(app).post('/keys')).body).toEqual({ passed: true });
    expect((await request(app).get('/.well-known/jwks.json')).body).toEqual({ passed: true });
  });

  it('publishes keys a verifier fetches to accept the signer’s tokens', async () => {
    const keys = express();
    keys.use(jwksHandler(signer));
    const published = await listen(keys);
    try {
      const app = express();
      app.use(
        requireServiceJwt({
          issuers: {
            [ISSUER]: {
              jwksUri: `${published.url}/.well-known/jwks.json`,
              allowInsecureHttp: true,
            },
          },
          audience: AUDIENCE,
        }),
      );
      app.get('/me', (req, res) => {
        res.json({ issuer: req.serviceJwt?.issuer });
      });
      const token = await signer.sign({}, { audience: AUDIENCE });
      const response = await request(app).get('/me').set('authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ issuer: ISSUER });
    } finally {
      await published.close();
    }
  });
});

describe('jwksHandler options', () => {
  it.each([
    ['a relative path', { path: 'jwks.json' }],
    ['a negative maxAge', { maxAge: -1 }],
  ])('refuses %s with configuration_error', (_label, options) => {
    let caught: unknown;
    try {
      jwksHandler(signer, options);
    } catch (err) {
      caught = err;
    }
    expect((caught as ServiceJwtError | undefined)?.code).toBe('configuration_error');
  });
});
