// The wrapper itself: cold start, the event it hands on, errors, options.
import { createVerifier, ServiceJwtError, type VerifierOptions } from '@service-jwt/core';
import {
  createTestIssuer,
  createTestVerifierOptions,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import { withServiceJwt } from '../src/index.js';
import { httpApiEvent, lambdaContext, restApiEvent } from './events.js';
import {
  AUDIENCE,
  bearer,
  echo,
  expectConfigurationError,
  expectError,
  now,
  okResult,
  startVerifyMode,
} from './helpers.js';

let issuer: TestIssuer;
let jwks: JwksServer;
let options: VerifierOptions;

beforeAll(async () => {
  ({ issuer, jwks, options } = await startVerifyMode());
});
afterAll(() => jwks.close());

describe('the wrapper', () => {
  it('creates the verifier once per container: one JWKS fetch for many invocations', async () => {
    const coldIssuer = await createTestIssuer({ issuer: 'https://cold.service/', now });
    const coldJwks = await serveJwks(coldIssuer);
    try {
      // What module scope does: wrap once, then the runtime invokes the handler again and again.
      const handler = withServiceJwt(
        createTestVerifierOptions(coldIssuer, coldJwks, { audience: AUDIENCE, now }),
        echo,
      );
      expect(coldJwks.requests).toBe(0);
      for (let i = 0; i < 40; i++) {
        const token = await coldIssuer.signRequest({
          method: 'POST',
          url: '/prod/n',
          body: `${i}`,
          audience: AUDIENCE,
          subject: `u-${i}`,
        });
        const request = {
          method: 'POST',
          path: '/n',
          headers: { ...bearer(token), 'content-type': 'text/plain' },
          body: `${i}`,
        };
        const event =
          i % 2 === 0 ? restApiEvent(request) : httpApiEvent({ ...request, path: '/prod/n' });
        expect(await handler(event, lambdaContext())).toEqual(
          okResult({ issuer: coldIssuer.issuer, subject: `u-${i}` }),
        );
      }
      expect(coldJwks.requests).toBe(1);
    } finally {
      await coldJwks.close();
    }
  });

  it('a forged serviceJwt on the incoming event is never trusted', async () => {
    const forged = {
      ...httpApiEvent({ method: 'GET', path: '/' }),
      serviceJwt: { issuer: 'https://evil/' },
    };
    expectError(
      await withServiceJwt(options, echo)(forged, lambdaContext()),
      401,
      'token_missing',
      'bare',
    );
    const token = await issuer.sign({}, { audience: AUDIENCE, subject: 's' });
    const real = {
      ...httpApiEvent({ method: 'GET', path: '/', headers: bearer(token) }),
      serviceJwt: { issuer: 'https://evil/' },
    };
    expect(await withServiceJwt(options, echo)(real, lambdaContext())).toEqual(
      okResult({ issuer: issuer.issuer, subject: 's' }),
    );
  });

  it('errors thrown by the handler pass through untouched', async () => {
    const boom = new Error('handler failed');
    const handler = withServiceJwt(options, async () => {
      throw boom;
    });
    const token = await issuer.sign({}, { audience: AUDIENCE });
    await expect(
      handler(httpApiEvent({ method: 'GET', path: '/', headers: bearer(token) }), lambdaContext()),
    ).rejects.toBe(boom);
  });

  it("onError: 'throw' rejects with the ServiceJwtError; realm goes into WWW-Authenticate", async () => {
    const thrower = withServiceJwt({ ...options, onError: 'throw' }, echo);
    await expect(
      thrower(httpApiEvent({ method: 'GET', path: '/' }), lambdaContext()),
    ).rejects.toMatchObject({ code: 'token_missing', status: 401 });
    const realmThrower = withServiceJwt({ ...options, onError: 'throw', realm: 'census' }, echo);
    const thrown = await realmThrower(
      httpApiEvent({ method: 'GET', path: '/' }),
      lambdaContext(),
    ).catch((err: unknown) => err);
    expect((thrown as ServiceJwtError).headers['www-authenticate']).toBe('Bearer realm="census"');
    const realm = withServiceJwt({ ...options, realm: 'census' }, echo);
    const result = await realm(
      httpApiEvent({ method: 'GET', path: '/', headers: bearer(await issuer.expired(AUDIENCE)) }),
      lambdaContext(),
    );
    expectError(result, 401, 'token_expired', 'invalid_token');
    expect((result as { headers: Record<string, string> }).headers['www-authenticate']).toMatch(
      /^Bearer realm="census", /,
    );
  });

  it('an event that is not an API Gateway proxy event → 500 configuration_error', async () => {
    const handler = withServiceJwt(options, echo);
    expectError(
      await handler({ Records: [] } as never, lambdaContext()),
      500,
      'configuration_error',
      null,
    );
  });

  it('reuses a verifier with route overrides (one key cache)', async () => {
    const verifier = createVerifier(options);
    const admin = withServiceJwt({ verifier, claims: { role: 'admin' } }, echo);
    const reader = await issuer.sign({ role: 'reader' }, { audience: AUDIENCE });
    expectError(
      await admin(
        httpApiEvent({ method: 'GET', path: '/', headers: bearer(reader) }),
        lambdaContext(),
      ),
      403,
      'claim_check_failed',
      'insufficient_scope',
    );
    const adminToken = await issuer.sign({ role: 'admin' }, { audience: AUDIENCE });
    expect(
      await admin(
        httpApiEvent({ method: 'GET', path: '/', headers: bearer(adminToken) }),
        lambdaContext(),
      ),
    ).toMatchObject({ statusCode: 200 });
    await verifier.close();
  });

  it('validates options at construction, naming the option', () => {
    expectConfigurationError(
      () => withServiceJwt({ ...options, mode: 'gateway' } as never, echo),
      'options.mode',
    );
    expectConfigurationError(
      () => withServiceJwt({ ...options, onError: 'log' } as never, echo),
      'options.onError',
    );
    expectConfigurationError(
      () => withServiceJwt({ ...options, realm: 'a"b' }, echo),
      'options.realm',
    );
    expectConfigurationError(
      () => withServiceJwt({ verifier: {} } as never, echo),
      'options.verifier',
    );
    const verifier = createVerifier(options);
    expectConfigurationError(
      () => withServiceJwt({ verifier, issuers: {} } as never, echo),
      'options.issuers',
    );
    expectConfigurationError(
      () => withServiceJwt({ ...options, audience: undefined } as never, echo),
      'audience',
    );
    expectConfigurationError(() => withServiceJwt(options, 'handler' as never), 'handler');
    // Misspelt names: the adapter's own, core's, and beside a shared verifier the route's.
    expectConfigurationError(
      () => withServiceJwt({ ...options, onEror: 'throw' } as never, echo),
      'options.onEror is not an option; did you mean onError?',
    );
    expectConfigurationError(
      () => withServiceJwt({ ...options, mod: 'verify' } as never, echo),
      'did you mean mode?',
    );
    expectConfigurationError(
      () => withServiceJwt({ verifier, audiance: 'x' } as never, echo),
      'options.audiance is not an option; did you mean audience?',
    );
    expectConfigurationError(
      () => withServiceJwt({ verifier, audience: '' }, echo),
      'options.audience',
    );
    expect(() => withServiceJwt(null as never, echo)).toThrow(ServiceJwtError);
  });
});
