import { createVerifier, type ServiceJwtVerifier } from '@service-jwt/core';
import {
  createRedisReplayStore,
  createRedisRevocationList,
  type RedisRevocationList,
} from '@service-jwt/redis';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import type { Redis } from 'ioredis';
import { ioredis, removeKeys, testPrefix } from './helpers/redis.js';
import { call, type Service, startService } from './helpers/service.js';

// Two instances of one service, each with its own Redis clients, sharing one Redis.
const AUDIENCE = 'https://orders.test/';
const prefix = testPrefix('fleet');
const clients: Redis[] = [];
let issuer: TestIssuer;

interface Instance {
  readonly verifier: ServiceJwtVerifier;
  readonly revocation: RedisRevocationList;
  readonly service: Service;
}
let a: Instance;
let b: Instance;

async function instance(): Promise<Instance> {
  const client = ioredis();
  clients.push(client);
  const revocation = createRedisRevocationList({ client, prefix });
  const verifier = createVerifier(
    createTestVerifierOptions(issuer, undefined, {
      audience: AUDIENCE,
      replay: createRedisReplayStore({ client, prefix }),
      revocation,
    }),
  );
  await revocation.ready();
  return { verifier, revocation, service: await startService(verifier) };
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  [a, b] = await Promise.all([instance(), instance()]);
});

afterAll(async () => {
  for (const i of [a, b]) {
    await i.service.close();
    await i.verifier.close();
    await i.revocation.close();
  }
  await removeKeys(clients[0]!, prefix);
  for (const c of clients) c.disconnect();
});

const mint = (subject = 'user-1') => issuer.sign({}, { audience: AUDIENCE, subject });

describe('two verifier instances sharing one Redis', () => {
  it('refuses on B, as token_replayed, a token A accepted', async () => {
    const token = await mint();
    expect((await call(a.service.url, token)).status).toBe(200);
    const replayed = await call(b.service.url, token);
    expect(replayed.status).toBe(401);
    expect(replayed.code).toBe('token_replayed');
    expect(replayed.wwwAuthenticate).toMatch(/^Bearer realm="service-jwt", error="invalid_token"/);
    expect((await call(a.service.url, token)).code).toBe('token_replayed');
  });

  it('enforces on B a revocation made through A, within the propagation bound', async () => {
    expect((await call(b.service.url, await mint('user-revoked'))).status).toBe(200);
    const revokedAt = Date.now();
    await a.revocation.revokeSubject(
      issuer.issuer,
      'user-revoked',
      Math.floor(Date.now() / 1000) + 1,
    );
    // Fresh tokens (fresh jtis) each time, so replay protection does not mask the revocation.
    let answer = await call(b.service.url, await mint('user-revoked'));
    for (let i = 0; i < 200 && answer.status === 200; i++) {
      answer = await call(b.service.url, await mint('user-revoked'));
    }
    const elapsed = Date.now() - revokedAt;
    expect(answer.status).toBe(401);
    expect(answer.code).toBe('token_revoked');
    expect(answer.wwwAuthenticate).toMatch(/error="invalid_token"/);
    // Documented bound: maxStaleness, 12 s with the defaults; through pub/sub it is milliseconds.
    expect(elapsed).toBeLessThan(12_000);
    expect((await call(b.service.url, await mint('user-other'))).status).toBe(200);
  });

  it('lets exactly one of 200 parallel requests with one jti through, across both instances', async () => {
    const token = await mint();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call((i % 2 ? a : b).service.url, token, 10_000)),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = answers.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(199);
    expect(refused.every((r) => r.status === 401 && r.code === 'token_replayed')).toBe(true);
  });
});
