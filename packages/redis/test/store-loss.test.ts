import type { Redis } from 'ioredis';
import { type BeforeLoss, type LossFleet, startLossFleet } from './helpers/loss-fleet.js';
import { type SwitchingProxy, startProxy } from './helpers/proxy.js';
import {
  freePort,
  ioredis,
  type PrivateRedis,
  probeUntil,
  startPrivateRedis,
  testPrefix,
} from './helpers/redis.js';

// Finding 5: Redis loses the replay store's jtis and the revocations. Each scenario runs on its
// own private redis-server(s) without persistence, reached through a loopback proxy (the
// service's Redis address), with two instances of a service: one following revocations through
// pub/sub, one by its periodic check only.

jest.setTimeout(60_000);

interface Store {
  readonly primary: PrivateRedis;
  readonly proxy: SwitchingProxy;
  readonly servers: PrivateRedis[];
  readonly admin: Redis;
}

async function store(): Promise<Store> {
  const primary = await startPrivateRedis();
  const admin = ioredis(primary.port);
  admin.on('error', () => undefined);
  return { primary, proxy: await startProxy(primary.port), servers: [primary], admin };
}

async function fleetOn(s: Store): Promise<LossFleet> {
  return startLossFleet({
    prefix: testPrefix('loss'),
    client: async () => {
      const client = ioredis(s.proxy.port);
      client.on('error', () => undefined);
      return client;
    },
    close: async (client) => (client as Redis).disconnect(),
  });
}

async function scenario(
  lose: (s: Store) => Promise<void>,
  prepare: (s: Store) => Promise<void> = async () => undefined,
): Promise<void> {
  const s = await store();
  let fleet: LossFleet | undefined;
  try {
    fleet = await fleetOn(s);
    await prepare(s);
    const before: BeforeLoss = await fleet.serve();
    await lose(s);
    await fleet.expectDefended(before);
  } finally {
    await fleet?.close();
    s.admin.disconnect();
    await s.proxy.close();
    for (const server of s.servers) await server.stop();
  }
}

describe('a store that lost its records reopens neither replay nor revocation', () => {
  it('Redis restarted without persistence', () =>
    scenario(async (s) => {
      await s.primary.kill();
      await s.primary.restart();
    }));

  it('FLUSHALL', () =>
    scenario(async (s) => {
      expect(await s.admin.flushall()).toBe('OK');
    }));

  it('a replica promoted while it lags (REPLICAOF NO ONE), the service pointed at it', async () => {
    let replica: PrivateRedis;
    await scenario(
      async (s) => {
        // The failover: the primary is gone, the lagging replica takes over its address.
        await s.primary.kill();
        const promoted = ioredis(replica.port);
        try {
          expect(await promoted.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
        } finally {
          promoted.disconnect();
        }
        s.proxy.switchTo(replica.port);
      },
      async (s) => {
        replica = await startPrivateRedis(['--replicaof', '127.0.0.1', String(s.primary.port)]);
        s.servers.push(replica);
        // The replica has everything written so far (both instances' epochs included)...
        await probeUntil(replica.port, async (probe) =>
          /master_link_status:up/.test(await probe.info('replication')),
        );
        expect(await s.admin.call('WAIT', '1', '5000')).toBe(1);
        // ...and nothing from now on: its link goes to a port where no master listens, and a
        // replica keeps its data until it syncs with a new master.
        const dead = await freePort();
        const lagging = ioredis(replica.port);
        try {
          await lagging.call('REPLICAOF', '127.0.0.1', String(dead));
        } finally {
          lagging.disconnect();
        }
      },
    );
  });
});
