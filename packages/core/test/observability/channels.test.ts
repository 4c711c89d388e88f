import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  CHANNELS,
  createMemoryReplayStore,
  createVerifier,
  type KeySetCooldownEvent,
  type KeySetFetchEvent,
  type KeySetStaleEvent,
  type ReplayStore,
  type StoreErrorEvent,
  type VerificationEvent,
} from '@service-jwt/core';
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

const key = makeKey('ES256');
const other = makeKey('ES256', 'other-key');

/** Collects what one channel publishes while `work` runs. */
async function published<T>(name: string, work: () => Promise<unknown>): Promise<T[]> {
  const seen: T[] = [];
  const listener = (message: unknown) => seen.push(message as T);
  subscribe(name, listener);
  try {
    await work();
  } finally {
    unsubscribe(name, listener);
  }
  return seen;
}

describe('service-jwt:verification', () => {
  const verifier = createVerifier({
    issuers: { [ISSUER]: issuerConfig(key) },
    audience: AUDIENCE,
    now: () => NOW_MS,
  });
  const token = mint(key, claimsAt({ jti: 'j-1' }));

  it('reports an accepted verification with its facts, and the cache hit of a repeat', async () => {
    const events = await published<VerificationEvent>(CHANNELS.verification, async () => {
      for (let i = 0; i < 3; i++) await verifier.verify(bearer(token, { method: 'GET' }));
    });
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      outcome: 'accepted',
      code: undefined,
      status: 200,
      issuer: ISSUER,
      issuerTrusted: true,
      subject: 'orders',
      jti: 'j-1',
      kid: key.kid,
      alg: 'ES256',
      audience: [AUDIENCE],
      cached: false,
    });
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(0);
    // One frozen list per route: a subscriber cannot change what the next one reads.
    const audience = events[0]?.audience as string[];
    expect(Object.isFrozen(audience)).toBe(true);
    expect(() => audience.push('https://other.test/')).toThrow(TypeError);
    expect(events[2]?.audience).toEqual([AUDIENCE]);
    // Admitted on its second success, the token is answered from the cache on the third.
    expect(events.map((event) => event.cached)).toEqual([false, false, true]);
  });

  it('reports a refusal with its code, and an untrusted issuer as untrusted', async () => {
    const stranger = mint(key, claimsAt({ iss: 'https://stranger.test/' }));
    const events = await published<VerificationEvent>(CHANNELS.verification, async () => {
      await caught(verifier.verify(bearer(stranger, { method: 'GET' })));
      await caught(
        verifier.verify(bearer(mint(key, claimsAt({ exp: NOW - 60 })), { method: 'GET' })),
      );
      await caught(verifier.verify({ method: 'GET', url: '/', headers: {} }));
    });
    expect(events.map((e) => [e.outcome, e.code, e.status])).toEqual([
      ['refused', 'issuer_not_trusted', 401],
      ['refused', 'token_expired', 401],
      ['refused', 'token_missing', 401],
    ]);
    expect(events[0]).toMatchObject({ issuer: 'https://stranger.test/', issuerTrusted: false });
    expect(events[1]).toMatchObject({ issuer: ISSUER, issuerTrusted: true, kid: key.kid });
    expect(events[2]).toMatchObject({ issuer: undefined, kid: undefined, alg: undefined });
  });

  it('publishes nothing, and builds nothing, when nobody listens', async () => {
    const before = await published<VerificationEvent>(CHANNELS.verification, async () => {});
    expect(before).toEqual([]);
    await expect(verifier.verify(bearer(token, { method: 'GET' }))).resolves.toMatchObject({
      issuer: ISSUER,
    });
  });
});

