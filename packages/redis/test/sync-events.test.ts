import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, type RevocationSyncEvent } from '@service-jwt/core';
import { createRedisRevocationList } from '@service-jwt/redis';
import {
  ioredis,
  type PrivateRedis,
  startPrivateRedis,
  testPrefix,
  waitFor,
} from './helpers/redis.js';

// The revocation list reports its synchronisation on service-jwt:revocation:sync: each
// reload with its reason, and each change of whether the mirror is confirmed, once.
describe('service-jwt:revocation:sync', () => {
  let server: PrivateRedis;
  const events: RevocationSyncEvent[] = [];
  const listener = (message: unknown) => events.push(message as RevocationSyncEvent);
  beforeAll(async () => {
    server = await startPrivateRedis();
    subscribe(CHANNELS.revocationSync, listener);
  });
  afterAll(async () => {
    unsubscribe(CHANNELS.revocationSync, listener);
    await server.stop();
  });

  it('reports the first load, a lag while Redis is gone, the reload after it comes back', async () => {
    const client = ioredis(server.port, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const list = createRedisRevocationList({
      client,
      prefix: testPrefix('sync-events'),
      subscriber: false,
      syncInterval: 100,
      commandTimeout: 200,
    });
    try {
      await list.ready();
      expect(events.map((e) => [e.event, e.reason])).toEqual([['resync', 'start']]);

      await server.kill();
      await waitFor(async () => events.some((e) => e.event === 'lagging'), 5000, 20);
      const lagging = events.filter((e) => e.event === 'lagging');
      expect(lagging).toHaveLength(1);
      expect(typeof lagging[0]?.reason).toBe('string');

      // Back without its data: a new store epoch, so the mirror reloads, then it is in sync.
      await server.restart();
      await waitFor(async () => events.some((e) => e.event === 'synchronized'), 5000, 20);
      const after = events.slice(events.indexOf(lagging[0] as RevocationSyncEvent) + 1);
      expect(after.map((e) => e.event)).toContain('resync');
      expect(after.filter((e) => e.event === 'synchronized')).toHaveLength(1);
      expect(after.filter((e) => e.event === 'lagging')).toHaveLength(0);
      expect(JSON.stringify(events)).not.toMatch(/eyJ/); // no token ever
    } finally {
      await list.close();
      client.disconnect();
    }
  });
});
