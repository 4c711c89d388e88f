import { errorResponse } from '../../src/errors/service-jwt-error.js';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import type { IssuerKeyResolver, VerificationKey } from '../../src/keys/key-resolver.js';
import type { JwksUriIssuer } from '../../src/verify/options.js';
import { caught, ecKeyPair, type JwksServer, publicJwk, startJwksServer } from './jwks-server.js';

const ALGS: Algorithm[] = ['RS256', 'ES256', 'EdDSA'];
const [k1, k2, k3] = [ecKeyPair(), ecKeyPair(), ecKeyPair()];
const jwk1 = publicJwk(k1.publicKey, { kid: 'k1' });
const jwk2 = publicJwk(k2.publicKey, { kid: 'k2' });
const jwk3 = publicJwk(k3.publicKey, { kid: 'k3' });

let server: JwksServer;
let clock: number;
const opened: IssuerKeyResolver[] = [];

beforeEach(async () => {
  server = await startJwksServer();
  server.keys = [jwk1, jwk2];
  clock = 1_700_000_000_000;
});
afterEach(async () => {
  for (const resolver of opened.splice(0)) resolver.close();
  await server.close();
});

function remote(extra: Partial<JwksUriIssuer> = {}): IssuerKeyResolver {
  const resolver = createIssuerKeyResolver(
    'https://a',
    { jwksUri: server.jwksUrl, allowInsecureHttp: true, ...extra },
    { algorithms: ALGS, optionPath: 'issuers["https://a"]', now: () => clock },
  );
  opened.push(resolver);
  return resolver;
}

async function expectUnavailable(fn: () => unknown) {
  const err = await caught(fn);
  expect(err.code).toBe('keys_unavailable');
  expect(err.status).toBe(503);
  const res = errorResponse(err);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.headers['www-authenticate']).toBeUndefined();
  return err;
}

describe('remote key sets: caching', () => {
  it('fetches once for many lookups and answers warm lookups synchronously', async () => {
    const resolver = remote();
    const first = await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    expect(first.kid).toBe('k1');
    for (let i = 0; i < 200; i += 1) {
      const key = resolver.resolve({ alg: 'ES256', kid: i % 2 === 0 ? 'k1' : 'k2' });
      expect(key).not.toBeInstanceOf(Promise);
    }
    expect(server.jwksRequests).toBe(1);
  });

  it('shares one fetch between concurrent cold lookups', async () => {
    const resolver = remote();
    const keys = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        resolver.resolve({ alg: 'ES256', kid: i % 2 ? 'k1' : 'k2' }),
      ),
    );
    expect(keys).toHaveLength(50);
    expect(server.jwksRequests).toBe(1);
  });

  it('refetches after cacheMaxAge', async () => {
    const resolver = remote({ cacheMaxAge: 60 });
    await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    clock += 59_000;
    await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    expect(server.jwksRequests).toBe(1);
    clock += 2_000;
    await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    expect(server.jwksRequests).toBe(2);
  });

  it('picks up a rotated key and stops trusting a key that left the set', async () => {
    const resolver = remote({ cooldown: 30 });
    const old = (await resolver.resolve({ alg: 'ES256', kid: 'k1' })) as VerificationKey;
    const kept = (await resolver.resolve({ alg: 'ES256', kid: 'k2' })) as VerificationKey;
    server.keys = [jwk2, jwk3];
    clock += 31_000;
    const fresh = await resolver.resolve({ alg: 'ES256', kid: 'k3' });
    expect(fresh.kid).toBe('k3');
    expect(server.jwksRequests).toBe(2);
    expect(resolver.isActive(old)).toBe(false);
    expect(resolver.isActive(kept)).toBe(true);
    expect(resolver.resolve({ alg: 'ES256', kid: 'k2' })).toBe(kept);
    expect((await caught(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }))).code).toBe(
      'key_not_found',
    );
  });

  it('limits refreshes caused by unknown kids to one per cooldown', async () => {
    const resolver = remote({ cooldown: 30 });
    await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    clock += 31_000;
    const lookups = Array.from({ length: 1000 }, () =>
      caught(() => resolver.resolve({ alg: 'ES256', kid: Math.random().toString(36) })),
    );
    const errors = await Promise.all(lookups);
    expect(errors.every((err) => err.code === 'key_not_found')).toBe(true);
    expect(server.jwksRequests).toBe(2);
    clock += 10_000;
    for (let i = 0; i < 1000; i += 1) {
      expect((await caught(() => resolver.resolve({ alg: 'ES256', kid: `r${i}` }))).code).toBe(
        'key_not_found',
      );
    }
    expect(server.jwksRequests).toBe(2);
    clock += 21_000;
    await caught(() => resolver.resolve({ alg: 'ES256', kid: 'again' }));
    expect(server.jwksRequests).toBe(3);
  });

  it('isActive on an expired set refreshes in the background and notices a removed key', async () => {
    const resolver = remote({ cacheMaxAge: 60 });
    const key = (await resolver.resolve({ alg: 'ES256', kid: 'k1' })) as VerificationKey;
    server.keys = [jwk2];
    clock += 61_000;
    expect(resolver.isActive(key)).toBe(true);
    // No lookup happens: the request must come from isActive itself.
    for (let i = 0; i < 400 && server.jwksRequests < 2; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.jwksRequests).toBe(2);
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k2' })).kid).toBe('k2');
    expect(server.jwksRequests).toBe(2);
    expect(resolver.isActive(key)).toBe(false);
  });

  it('refuses a token without kid when the remote set holds several keys', async () => {
    const resolver = remote();
    expect((await caught(() => resolver.resolve({ alg: 'ES256' }))).code).toBe('key_not_found');
  });
});

