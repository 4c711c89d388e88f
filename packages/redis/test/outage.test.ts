import { createVerifier, type ServiceJwtVerifier, type VerifierOptions } from '@service-jwt/core';
import {
  createRedisReplayStore,
  createRedisRevocationList,
  type RedisRevocationList,
} from '@service-jwt/redis';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import type { Redis } from 'ioredis';
import { ioredis, type PrivateRedis, startPrivateRedis, waitFor } from './helpers/redis.js';
import { type Answer, call, type Service, startService } from './helpers/service.js';

// A private redis-server that the tests kill, freeze and restart; three services on it:
// `strict` (replay + revocation, fail closed), `revocationOnly` (fail closed) and
// `failOpen` (revocation with failOpen, no replay).
const AUDIENCE = 'https://orders.test/';
const COMMAND_TIMEOUT = 300;
const SYNC_INTERVAL = 200;
// maxStaleness default: syncInterval + 6 × commandTimeout + 1000.
const MAX_STALENESS = SYNC_INTERVAL + 6 * COMMAND_TIMEOUT + 1000;
// Room for a loaded CI machine: still far below "hangs until Redis is back".
const SLACK = 2500;
let redis: PrivateRedis;
let issuer: TestIssuer;
const clients: Redis[] = [];
const lists: RedisRevocationList[] = [];
const verifiers: ServiceJwtVerifier[] = [];
const services: Service[] = [];
let strict: Service;
let revocationOnly: Service;
let failOpen: Service;

async function service(options: { replay: boolean; failOpen: boolean }): Promise<Service> {
  const client = ioredis(redis.port);
  client.on('error', () => undefined);
  clients.push(client);
  // A restart without persistence is a store loss: tokens issued before it (plus the clock
  // tolerance) are refused from then on; a short tolerance lets fresh tokens through sooner.
  const revocation = createRedisRevocationList({
    client,
    syncInterval: SYNC_INTERVAL,
    commandTimeout: COMMAND_TIMEOUT,
    failOpen: options.failOpen,
    clockTolerance: 1,
  });
  lists.push(revocation);
  const extra: Partial<VerifierOptions> = options.replay
    ? {
        replay: createRedisReplayStore({
          client,
          commandTimeout: COMMAND_TIMEOUT,
          clockTolerance: 1,
        }),
      }
    : {};
  const verifier = createVerifier(
    createTestVerifierOptions(issuer, undefined, { audience: AUDIENCE, revocation, ...extra }),
  );
  verifiers.push(verifier);
  await revocation.ready();
  const s = await startService(verifier);
  services.push(s);
  return s;
}

const mint = () => issuer.sign({}, { audience: AUDIENCE, subject: 'user-1' });

// Answers that arrive while Redis is still frozen came from the time-outs: a guard that waited
// for Redis would leave them hanging (each call has its own 5 s limit).
function expectUnavailable(answers: readonly Answer[]): void {
  for (const answer of answers) {
    expect(answer.status).toBe(503);
    expect(answer.code).toBe('store_unavailable');
    expect(answer.retryAfter).toBe('5');
    expect(answer.wwwAuthenticate).toBeNull();
  }
}

async function burst(url: string, n: number): Promise<Answer[]> {
  return Promise.all(Array.from({ length: n }, async () => call(url, await mint(), 5000)));
}

async function recovered(url: string): Promise<void> {
  await waitFor(async () => (await call(url, await mint())).status === 200, 10_000, 50);
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  issuer = await createTestIssuer();
  strict = await service({ replay: true, failOpen: false });
  revocationOnly = await service({ replay: false, failOpen: false });
  failOpen = await service({ replay: false, failOpen: true });
});

afterAll(async () => {
  for (const s of services) await s.close();
  for (const v of verifiers) await v.close();
  for (const l of lists) await l.close();
  for (const c of clients) c.disconnect();
  await redis.stop();
});

describe('Redis killed mid-test', () => {
  it('answers 503 store_unavailable within the time-out, and resumes after a restart', async () => {
    for (const s of [strict, revocationOnly, failOpen]) {
      expect((await call(s.url, await mint())).status).toBe(200);
    }
    await redis.kill();
    try {
      // Nothing hangs: parallel requests each get their answer within the command time-out
      // (plus slack for a loaded machine) while Redis stays down.
      expectUnavailable(await burst(strict.url, 30));
      expectUnavailable(await burst(revocationOnly.url, 10));
      // Fail-open revocation answers from its mirror.
      for (const answer of await burst(failOpen.url, 10)) expect(answer.status).toBe(200);
    } finally {
      await redis.restart();
    }
    await recovered(strict.url);
    await recovered(revocationOnly.url);
    const token = await mint();
    expect((await call(strict.url, token)).status).toBe(200);
    expect((await call(strict.url, token)).code).toBe('token_replayed');
  });
});

describe('Redis frozen (SIGSTOP) mid-test', () => {
  it('fails closed within the time-out for replay and within maxStaleness for revocation', async () => {
    await recovered(strict.url);
    await recovered(revocationOnly.url);
    redis.process.kill('SIGSTOP');
    try {
      // The replay claim waits at most commandTimeout.
      expectUnavailable(await burst(strict.url, 20));
      // The revocation mirror can no longer be confirmed: refused once maxStaleness has passed.
      await waitFor(
        async () => (await call(revocationOnly.url, await mint())).status === 503,
        MAX_STALENESS + SLACK,
        50,
      );
      expectUnavailable([await call(revocationOnly.url, await mint())]);
    } finally {
      redis.process.kill('SIGCONT');
    }
    await recovered(strict.url);
    await recovered(revocationOnly.url);
  });
});
