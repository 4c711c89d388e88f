import { createVerifier } from '@service-jwt/core';
import { AUDIENCE, ISSUER, issuerConfig, makeKey, manualClock, NOW } from '../fixtures.js';
import { caught, type JwksServer, startJwksServer } from '../keys/jwks-server.js';

const key = makeKey('ES256');
const SECOND = 'https://second.test';

describe('verifier.ready() and verifier.health()', () => {
  let jwks: JwksServer;
  beforeEach(async () => {
    jwks = await startJwksServer();
    jwks.keys = [key.jwk as object];
  });
  afterEach(() => jwks.close());

  it('is ready at once with local keys, and healthy', async () => {
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
    });
    await expect(verifier.ready()).resolves.toBeUndefined();
    expect(verifier.health()).toEqual({
      status: 'ok',
      issuers: {
        [ISSUER]: expect.objectContaining({ source: 'local', state: 'local', keyCount: 1 }),
      },
    });
  });

  it('fetches a remote set at start-up, then reports it fresh', async () => {
    const clock = manualClock();
    const verifier = createVerifier({
      issuers: { [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true, cacheMaxAge: 60 } },
      audience: AUDIENCE,
      now: clock.now,
    });
    expect(verifier.health().status).toBe('unavailable');
    expect(verifier.health().issuers[ISSUER]?.state).toBe('cold');
    await verifier.ready();
    expect(jwks.jwksRequests).toBe(1);
    expect(verifier.health()).toEqual({
      status: 'ok',
      issuers: {
        [ISSUER]: {
          source: 'jwks',
          state: 'fresh',
          keyCount: 1,
          url: jwks.jwksUrl,
          lastSuccess: new Date(NOW * 1000).toISOString(),
          lastError: undefined,
          stale: false,
          nextRefresh: new Date((NOW + 60) * 1000).toISOString(),
        },
      },
    });
    await verifier.ready();
    expect(jwks.jwksRequests).toBe(1); // fresh keys: no second fetch
    await verifier.close();
  });

  it('rejects with keys_unavailable naming the issuer, with the cause, while the set is down', async () => {
    await jwks.close();
    const verifier = createVerifier({
      issuers: {
        [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true },
        [SECOND]: issuerConfig(key),
      },
      audience: AUDIENCE,
    });
    const err = await caught(verifier.ready({ timeout: 2000 }));
    expect(err.code).toBe('keys_unavailable');
    expect(err.status).toBe(503);
    expect(err.message).toContain(JSON.stringify(ISSUER));
    expect(err.message).not.toContain(SECOND);
    const cause = err.cause as Error & { cause?: Error & { code?: string } };
    expect(cause.message).toContain(new URL(jwks.jwksUrl).origin);
    expect(cause.cause?.code).toBe('ECONNREFUSED');
    const health = verifier.health();
    expect(health.status).toBe('unavailable');
    expect(health.issuers[ISSUER]?.state).toBe('unavailable');
    expect(health.issuers[ISSUER]?.lastError?.message).toContain('ECONNREFUSED');
    expect(health.issuers[SECOND]?.state).toBe('local');
    await verifier.close();
  });

  it('names every failing issuer, the causes in an AggregateError', async () => {
    jwks.mode = 'error';
    const verifier = createVerifier({
      issuers: {
        [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true },
        [SECOND]: { jwksUri: `${jwks.origin}/other.json`, allowInsecureHttp: true },
      },
      audience: AUDIENCE,
    });
    const err = await caught(verifier.ready({ timeout: 2000 }));
    expect(err.message).toContain(JSON.stringify(ISSUER));
    expect(err.message).toContain(JSON.stringify(SECOND));
    expect((err.cause as AggregateError).errors).toHaveLength(2);
    await verifier.close();
  });

  it('gives up at the timeout when the set does not answer', async () => {
    jwks.mode = 'hang';
    const verifier = createVerifier({
      issuers: { [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true, timeout: 30_000 } },
      audience: AUDIENCE,
    });
    const err = await caught(verifier.ready({ timeout: 200 }));
    expect(err.code).toBe('keys_unavailable');
    expect(err.message).toContain('200 ms');
    await verifier.close();
  });

  it('refuses a timeout that is not a positive number', async () => {
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
    });
    expect((await caught(verifier.ready({ timeout: 0 }))).code).toBe('configuration_error');
  });
});
