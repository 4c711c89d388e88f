import { createVerifier, type ServiceJwtError, type VerifierOptions } from '@service-jwt/core';
import {
  createTestIssuer,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import type { ErrorRequestHandler, Request, Response } from 'express';
import request from 'supertest';
import { type ExpressServiceJwtOptions, requireServiceJwt, serviceJwt } from '../src/index.js';
import { MAJORS } from './helpers.js';

const AUDIENCE = 'https://census.test/';
const ORDERS = 'https://orders.census.test/';

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = { issuers: { [issuer.issuer]: issuer.keys }, audience: AUDIENCE };
});

function whoami(req: Request, res: Response): void {
  res.json({
    issuer: req.serviceJwt?.issuer,
    subject: req.serviceJwt?.subject,
    aud: req.serviceJwt?.claims.aud,
  });
}

function expectConfigurationError(make: () => unknown): void {
  let caught: unknown;
  try {
    make();
  } catch (err) {
    caught = err;
  }
  expect((caught as ServiceJwtError | undefined)?.code).toBe('configuration_error');
}

describe.each(MAJORS)('%s: requireServiceJwt', (_name, express) => {
  it('app.use(requireServiceJwt(options)) attaches req.serviceJwt', async () => {
    const app = express();
    app.use(requireServiceJwt(options));
    app.get('/me', whoami);
    const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'user-7' });
    const response = await request(app).get('/me').set('authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ issuer: issuer.issuer, subject: 'user-7', aud: AUDIENCE });
  });

  it('gives each request its own req.serviceJwt, readable in a mounted sub-app', async () => {
    const app = express();
    const sub = express();
    app.use(requireServiceJwt(options));
    // The sub-app gives the request its own prototype (`sub.request`) while it runs.
    sub.get('/me', whoami);
    app.use('/sub', sub);
    const ask = async (subject: string) => {
      const token = await issuer.sign({}, { audience: AUDIENCE, subject });
      return request(app).get('/sub/me').set('authorization', `Bearer ${token}`);
    };
    const [first, second] = await Promise.all([ask('user-1'), ask('user-2')]);
    expect(first.body).toEqual({ issuer: issuer.issuer, subject: 'user-1', aud: AUDIENCE });
    expect(second.body).toEqual({ issuer: issuer.issuer, subject: 'user-2', aud: AUDIENCE });
  });

  it('answers failures itself with status, WWW-Authenticate, no-store and { error, code, message }', async () => {
    const app = express();
    app.use(requireServiceJwt(options));
    app.get('/me', whoami);
    const response = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${await issuer.expired(AUDIENCE)}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer realm="service-jwt", error="invalid_token"/,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      error: 'invalid_token',
      code: 'token_expired',
      message: expect.any(String),
    });
  });

  it('uses the configured realm', async () => {
    const app = express();
    app.use(requireServiceJwt({ ...options, realm: 'census' }));
    app.get('/me', whoami);
    const response = await request(app).get('/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="census"');
  });

  it("onError: 'throw' hands the ServiceJwtError to the app's error handler", async () => {
    const app = express();
    app.use(requireServiceJwt({ ...options, onError: 'throw', realm: 'census' }));
    app.get('/me', whoami);
    const handler: ErrorRequestHandler = (err, _req, res, _next) => {
      res
        .status(err.statusCode)
        .set(err.headers)
        .json({ custom: true, code: err.code, status: err.status, name: err.name });
    };
    app.use(handler);
    const response = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${await issuer.wrongSource(AUDIENCE)}`);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer realm="census", error="insufficient_scope"/,
    );
    expect(response.body).toEqual({
      custom: true,
      code: 'source_mismatch',
      status: 403,
      name: 'ServiceJwtError',
    });
  });

  it("onError: 'throw' without an error handler falls back to Express's default status", async () => {
    const app = express();
    app.use(requireServiceJwt({ ...options, onError: 'throw' }));
    app.get('/me', whoami);
    const response = await request(app).get('/me');
    expect(response.status).toBe(401);
  });

  it('reuses a verifier with per-route overrides ({ verifier, audience })', async () => {
    const verifier = createVerifier(options);
    const app = express();
    app.get('/orders', requireServiceJwt({ verifier, audience: ORDERS }), whoami);
    app.get('/census', requireServiceJwt({ verifier }), whoami);
    const ordersToken = await issuer.sign({}, { audience: ORDERS });
    const ok = await request(app).get('/orders').set('authorization', `Bearer ${ordersToken}`);
    expect(ok.status).toBe(200);
    const refused = await request(app).get('/census').set('authorization', `Bearer ${ordersToken}`);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('audience_mismatch');
    await verifier.close();
  });

  it('serviceJwt(options) applies per-route callers and claims', async () => {
    const auth = serviceJwt(options);
    const app = express();
    app.get('/admin', auth({ claims: { role: 'admin' } }), whoami);
    app.get('/others', auth({ callers: { issuers: ['https://someone-else.test/'] } }), whoami);
    const admin = await issuer.sign({ role: 'admin' }, { audience: AUDIENCE });
    const reader = await issuer.sign({ role: 'reader' }, { audience: AUDIENCE });
    expect((await request(app).get('/admin').set('authorization', `Bearer ${admin}`)).status).toBe(
      200,
    );
    const refused = await request(app).get('/admin').set('authorization', `Bearer ${reader}`);
    expect([refused.status, refused.body.code]).toEqual([403, 'claim_check_failed']);
    const caller = await request(app).get('/others').set('authorization', `Bearer ${admin}`);
    expect([caller.status, caller.body.code]).toEqual([403, 'caller_not_allowed']);
  });

  describe('request binding uses req.originalUrl', () => {
    function mountedApp() {
      const app = express();
      const router = express.Router();
      router.use(requireServiceJwt(options));
      router.get('/items', whoami);
      app.use('/api', router);
      return app;
    }

    it('accepts htu signed over the full target under a router prefix', async () => {
      const token = await issuer.signRequest({
        method: 'GET',
        url: '/api/items?page=2',
        audience: AUDIENCE,
      });
      const response = await request(mountedApp())
        .get('/api/items?page=2')
        .set('authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
    });

    it('refuses a token signed for another target or method', async () => {
      const other = await issuer.signRequest({
        method: 'GET',
        url: '/api/other',
        audience: AUDIENCE,
      });
      const refused = await request(mountedApp())
        .get('/api/items')
        .set('authorization', `Bearer ${other}`);
      expect([refused.status, refused.body.code]).toEqual([401, 'request_binding_mismatch']);
      const post = await issuer.signRequest({
        method: 'POST',
        url: '/api/items',
        audience: AUDIENCE,
      });
      const wrongMethod = await request(mountedApp())
        .get('/api/items')
        .set('authorization', `Bearer ${post}`);
      expect([wrongMethod.status, wrongMethod.body.code]).toEqual([
        401,
        'request_binding_mismatch',
      ]);
    });
  });

  describe('one shared factory, two audiences', () => {
    let jwks: JwksServer;

    beforeAll(async () => {
      jwks = await serveJwks(issuer);
    });
    afterAll(async () => {
      await jwks.close();
    });

    it('fetches the JWKS once for both routes', async () => {
      const auth = serviceJwt({
        issuers: { [issuer.issuer]: { jwksUri: jwks.url, allowInsecureHttp: true } },
        audience: AUDIENCE,
      });
      const app = express();
      app.get('/census', auth(), whoami);
      app.get('/orders', auth({ audience: ORDERS }), whoami);
      const before = jwks.requests;
      const census = await issuer.sign({}, { audience: AUDIENCE });
      const orders = await issuer.sign({}, { audience: ORDERS });
      const responses = await Promise.all([
        request(app).get('/census').set('authorization', `Bearer ${census}`),
        request(app).get('/orders').set('authorization', `Bearer ${orders}`),
        request(app).get('/orders').set('authorization', `Bearer ${orders}`),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      const again = await request(app).get('/census').set('authorization', `Bearer ${census}`);
      expect(again.status).toBe(200);
      expect(jwks.requests - before).toBe(1);
    });
  });
});

describe('options are validated at construction', () => {
  it('refuses an unknown onError', () => {
    expectConfigurationError(() =>
      requireServiceJwt({ ...options, onError: 'ignore' } as unknown as ExpressServiceJwtOptions),
    );
  });

  it('refuses an empty realm', () => {
    expectConfigurationError(() => requireServiceJwt({ ...options, realm: '' }));
  });

  it('refuses a verifier that is not one', () => {
    expectConfigurationError(() =>
      requireServiceJwt({ verifier: {} } as unknown as ExpressServiceJwtOptions),
    );
  });

  it('refuses issuers next to a verifier', () => {
    const verifier = createVerifier(options);
    expectConfigurationError(() =>
      requireServiceJwt({ verifier, issuers: {} } as unknown as ExpressServiceJwtOptions),
    );
  });

  it("passes core's validation through (missing audience)", () => {
    expectConfigurationError(() =>
      requireServiceJwt({ issuers: options.issuers } as unknown as ExpressServiceJwtOptions),
    );
  });

  it('validates route overrides when the route middleware is made', () => {
    const auth = serviceJwt(options);
    expectConfigurationError(() => auth({ audience: 42 as unknown as string }));
  });
});
