import { thrownBy } from '@service-jwt/conformance';
import type { RevocationSubject } from '@service-jwt/core';
import { createRedisRevocationList, type RedisRevocationList } from '@service-jwt/redis';
import type { Redis } from 'ioredis';
import { createClient } from 'redis';
import { ioredis, removeKeys, testPrefix, waitFor } from './helpers/redis.js';

const ISSUER = 'https://billing.test/';
const clients: Redis[] = [];
const lists: RedisRevocationList[] = [];
const prefixes: string[] = [];

function client(options: Parameters<typeof ioredis>[1] = {}): Redis {
  const c = ioredis(6379, options);
  clients.push(c);
  return c;
}

function freshPrefix(): string {
  const prefix = testPrefix('revocation');
  prefixes.push(prefix);
  return prefix;
}

function list(options: Parameters<typeof createRedisRevocationList>[0]): RedisRevocationList {
  const l = createRedisRevocationList(options);
  lists.push(l);
  return l;
}

function token(overrides: Partial<RevocationSubject> = {}): RevocationSubject {
  return {
    issuer: ISSUER,
    subject: 'user-1',
    jti: 'jti-1',
    kid: 'key-1',
    issuedAt: Math.floor(Date.now() / 1000) - 10,
    ...overrides,
  };
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function connectionsNamed(name: string): Promise<number> {
  const text = (await clients[0]!.call('CLIENT', 'LIST')) as string;
  return text.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

afterAll(async () => {
  for (const l of lists) await l.close();
  const cleaner = clients[0] ?? client();
  for (const prefix of prefixes) await removeKeys(cleaner, prefix);
  for (const c of clients) c.disconnect();
});

describe('createRedisRevocationList across instances', () => {
  it('propagates every kind of revocation from A to B through pub/sub, answering synchronously', async () => {
    const prefix = freshPrefix();
    const a = list({ client: client(), prefix });
    const b = list({ client: client(), prefix });
    await Promise.all([a.ready(), b.ready()]);
    expect(b.check(token())).toBeUndefined();

    const cases: Array<[() => Promise<void>, RevocationSubject, string]> = [
      [() => a.revokeToken(ISSUER, 'jti-9', inAnHour()), token({ jti: 'jti-9' }), 'jti'],
      [
        () => a.revokeSubject(ISSUER, 'user-7', inAnHour()),
        token({ subject: 'user-7' }),
        'subject',
      ],
      [() => a.revokeKey(ISSUER, 'key-3'), token({ kid: 'key-3' }), 'kid'],
      [() => a.revokeIssuer(ISSUER, Math.floor(Date.now() / 1000)), token(), 'issuer'],
    ];
    for (const [revoke, probe, reason] of cases) {
      await revoke();
      // The default propagation bound is maxStaleness = 12 s; pub/sub is far quicker.
      const elapsed = await waitFor(() => b.check(probe) === reason, 12_000, 2);
      expect(elapsed).toBeLessThan(1000);
    }
    const answer = b.check(token({ issuedAt: Math.floor(Date.now() / 1000) + 5 }));
    expect(answer).toBeUndefined();
  });

  it('loads existing revocations when an instance starts', async () => {
    const prefix = freshPrefix();
    const a = list({ client: client(), prefix });
    await a.ready();
    await a.revokeToken(ISSUER, 'old', inAnHour());
    await a.revokeKey(ISSUER, 'old-key');
    const late = list({ client: client(), prefix });
    await late.ready();
    expect(late.check(token({ jti: 'old' }))).toBe('jti');
    expect(late.check(token({ jti: 'other', kid: 'old-key' }))).toBe('kid');
    expect(late.check(token({ jti: 'other' }))).toBeUndefined();
  });

  it('without pub/sub, enforces a revocation by its periodic sync within maxStaleness', async () => {
    const prefix = freshPrefix();
    const a = list({ client: client(), prefix });
    const b = list({
      client: client(),
      prefix,
      subscriber: false,
      syncInterval: 100,
      commandTimeout: 50,
      maxStaleness: 400,
    });
    await Promise.all([a.ready(), b.ready()]);
    await a.revokeToken(ISSUER, 'polled', inAnHour());
    const elapsed = await waitFor(() => b.check(token({ jti: 'polled' })) === 'jti', 2000, 5);
    expect(elapsed).toBeLessThanOrEqual(400);
  });

  it('resynchronises when a change message reveals a gap (a lost message)', async () => {
    const prefix = freshPrefix();
    const raw = client();
    const b = list({ client: client(), prefix });
    await b.ready();
    // A revocation written straight into the documented layout, its message "lost"; the next
    // message carries a version two ahead, so B must fetch what it missed.
    const field = JSON.stringify([ISSUER, 'missed']);
    await raw.zadd(`${prefix}{rev}:jti`, inAnHour(), field);
    await raw.incr(`${prefix}{rev}:version`);
    const v = await raw.incr(`${prefix}{rev}:version`);
    await raw.sadd(`${prefix}{rev}:kid`, JSON.stringify([ISSUER, 'k2']));
    await raw.publish(`${prefix}{rev}:events`, `${v}|k|0|${JSON.stringify([ISSUER, 'k2'])}`);
    await waitFor(() => b.check(token({ jti: 'missed', kid: undefined })) === 'jti', 2000, 5);
    expect(b.check(token({ jti: 'x', kid: 'k2' }))).toBe('kid');
  });

  it('reloads on its periodic check when a message is lost and nothing follows it', async () => {
    const prefix = freshPrefix();
    const raw = client();
    const b = list({ client: client(), prefix, syncInterval: 100, commandTimeout: 50 });
    await b.ready();
    await raw.zadd(`${prefix}{rev}:jti`, inAnHour(), JSON.stringify([ISSUER, 'silent']));
    await raw.incr(`${prefix}{rev}:version`);
    // Default maxStaleness: syncInterval + 6 × commandTimeout + 1000 = 1400 ms.
    const elapsed = await waitFor(() => b.check(token({ jti: 'silent' })) === 'jti', 3000, 5);
    expect(elapsed).toBeLessThanOrEqual(1400);
  });

  it('drops a revocation lifted in Redis (SREM + INCR version) at the next periodic check', async () => {
    const prefix = freshPrefix();
    const raw = client();
    const b = list({ client: client(), prefix, syncInterval: 100, commandTimeout: 50 });
    await b.ready();
    await b.revokeKey(ISSUER, 'lifted');
    expect(b.check(token({ kid: 'lifted' }))).toBe('kid');
    await raw
      .multi()
      .srem(`${prefix}{rev}:kid`, JSON.stringify([ISSUER, 'lifted']))
      .incr(`${prefix}{rev}:version`)
      .exec();
    await waitFor(() => b.check(token({ kid: 'lifted' })) === undefined, 1400, 5);
  });

  it('works with node-redis clients and subscribers (its own duplicate, or one passed in)', async () => {
    const prefix = freshPrefix();
    const node = () => createClient({ socket: { host: '127.0.0.1', port: 6379 } });
    const [one, two, sub] = [node(), node(), node()];
    await Promise.all([one.connect(), two.connect(), sub.connect()]);
    try {
      const a = list({ client: one, prefix });
      const b = list({ client: two, subscriber: sub, prefix });
      await Promise.all([a.ready(), b.ready()]);
      await a.revokeSubject(ISSUER, 'user-nr', inAnHour());
      await waitFor(() => b.check(token({ subject: 'user-nr' })) === 'subject', 2000, 2);
      await b.revokeKey(ISSUER, 'key-nr');
      await waitFor(() => a.check(token({ kid: 'key-nr' })) === 'kid', 2000, 2);
      await a.close();
      await b.close();
      // Closing closes nothing the caller opened, the subscriber passed in included.
      expect([one.isReady, two.isReady, sub.isReady]).toEqual([true, true, true]);
    } finally {
      await Promise.all([one.close(), two.close(), sub.close()]);
    }
  });
});

describe('createRedisRevocationList bounds and failure modes', () => {
  it('beyond maxEntries empties the mirror, asks Redis per check, and returns to the mirror', async () => {
    const prefix = freshPrefix();
    let ms = Date.now();
    const now = () => ms;
    const a = list({ client: client(), prefix });
    const b = list({ client: client(), prefix, maxEntries: 3, syncInterval: 50, now });
    await Promise.all([a.ready(), b.ready()]);
    const soon = Math.floor(ms / 1000) + 100;
    for (let i = 0; i < 5; i++) await a.revokeToken(ISSUER, `o${i}`, i < 3 ? soon : soon + 1000);
    await waitFor(() => b.check(token({ jti: 'o0' })) instanceof Promise, 2000);
    expect(await b.check(token({ jti: 'o0' }))).toBe('jti');
    expect(await b.check(token({ jti: 'o4' }))).toBe('jti');
    expect(await b.check(token({ jti: 'nope' }))).toBeUndefined();
    // Three of them expire: two live revocations fit in the mirror again.
    ms = (soon + 1) * 1000;
    await waitFor(() => !(b.check(token({ jti: 'o4' })) instanceof Promise), 2000);
    expect(b.check(token({ jti: 'o4' }))).toBe('jti');
    expect(b.check(token({ jti: 'o0' }))).toBeUndefined();
  });

  it('fails closed until it is synchronised, unless failOpen', async () => {
    const prefix = freshPrefix();
    const closed = list({ client: client({ lazyConnect: true }), prefix });
    const err = thrownBy(() => closed.check(token()));
    expect(err.code).toBe('store_unavailable');
    expect(err.status).toBe(503);
    expect(err.headers['retry-after']).toBe('5');
    const open = list({ client: client({ lazyConnect: true }), prefix, failOpen: true });
    expect(open.check(token())).toBeUndefined();
    await Promise.all([closed.ready(), open.ready()]);
    expect(closed.check(token())).toBeUndefined();
  });

  it('opens only the subscriber duplicate, and close() closes only that', async () => {
    const name = `sjwt-conn-${process.pid}-${Date.now()}`;
    const own = client({ connectionName: name });
    await own.ping();
    expect(await connectionsNamed(name)).toBe(1);
    const l = createRedisRevocationList({ client: own, prefix: freshPrefix() });
    await l.ready();
    expect(await connectionsNamed(name)).toBe(2);
    await l.close();
    await waitFor(async () => (await connectionsNamed(name)) === 1, 2000, 10);
    expect(own.status).toBe('ready');
    expect(await own.ping()).toBe('PONG');

    // A subscriber passed in is used, not duplicated, and survives close().
    const sub = client({ connectionName: name });
    const l2 = createRedisRevocationList({ client: own, subscriber: sub, prefix: freshPrefix() });
    await l2.ready();
    expect(await connectionsNamed(name)).toBe(2);
    await l2.close();
    expect(sub.status).toBe('ready');
    expect(await connectionsNamed(name)).toBe(2);
  });

  it('validates its options at construction, naming the option', () => {
    const c = client({ lazyConnect: true });
    const cases: Array<[unknown, RegExp]> = [
      [{ client: 'redis://localhost' }, /client/],
      [{ client: c, subscriber: {} }, /subscriber/],
      [{ client: c, subscriber: c }, /subscriber/],
      [{ client: c, syncInterval: 0 }, /syncInterval/],
      [{ client: c, syncInterval: 1000, commandTimeout: 1000, maxStaleness: 2000 }, /maxStaleness/],
      [{ client: c, maxEntries: -1 }, /maxEntries/],
      [{ client: c, failOpen: 'yes' }, /failOpen/],
      [{ client: c, now: 5 }, /now/],
      [{ client: c, interval: 5 }, /interval/],
    ];
    for (const [options, name] of cases) {
      const err = thrownBy(() => createRedisRevocationList(options as never));
      expect(err.code).toBe('configuration_error');
      expect(err.message).toMatch(name);
    }
  });
});
