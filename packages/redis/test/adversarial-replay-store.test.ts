import { replayKey } from '@service-jwt/core';
import { createRedisReplayStore } from '@service-jwt/redis';
import { ioredis, removeKeys, testPrefix } from './helpers/redis.js';

// Adversarial review: `exp` is any finite number the issuer signed. A far-future one (a
// "never expires" token) must still be claimed once, not fail with a Redis error that the
// verifier reports as store_unavailable (503) on every request.

const prefix = testPrefix('adversarial-replay');
const client = ioredis();

afterAll(async () => {
  await removeKeys(client, prefix);
  client.disconnect();
});

describe('redis replay store: far-future expiry', () => {
  it.each([1e13, 1e16, 1e21, Number.MAX_VALUE])(
    'claims once with expiresAt %p',
    async (expiresAt) => {
      const store = createRedisReplayStore({ client, prefix });
      const key = replayKey('https://herald.service/', `far-${expiresAt}`);
      await expect(store.claim(key, expiresAt)).resolves.toBe(true);
      await expect(store.claim(key, expiresAt)).resolves.toBe(false);
    },
  );
});
