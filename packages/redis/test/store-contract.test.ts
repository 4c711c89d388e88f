import {
  describeReplayStoreContract,
  describeRevocationListContract,
} from '@service-jwt/conformance';
import { createRedisReplayStore, createRedisRevocationList } from '@service-jwt/redis';
import { createClient } from 'redis';
import { ioredis, removeKeys, testPrefix } from './helpers/redis.js';

// One prefix per test: every contract test gets an empty store, as the contract requires.
const io = ioredis();
const nodeRedis = createClient({ socket: { host: '127.0.0.1', port: 6379 } });
const prefixes: string[] = [];

function freshPrefix(label: string): string {
  const prefix = testPrefix(label);
  prefixes.push(prefix);
  return prefix;
}

function injectedClock() {
  let ms = Date.now();
  return {
    now: () => ms,
    set(value: number) {
      ms = value;
    },
  };
}

beforeAll(async () => {
  await nodeRedis.connect();
});

afterAll(async () => {
  for (const prefix of prefixes) await removeKeys(io, prefix);
  io.disconnect();
  await nodeRedis.close();
});

describeReplayStoreContract('redis (ioredis)', async () => {
  const store = createRedisReplayStore({
    client: io,
    prefix: freshPrefix('c-r-io'),
    clockTolerance: 0,
  });
  return { store, close: async () => store.close?.() };
});

describeReplayStoreContract('redis (node-redis)', async () => {
  const store = createRedisReplayStore({
    client: nodeRedis,
    prefix: freshPrefix('c-r-nr'),
    clockTolerance: 0,
  });
  return { store, close: async () => store.close?.() };
});

for (const [label, client] of [
  ['ioredis', io],
  ['node-redis', nodeRedis],
] as const) {
  describeRevocationListContract(`redis (${label}, injected clock)`, async () => {
    const clock = injectedClock();
    const store = createRedisRevocationList({
      client,
      prefix: freshPrefix(`c-l-${label}`),
      now: clock.now,
    });
    await store.ready();
    return { store, now: clock, close: () => store.close() };
  });

  describeRevocationListContract(`redis (${label}, real clock)`, async () => {
    const store = createRedisRevocationList({ client, prefix: freshPrefix(`c-l-${label}`) });
    await store.ready();
    return { store, close: () => store.close() };
  });
}
