import { thrownBy } from '@service-jwt/conformance';
import { createVerifier, type ServiceJwtError } from '@service-jwt/core';
import {
  AUDIENCE,
  bearer,
  claimsAt,
  ISSUER,
  issuerConfig,
  makeKey,
  manualClock,
  mint,
  NOW,
  NOW_MS,
} from '../fixtures.js';
import { caught, type JwksServer, startJwksServer } from '../keys/jwks-server.js';
import { captureLogger } from './capture-logger.js';

const key = makeKey('ES256');
const GET = { method: 'GET' } as const;

describe('the logger option', () => {
  it('logs a 401 or 403 refusal at debug, with the facts and without the token', async () => {
    const logger = captureLogger();
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      now: () => NOW_MS,
      logger,
    });
    const token = mint(key, claimsAt({ aud: 'https://elsewhere.test', jti: 'j-9' }));
    await caught(verifier.verify(bearer(token, GET)));
    await caught(verifier.verify(bearer(mint(key, claimsAt({ source: 'user' })), GET)));
    expect(logger.lines.map((line) => [line.level, line.fields.code, line.fields.status])).toEqual([
      ['debug', 'audience_mismatch', 401],
      ['debug', 'source_mismatch', 403],
    ]);
    expect(logger.lines[0]?.fields).toMatchObject({
      issuer: ISSUER,
      subject: 'orders',
      jti: 'j-9',
      kid: key.kid,
      alg: 'ES256',
    });
    const text = JSON.stringify(logger.lines);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain(token.split('.')[1]);
  });

  it('logs an accepted request not at all', async () => {
    const logger = captureLogger();
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      now: () => NOW_MS,
      logger,
    });
    await verifier.verify(bearer(mint(key, claimsAt()), GET));
    expect(logger.lines).toEqual([]);
  });

  it('logs a 500 at error with the fix its message names, and the cause', async () => {
    const logger = captureLogger();
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      now: () => NOW_MS,
      logger,
      claims: {
        tenant: () => {
          throw new TypeError('rule bug');
        },
      },
    });
    const err = await caught(verifier.verify(bearer(mint(key, claimsAt()), GET)));
    expect(err.code).toBe('configuration_error');
    const [line] = logger.at('error');
    expect(line?.fields).toMatchObject({ code: 'configuration_error', status: 500 });
    expect(line?.fields.cause).toEqual([{ name: 'TypeError', message: 'rule bug' }]);
    expect(line?.fields.fix).toBe(err.message);
  });

  it('is validated at construction, naming the option and the missing method', () => {
    const err: ServiceJwtError = thrownBy(() =>
      createVerifier({
        issuers: { [ISSUER]: issuerConfig(key) },
        audience: AUDIENCE,
        logger: { error() {}, warn() {}, info() {} } as never,
      }),
    );
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain('logger.debug');
  });
});

describe('a key set that goes down and comes back', () => {
  let jwks: JwksServer;
  beforeEach(async () => {
    jwks = await startJwksServer();
    jwks.keys = [key.jwk as object];
  });
  afterEach(() => jwks.close());

  it('is logged once at warn when unavailable, each 503 at error, and its recovery at info', async () => {
    const logger = captureLogger();
    const clock = manualClock();
    jwks.mode = 'error';
    const verifier = createVerifier({
      issuers: { [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true } },
      audience: AUDIENCE,
      now: clock.now,
      logger,
    });
    for (let i = 0; i < 3; i++) {
      clock.at(NOW + i * 120); // past each back-off, so every request tries a fetch
      const err = await caught(
        verifier.verify(
          bearer(mint(key, claimsAt({ iat: NOW + i * 120 - 1, exp: NOW + i * 120 + 300 })), GET),
        ),
      );
      expect(err.code).toBe('keys_unavailable');
    }
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0]?.fields).toMatchObject({
      issuer: ISSUER,
      url: jwks.jwksUrl,
      from: 'cold',
      to: 'unavailable',
    });
    const errors = logger.at('error');
    expect(errors).toHaveLength(3);
    expect(errors[0]?.fields).toMatchObject({ code: 'keys_unavailable', status: 503 });
    expect(String(errors[0]?.fields.fix)).toContain('reachable');
    expect(JSON.stringify(errors[0]?.fields.cause)).toContain('503');

    jwks.mode = 'ok';
    clock.at(NOW + 600);
    await verifier.verify(bearer(mint(key, claimsAt({ iat: NOW + 599, exp: NOW + 900 })), GET));
    expect(logger.at('info')).toHaveLength(1);
    expect(logger.at('info')[0]?.fields).toMatchObject({ from: 'unavailable', to: 'fresh' });
    expect(logger.at('warn')).toHaveLength(1);
    await verifier.close();
  });
});