describe('service-jwt:key-set:*', () => {
  let jwks: JwksServer;
  beforeEach(async () => {
    jwks = await startJwksServer();
    jwks.keys = [key.jwk as object];
  });
  afterEach(() => jwks.close());

  function remoteVerifier(now: () => number, extra: Record<string, unknown> = {}) {
    return createVerifier({
      issuers: {
        [ISSUER]: { jwksUri: jwks.jwksUrl, allowInsecureHttp: true, cooldown: 30, ...extra },
      },
      audience: AUDIENCE,
      now,
    });
  }

  it('reports fetches that succeed and fail, with the HTTP status', async () => {
    const clock = manualClock();
    const verifier = remoteVerifier(clock.now, { cacheMaxAge: 60 });
    const fetched = await published<KeySetFetchEvent>(CHANNELS.keySetFetch, () =>
      verifier.verify(bearer(mint(key, claimsAt()), { method: 'GET' })),
    );
    expect(fetched).toHaveLength(1);
    expect(fetched[0]).toMatchObject({
      issuer: ISSUER,
      url: jwks.jwksUrl,
      outcome: 'fetched',
      httpStatus: 200,
      keyCount: 1,
    });
    jwks.mode = 'error';
    clock.at(NOW + 120);
    const failed = await published<KeySetFetchEvent>(CHANNELS.keySetFetch, () =>
      verifier.verify(
        bearer(mint(key, claimsAt({ iat: NOW + 100, exp: NOW + 400 })), { method: 'GET' }),
      ),
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ outcome: 'failed', httpStatus: 500, keyCount: 1 });
    expect(failed[0]?.error).toContain('500');
    await verifier.close();
  });

  it('reports a refused connection by its errno', async () => {
    const verifier = remoteVerifier(() => NOW_MS);
    await jwks.close();
    const failed = await published<KeySetFetchEvent>(CHANNELS.keySetFetch, () =>
      caught(verifier.verify(bearer(mint(key, claimsAt()), { method: 'GET' }))),
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ outcome: 'failed', errno: 'ECONNREFUSED', keyCount: 0 });
    expect(failed[0]?.httpStatus).toBeUndefined();
    await verifier.close();
  });

  it('reports stale keys served while the endpoint fails', async () => {
    const clock = manualClock();
    const verifier = remoteVerifier(clock.now, { cacheMaxAge: 60, staleMaxAge: 600 });
    await verifier.verify(bearer(mint(key, claimsAt()), { method: 'GET' }));
    jwks.mode = 'error';
    clock.at(NOW + 120);
    const stale = await published<KeySetStaleEvent>(CHANNELS.keySetStale, async () => {
      const fresh = mint(key, claimsAt({ iat: NOW + 100, exp: NOW + 400, jti: 'x' }));
      await verifier.verify(bearer(fresh, { method: 'GET' }));
    });
    expect(stale).toEqual([{ issuer: ISSUER, url: jwks.jwksUrl, ageSeconds: 120 }]);
    await verifier.close();
  });

  it('reports a refetch for an unknown kid held back by the cooldown', async () => {
    const clock = manualClock();
    const verifier = remoteVerifier(clock.now);
    await verifier.verify(bearer(mint(key, claimsAt()), { method: 'GET' }));
    // The set was fetched at NOW: for the next 30 s an unknown kid gets no refetch.
    clock.at(NOW + 10);
    const held = await published<KeySetCooldownEvent>(CHANNELS.keySetCooldown, async () => {
      const refusal = await caught(
        verifier.verify(bearer(mint(other, claimsAt()), { method: 'GET' })),
      );
      expect(refusal.code).toBe('key_not_found');
    });
    expect(jwks.jwksRequests).toBe(1);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ issuer: ISSUER, url: jwks.jwksUrl });
    expect(held[0]?.retryInSeconds).toBeCloseTo(20, 0);
    await verifier.close();
  });
});

describe('service-jwt:store:error', () => {
  it('reports a replay store that cannot answer, failing closed', async () => {
    const broken: ReplayStore = {
      claim: () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    };
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      replay: broken,
      now: () => NOW_MS,
    });
    const token = mint(key, claimsAt({ jti: 'j-store' }));
    let refusal: unknown;
    const events = await published<StoreErrorEvent>(CHANNELS.storeError, async () => {
      refusal = await caught(verifier.verify(bearer(token, { method: 'GET' })));
    });
    expect(refusal).toMatchObject({ code: 'store_unavailable', status: 503 });
    expect(events).toEqual([
      {
        store: 'replay',
        code: 'store_unavailable',
        error: 'replay store is unavailable: ECONNREFUSED',
      },
    ]);
  });

  it('reports a full in-memory replay store', async () => {
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      replay: createMemoryReplayStore({ maxEntries: 1, now: () => NOW_MS }),
      now: () => NOW_MS,
    });
    await verifier.verify(bearer(mint(key, claimsAt({ jti: 'a' })), { method: 'GET' }));
    const events = await published<StoreErrorEvent>(CHANNELS.storeError, () =>
      caught(verifier.verify(bearer(mint(key, claimsAt({ jti: 'b' })), { method: 'GET' }))),
    );
    expect(events).toEqual([
      { store: 'replay', code: 'store_unavailable', error: 'replay store is full' },
    ]);
  });
});
