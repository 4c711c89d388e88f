import {
  describeReplayStoreContract,
  describeRevocationListContract,
} from '@service-jwt/conformance';
import {
  createRedisReplayStore,
  createRedisRevocationList,
  type RedisClientLike,
} from '@service-jwt/redis';
import { createClient, createCluster } from 'redis';
import { type PrivateCluster, startCluster } from './helpers/cluster.js';
import { type LossFleetOptions, startLossFleet } from './helpers/loss-fleet.js';
import { ioredis, testPrefix } from './helpers/redis.js';

// Finding 9: the store contract, the fleet behaviour and the store-loss scenarios on a real
// Redis Cluster (three masters, three replicas, loopback), with ioredis's `Cluster` and
// node-redis's `createCluster`. The revocation keys share one slot (`{rev}`); replay keys are
// spread over 32 hash-tagged buckets, each with its epoch in its own slot.

jest.setTimeout(60_000);

let cluster: PrivateCluster;
const closers: Array<() => Promise<unknown> | unknown> = [];

async function nodeRedisCluster() {
  const client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${cluster.ports[0]}` }] });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

// node-redis can't duplicate a cluster into a subscriber: one connection to one node receives
// every message published anywhere in the cluster.
async function nodeRedisSubscriber() {
  const client = createClient({ url: `redis://127.0.0.1:${cluster.ports[0]}` });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function closeAny(client: unknown): Promise<void> {
  const c = client as { disconnect?: () => void; destroy?: () => void; status?: string };
  if (typeof c.status === 'string') c.disconnect?.();
  else c.destroy?.();
}

const clients: Record<string, Pick<LossFleetOptions, 'client' | 'subscriber'>> = {
  'ioredis Cluster': { client: async () => cluster.client() },
  'node-redis cluster': { client: nodeRedisCluster, subscriber: nodeRedisSubscriber },
};

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await cluster?.stop();
});

for (const [label, make] of Object.entries(clients)) {
  // One client per kind for the contracts (created in the first test, closed at the end).
  let shared: Promise<RedisClientLike> | undefined;
  const client = () => {
    shared ??= make.client().then((c) => {
      closers.push(() => closeAny(c));
      return c;
    });
    return shared;
  };
  let sharedSubscriber: ReturnType<typeof nodeRedisSubscriber> | undefined;
  const subscriber = async () => {
    if (make.subscriber === undefined) return {};
    sharedSubscriber ??= nodeRedisSubscriber().then((s) => {
      closers.push(() => closeAny(s));
      return s;
    });
    return { subscriber: await sharedSubscriber };
  };

  describeReplayStoreContract(`redis cluster (${label})`, async () => {
    const store = createRedisReplayStore({
      client: await client(),
      prefix: testPrefix('cluster-r'),
      clockTolerance: 0,
    });
    return { store, close: async () => store.close?.() };
  });

  describeRevocationListContract(`redis cluster (${label})`, async () => {
    let ms = Date.now();
    const store = createRedisRevocationList({
      client: await client(),
      prefix: testPrefix('cluster-l'),
      now: () => ms,
      ...(await subscriber()),
    });
    await store.ready();
    const now = {
      set(value: number) {
        ms = value;
      },
    };
    return { store, now, close: () => store.close() };
  });

  describe(`a fleet on the cluster (${label})`, () => {
    it('shares replay and revocation, and survives every master losing its data (FLUSHALL)', async () => {
      const fleet = await startLossFleet({
        ...make,
        prefix: testPrefix('cluster'),
        close: closeAny,
      });
      try {
        const before = await fleet.serve();
        for (const port of await cluster.masters()) {
          const master = ioredis(port);
          try {
            expect(await master.flushall()).toBe('OK');
          } finally {
            master.disconnect();
          }
        }
        await fleet.expectDefended(before);
      } finally {
        await fleet.close();
      }
    });
  });
}

describe('a master that serves our slots killed, its replica taking over', () => {
  it('keeps replay and revocation closed through the failover (ioredis Cluster)', async () => {
    const prefix = testPrefix('failover');
    const fleet = await startLossFleet({
      client: async () => cluster.client(),
      close: closeAny,
      prefix,
    });
    try {
      // The master of the revocation keys, and a one-time token whose replay key it holds.
      const victim = await cluster.masterOf(`${prefix}{rev}:epoch`);
      const before = await fleet.serve({
        placed: async (jti) => {
          const node = ioredis(victim);
          try {
            const pattern = `${prefix}replay:{r*}:*${jti}*`;
            return (await node.scan('0', 'MATCH', pattern, 'COUNT', 100_000))[1].length === 1;
          } finally {
            node.disconnect();
          }
        },
      });
      await cluster.failOver(victim);
      // Only the victim's slots lost anything: tokens of other buckets keep their records.
      await fleet.expectDefended(before, { partial: true });
    } finally {
      await fleet.close();
    }
  });
});