describe('remote key sets: failures', () => {
  it('serves stale keys while the endpoint is down, then stops after staleMaxAge', async () => {
    const resolver = remote({ cacheMaxAge: 60, staleMaxAge: 600 });
    const key = (await resolver.resolve({ alg: 'ES256', kid: 'k1' })) as VerificationKey;
    await server.close();
    clock += 120_000;
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    expect(resolver.isActive(key)).toBe(true);
    clock += 530_000;
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    clock += 60_000;
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    expect(resolver.isActive(key)).toBe(false);
  });

  it('answers 503 keys_unavailable, never a 401, when a cold set cannot be fetched', async () => {
    await server.close();
    const resolver = remote();
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
  });

  it('backs off between failed fetches', async () => {
    server.mode = 'error';
    const resolver = remote();
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    expect(server.jwksRequests).toBe(1);
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    expect(server.jwksRequests).toBe(1);
    clock += 1_000;
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    expect(server.jwksRequests).toBe(2);
    clock += 1_000;
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    expect(server.jwksRequests).toBe(2);
    server.mode = 'ok';
    clock += 1_000;
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    expect(server.jwksRequests).toBe(3);
  });

  it('bounds a never-answering endpoint by the time-out', async () => {
    server.mode = 'hang';
    const resolver = remote({ timeout: 200 });
    const started = Date.now();
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
  });

  it.each([
    ['junk JSON', 'junk', {}],
    ['a document without keys', 'not-a-set', {}],
    ['a redirect', 'redirect', {}],
    ['an oversized body', 'oversize', { maxResponseBytes: 4096 }],
  ] as const)('refuses %s', async (_name, mode, extra) => {
    server.mode = mode;
    await expectUnavailable(() => remote(extra).resolve({ alg: 'ES256', kid: 'k1' }));
  });

  it('refuses a set with more keys than maxKeys', async () => {
    server.keys = [jwk1, jwk2, jwk3];
    await expectUnavailable(() => remote({ maxKeys: 2 }).resolve({ alg: 'ES256', kid: 'k1' }));
    expect((await remote({ maxKeys: 3 }).resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
  });

  it('refuses a set repeating a kid', async () => {
    server.keys = [jwk1, { ...jwk2, kid: 'k1' }];
    await expectUnavailable(() => remote().resolve({ alg: 'ES256', kid: 'k1' }));
  });

  it('skips unusable keys of a remote set and keeps the usable ones', async () => {
    server.keys = [
      { ...jwk1, use: 'enc' },
      { kty: 'oct', kid: 'sym', k: 'A'.repeat(64) },
      { ...jwk2, alg: 'RS256' },
      { kty: 'RSA', kid: 'weak', n: 'AQAB', e: 'AQAB' },
      jwk3,
    ];
    const resolver = remote();
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k3' })).kid).toBe('k3');
    for (const kid of ['k1', 'sym', 'k2', 'weak']) {
      expect((await caught(() => resolver.resolve({ alg: 'ES256', kid }))).code).toBe(
        'key_not_found',
      );
    }
  });

  it('keeps the fresh set when an unknown-kid refresh fails', async () => {
    const resolver = remote({ cooldown: 0 });
    await resolver.resolve({ alg: 'ES256', kid: 'k1' });
    server.mode = 'error';
    expect((await caught(() => resolver.resolve({ alg: 'ES256', kid: 'k9' }))).code).toBe(
      'key_not_found',
    );
    expect(resolver.resolve({ alg: 'ES256', kid: 'k2' })).not.toBeInstanceOf(Promise);
  });

  it('close() aborts a fetch in flight and refuses later lookups', async () => {
    server.mode = 'hang';
    const resolver = remote({ timeout: 10_000 });
    const pending = caught(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
    // Wait (bounded) until the request has reached the server, so close() aborts a live socket.
    for (let i = 0; i < 400 && server.jwksRequests === 0; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.jwksRequests).toBe(1);
    const started = Date.now();
    resolver.close();
    expect((await pending).code).toBe('keys_unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
    await expectUnavailable(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
  });
});
