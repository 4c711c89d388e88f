import { caughtBy } from '@service-jwt/conformance';
import { replayKey, ServiceJwtError } from '@service-jwt/core';
import { createRedisReplayStore } from '@service-jwt/redis';
import { createClient } from 'redis';
import {
  ioredis,
  type PrivateRedis,
  removeKeys,
  startPrivateRedis,
  testPrefix,
} from './helpers/redis.js';

const prefix = testPrefix('replay');
const a = ioredis();
const b = ioredis();
const nodeRedis = createClient({ socket: { host: '127.0.0.1', port: 6379 } });
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

beforeAll(async () => {
  await nodeRedis.connect();
});

afterAll(async () => {
  await removeKeys(a, prefix);
  a.disconnect();
  b.disconnect();
  await nodeRedis.close();
});

describe('createRedisReplayStore', () => {
  it('claims a key once, with either client', async () => {
    for (const client of [a, nodeRedis]) {
      const store = createRedisReplayStore({ client, prefix });
      const key = replayKey('https://issuer.test/', `jti-${client === a ? 'io' : 'node'}`);
      await expect(store.claim(key, inAMinute())).resolves.toBe(true);
      await expect(store.claim(key, inAMinute())).resolves.toBe(false);
      await store.close?.();
    }
  });

  it('stores one key per (issuer, jti) under the prefix, expiring at expiresAt + clockTolerance', async () => {
    const store = createRedisReplayStore({ client: a, prefix, clockTolerance: 7 });
    const exp = inAMinute();
    const key = replayKey('https://issuer.test/', 'layout');
    await store.claim(key, exp);
    // <prefix>replay:{r<bucket>}:<key>, the bucket's hash tag keeping it in its epoch's slot.
    // The whole keyspace: the shared Redis may hold many other keys, and one SCAN call only
    // looks at part of it.
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await a.scan(
        cursor,
        'MATCH',
        `${prefix}replay:{r*}:*layout*`,
        'COUNT',
        10_000,
      );
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect(found).toHaveLength(1);
    const stored = found[0] as string;
    expect(stored).toMatch(/replay:\{r\d+\}:/);
    expect(stored.endsWith(`}:${key}`)).toBe(true);
    expect(await a.get(stored)).toBe('1');
    expect(await a.call('PEXPIRETIME', stored)).toBe((exp + 7) * 1000);
    // Same jti, other issuer: another key.
    await expect(store.claim(replayKey('https://other.test/', 'layout'), exp)).resolves.toBe(true);
  });

  it('lets exactly one of 100 concurrent claims through, across two clients', async () => {
    const first = createRedisReplayStore({ client: a, prefix });
    const second = createRedisReplayStore({ client: b, prefix });
    const key = replayKey('https://issuer.test/', 'race');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? first : second).claim(key, inAMinute())),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('still records a key whose expiresAt has already passed', async () => {
    const store = createRedisReplayStore({ client: a, prefix, clockTolerance: 0 });
    const key = replayKey('https://issuer.test/', 'stale');
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expect(store.claim(key, past)).resolves.toBe(true);
    await expect(store.claim(key, past)).resolves.toBe(false);
  });

  it('types accept real ioredis and node-redis clients, and nothing else', () => {
    expect(createRedisReplayStore({ client: a }).claim).toBeInstanceOf(Function);
    expect(createRedisReplayStore({ client: nodeRedis }).claim).toBeInstanceOf(Function);
    // @ts-expect-error a URL is not a client
    expect(() => createRedisReplayStore({ client: 'redis://127.0.0.1' })).toThrow(ServiceJwtError);
    // @ts-expect-error the client is required
    expect(() => createRedisReplayStore({ prefix: 'x:' })).toThrow(ServiceJwtError);
    // @ts-expect-error unknown options are refused
    expect(() => createRedisReplayStore({ client: a, ttl: 5 })).toThrow(ServiceJwtError);
  });

  it('validates its options at construction, naming the option', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ client: {} }, /client/],
      [{ client: a, prefix: 42 }, /prefix/],
      [{ client: a, commandTimeout: 0 }, /commandTimeout/],
      [{ client: a, maxInFlight: 1.5 }, /maxInFlight/],
      [{ client: a, clockTolerance: -1 }, /clockTolerance/],
      [{ client: a, ttl: 5 }, /ttl/],
      [
        { client: a, commandTimout: 5 },
        /commandTimout is not an option; did you mean commandTimeout\?/,
      ],
    ];
    for (const [options, name] of cases) {
      let error: unknown;
      try {
        createRedisReplayStore(options as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ServiceJwtError);
      expect((error as ServiceJwtError).code).toBe('configuration_error');
      expect((error as ServiceJwtError).message).toMatch(name);
    }
  });

  describe('when Redis hangs or goes away (private redis-server)', () => {
    let server: PrivateRedis;
    beforeAll(async () => {
      server = await startPrivateRedis();
    });
    afterAll(async () => {
      await server.stop();
    });

    it('fails closed within commandTimeout, caps pending commands, and recovers', async () => {
      const client = ioredis(server.port, { maxRetriesPerRequest: null });
      const store = createRedisReplayStore({ client, commandTimeout: 200, maxInFlight: 5 });
      await expect(store.claim('warm-up', inAMinute())).resolves.toBe(true);

      server.process.kill('SIGSTOP');
      try {
        let settled = 0;
        const hung = Array.from({ length: 5 }, (_, i) =>
          caughtBy(store.claim(`k${i}`, inAMinute())).finally(() => settled++),
        );
        // The cap is reached: the sixth is refused at once, before any time-out has fired.
        const capped = await caughtBy(store.claim('k5', inAMinute()));
        expect(settled).toBe(0);
        expect(capped.code).toBe('store_unavailable');
        for (const err of await Promise.all(hung)) {
          expect(err.code).toBe('store_unavailable');
          expect(err.status).toBe(503);
          expect(err.headers['retry-after']).toBe('5');
        }
        // Redis is still frozen here: these answers came from the time-out, not from Redis
        // coming back (a store that waited would hang this test until SIGCONT, never sent).
      } finally {
        server.process.kill('SIGCONT');
      }
      // The hung commands complete once Redis answers again; then claims go through again.
      const key = 'after-resume';
      let answer: boolean | undefined;
      for (let i = 0; i < 100 && answer === undefined; i++) {
        answer = await store.claim(key, inAMinute()).catch(() => undefined);
        if (answer === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(answer).toBe(true);
      client.disconnect();
    });

    it('refuses at once while disconnected; after a restart, only tokens issued since pass', async () => {
      const client = ioredis(server.port);
      client.on('error', () => undefined);
      const store = createRedisReplayStore({ client, commandTimeout: 300, clockTolerance: 1 });
      const issuedBefore = Math.floor(Date.now() / 1000) - 1;
      await expect(store.claim('before', inAMinute(), issuedBefore)).resolves.toBe(true);
      await server.kill();
      const err = await caughtBy(store.claim('during', inAMinute(), issuedBefore));
      expect(err.code).toBe('store_unavailable');
      await server.restart();
      // Issued (by its iat) after the restart and the clock tolerance: a first use.
      const issuedAfter = Math.floor(Date.now() / 1000) + 4;
      let answer: boolean | undefined;
      for (let i = 0; i < 200 && answer === undefined; i++) {
        answer = await store.claim('after', inAMinute(), issuedAfter).catch(() => undefined);
        if (answer === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(answer).toBe(true);
      await expect(store.claim('after', inAMinute(), issuedAfter)).resolves.toBe(false);
      // Redis came back empty: a replay of 'before' can't be told from a first use, so it and
      // anything else issued before the restart, or without iat, is refused, and not spent.
      for (const [key, iat] of [
        ['before', issuedBefore],
        ['other-before', issuedBefore],
        ['no-iat', undefined],
      ] as const) {
        const refused = await caughtBy(store.claim(key, inAMinute(), iat));
        expect(refused.code).toBe('store_unavailable');
        expect(refused.status).toBe(503);
      }
      client.disconnect();
    });
  });
});
