import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/redis and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist), with ioredis as the peer, claim a jti once and refuse the second
// claim against the local Redis, from an ES module and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/redis',
  packages: [coreDir, packageDir],
  links: { jose: coreDir, ioredis: packageDir },
  imports: [
    { from: 'node:crypto', names: ['randomUUID'] },
    { from: 'ioredis', default: 'Redis' },
    { from: '@service-jwt/redis', names: ['createRedisReplayStore'] },
  ],
  script: `
(async () => {
  const client = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  try {
    const store = createRedisReplayStore({ client, prefix: 'service-jwt-packaging:' });
    const key = randomUUID();
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    console.log(await store.claim(key, expiresAt), await store.claim(key, expiresAt));
  } finally {
    await client.quit();
  }
})();
`,
  expected: 'true false',
});
