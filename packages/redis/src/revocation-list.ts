import { performance } from 'node:perf_hooks';
import { type RevocationList, ServiceJwtError } from '@service-jwt/core';
import { createCommandRunner, createScript, isIoRedis, type RedisClientLike } from './client.js';
import { checkKnownOptions, configError, keyPrefix, positiveInteger } from './options.js';
import {
  LOOKUP_SCRIPT,
  REVOKE_SCRIPT,
  type RevocationKind,
  revocationField,
  revocationKeys,
  SYNC_SCRIPT,
} from './revocation-layout.js';
import { createRevocationMirror, decide, tokenFields } from './revocation-mirror.js';
import { type ChannelSubscription, subscribeChannel } from './subscriber.js';

/** Options of {@link createRedisRevocationList}. */
export interface RedisRevocationListOptions {
  /** An `ioredis` or node-redis (v4+) client, owned and connected by you; never closed here. */
  readonly client: RedisClientLike;
  /** Prepended to every key and to the channel; the same on every instance. @default 'service-jwt:' */
  readonly prefix?: string;
  /**
   * Where change notifications arrive. By default a duplicate of `client` (ioredis
   * `duplicate()`), the only connection this package ever opens, closed by `close()`. A client
   * passed here is used (and never closed); `false` disables pub/sub: changes then arrive by the
   * periodic synchronisation only.
   */
  readonly subscriber?: RedisClientLike | false;
  /** Milliseconds between two checks that the mirror is current (one small script each). @default 5000 */
  readonly syncInterval?: number;
  /**
   * The propagation bound, in milliseconds: once the mirror was last confirmed current longer
   * ago than this, `check` fails closed. A revocation is enforced by every instance at most this
   * long after `revoke*()` resolved (usually within milliseconds, through pub/sub).
   * Must be at least `syncInterval + 6 × commandTimeout`.
   * @default syncInterval + 6 × commandTimeout + 1000 (12 s)
   */
  readonly maxStaleness?: number;
  /** Longest wait for one Redis command, in milliseconds. @default 1000 */
  readonly commandTimeout?: number;
  /** Most commands pending at once; more are refused with `store_unavailable`. @default 1000 */
  readonly maxInFlight?: number;
  /**
   * Most revocations held in the mirror. Beyond it the mirror empties itself and every `check`
   * asks Redis (one round trip) until expiries bring the count back under the limit.
   * @default 100000
   */
  readonly maxEntries?: number;
  /**
   * Answer from the last known state instead of `store_unavailable` when the mirror can't be
   * confirmed current (Redis down). A revocation made meanwhile may then be missed. @default false
   */
  readonly failOpen?: boolean;
  /** `Retry-After` seconds on `store_unavailable`. @default 5 */
  readonly retryAfter?: number;
  /** Injectable clock (epoch milliseconds) used for token-id expiry. @default Date.now */
  readonly now?: () => number;
}

/** A {@link RevocationList} kept in Redis, with a synchronous local mirror. */
export interface RedisRevocationList extends RevocationList {
  /** Resolves once the mirror is current; rejects with `store_unavailable` if closed first. */
  ready(): Promise<void>;
  /** `true` while the mirror is confirmed current (within `maxStaleness`). */
  readonly synchronized: boolean;
  close(): Promise<void>;
}

const KNOWN = [
  'client',
  'prefix',
  'subscriber',
  'syncInterval',
  'maxStaleness',
  'commandTimeout',
  'maxInFlight',
  'maxEntries',
  'failOpen',
  'retryAfter',
  'now',
];

interface Change {
  readonly version: number;
  readonly kind: RevocationKind;
  readonly value: number;
  readonly field: string;
}

function parseChange(message: string): Change | undefined {
  const [version, kind, value] = message.split('|', 3);
  const at = (version?.length ?? 0) + (kind?.length ?? 0) + (value?.length ?? 0) + 3;
  const change = {
    version: Number(version),
    kind: kind as RevocationKind,
    value: Number(value),
    field: message.slice(at),
  };
  const ok = Number.isInteger(change.version) && Number.isFinite(change.value);
  return ok && ['j', 's', 'i', 'k'].includes(change.kind) ? change : undefined;
}

function validate(options: RedisRevocationListOptions) {
  if (options === null || typeof options !== 'object') {
    throw configError('createRedisRevocationList: options must be an object');
  }
  checkKnownOptions(options, KNOWN, 'createRedisRevocationList');
  isIoRedis(options.client, 'client');
  if (options.subscriber !== undefined && options.subscriber !== false) {
    isIoRedis(options.subscriber, 'subscriber');
    if (options.subscriber === options.client) {
      // A connection in subscriber mode refuses ordinary commands.
      throw configError('subscriber must be a separate connection from client');
    }
  }
  if (options.failOpen !== undefined && typeof options.failOpen !== 'boolean') {
    throw configError('failOpen must be a boolean');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw configError('now must be a function returning epoch milliseconds');
  }
  const syncInterval = positiveInteger(options.syncInterval, 'syncInterval', 5000, { min: 10 });
  const commandTimeout = positiveInteger(options.commandTimeout, 'commandTimeout', 1000);
  // A refresh takes at most three commands' time (check, wait for messages, reload) and the
  // next one starts syncInterval after it ends: see the README's propagation bound.
  const floor = syncInterval + 6 * commandTimeout;
  const maxStaleness = positiveInteger(options.maxStaleness, 'maxStaleness', floor + 1000, {
    min: floor,
  });
  return {
    prefix: keyPrefix(options.prefix, 'prefix', 'service-jwt:'),
    syncInterval,
    commandTimeout,
    maxStaleness,
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', 1000),
    maxEntries: positiveInteger(options.maxEntries, 'maxEntries', 100_000),
    retryAfter: positiveInteger(options.retryAfter, 'retryAfter', 5),
    failOpen: options.failOpen ?? false,
    now: options.now ?? Date.now,
  };
}

function flat(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  // A client that maps HGETALL replies to objects.
  if (value !== null && typeof value === 'object') return Object.entries(value).flat().map(String);
  return [];
}

/**
 * A {@link RevocationList} shared through Redis by every instance with the same prefix. Each
 * instance keeps a local mirror, fed by pub/sub and re-synchronised on reconnection and every
 * `syncInterval`, so `check` answers synchronously without a Redis round trip.
 *
 * Propagation bound: a revocation is enforced by every instance no later than `maxStaleness`
 * (default 12 s) after `revoke*()` resolved, usually within milliseconds; an instance that can't
 * confirm its mirror within that bound fails closed (`store_unavailable`, 503) unless
 * `failOpen`. While its pub/sub connection is down it fails closed at once.
 *
 * Revocations never weaken: revoking an issuer or subject "before" an earlier time, or a jti
 * until an earlier time, keeps the stronger rule. As in core's in-memory list, an issued-before
 * rule revokes tokens whose `iat` is at or before its time, and tokens without `iat`.
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option; `revoke*` reject with
 *   `store_unavailable` when Redis can't be reached within `commandTimeout`.
 * @example
 * ```ts
 * const revocation = createRedisRevocationList({ client: redis, prefix: 'orders:' });
 * await revocation.ready();
 * const verifier = createVerifier({ issuers, audience: 'orders', revocation });
 * await revocation.revokeSubject('https://billing', 'user-42', Date.now() / 1000);
 * ```
 */
export function createRedisRevocationList(
  options: RedisRevocationListOptions,
): RedisRevocationList {
  const o = validate(options);
  const keys = revocationKeys(o.prefix);
  const keyArgs = [keys.jti, keys.before, keys.kid, keys.version];
  const runner = createCommandRunner({
    client: options.client,
    commandTimeout: o.commandTimeout,
    maxInFlight: o.maxInFlight,
    retryAfter: o.retryAfter,
    what: 'revocation list',
  });
  const syncScriptRun = createScript(runner, SYNC_SCRIPT);
  const revokeScript = createScript(runner, REVOKE_SCRIPT);
  const lookupScript = createScript(runner, LOOKUP_SCRIPT);
  const mirror = createRevocationMirror();
  const nowSeconds = () => o.now() / 1000;

  let version = -1;
  let overflow = false;
  let synced = false;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let syncing: Promise<void> | undefined;
  let buffered: Change[] | undefined;
  let pending: { readonly version: number; reached(): void } | undefined;
  let wantFull = false;
  let epoch = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];

  const unavailable = (reason: string) =>
    new ServiceJwtError('store_unavailable', `revocation list unavailable: ${reason}`, {
      retryAfter: o.retryAfter,
    });

  const fresh = () =>
    !closed &&
    synced &&
    (subscription === undefined || subscription.active) &&
    performance.now() - confirmedAt <= o.maxStaleness;

  const applyChange = (change: Change) => {
    if (overflow) return;
    mirror.apply(change.kind, change.field, change.value);
    if (mirror.size > o.maxEntries) {
      overflow = true;
      mirror.clear();
    }
  };

  const onChange = (change: Change) => {
    applyChange(change);
    if (buffered !== undefined) buffered.push(change);
    else if (change.version === version + 1) version = change.version;
    else if (change.version > version) void sync(true);
    if (pending !== undefined && version >= pending.version) {
      pending.reached();
      pending = undefined;
    }
  };

  const syncScript = (mode: 'version' | 'snapshot') =>
    syncScriptRun(keyArgs, [mode, String(nowSeconds()), String(o.maxEntries)]);

  // `epoch` counts subscriber outages: a refresh that spans one proves nothing about the
  // messages lost during it, so it must not mark the mirror current.
  const confirm = (startedAt: number, startEpoch: number) => {
    if (startEpoch !== epoch) return;
    mirror.sweep(nowSeconds());
    synced = true;
    confirmedAt = Math.max(confirmedAt, startedAt);
    if (fresh()) for (const w of waiters.splice(0)) w.resolve();
  };

  const reload = async () => {
    const started = performance.now();
    const startEpoch = epoch;
    buffered = [];
    try {
      const reply = await syncScript('snapshot');
      const raw = Array.isArray(reply) ? (reply as unknown[]) : [];
      const remote = Number(raw[0]);
      if (!Number.isInteger(remote)) throw new Error('unexpected reply to the sync script');
      mirror.clear();
      overflow = raw.length === 2;
      if (!overflow) loadSnapshot(raw);
      version = remote;
      const later = buffered
        .filter((c) => c.version > remote)
        .sort((a, b) => a.version - b.version);
      for (const change of later) {
        applyChange(change);
        if (change.version === version + 1) version = change.version;
        else if (change.version > version) wantFull = true;
      }
      confirm(started, startEpoch);
    } finally {
      buffered = undefined;
    }
  };

  // The periodic check: one GET inside a script. When Redis is ahead, the missing messages
  // are usually just in flight: wait up to commandTimeout for them before reloading everything.
  const refresh = async (full: boolean) => {
    if (full || !synced || overflow) return reload();
    const started = performance.now();
    const startEpoch = epoch;
    const remote = Number(((await syncScript('version')) as unknown[])[0]);
    if (remote === version) return confirm(started, startEpoch);
    if (remote > version && subscription !== undefined) {
      const caughtUp = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          pending = undefined;
          resolve(false);
        }, o.commandTimeout);
        pending = {
          version: remote,
          reached() {
            clearTimeout(timer);
            resolve(true);
          },
        };
      });
      if (caughtUp) return confirm(started, startEpoch);
    }
    return reload();
  };

  const loadSnapshot = (raw: unknown[]) => {
    const jtis = flat(raw[2]);
    for (let i = 0; i + 1 < jtis.length; i += 2) mirror.apply('j', jtis[i]!, Number(jtis[i + 1]));
    const before = flat(raw[3]);
    for (let i = 0; i + 1 < before.length; i += 2) {
      const field = before[i]!;
      mirror.apply(field[0] as RevocationKind, field.slice(1), Number(before[i + 1]));
    }
    for (const kid of flat(raw[4])) mirror.apply('k', kid, 0);
    if (mirror.size > o.maxEntries) {
      overflow = true;
      mirror.clear();
    }
  };

  // One refresh at a time; a full reload asked for meanwhile runs right after.
  const sync = (full: boolean): Promise<void> => {
    if (closed) return Promise.resolve();
    if (full) wantFull = true;
    if (syncing === undefined) {
      syncing = (async () => {
        do {
          const f = wantFull;
          wantFull = false;
          try {
            await refresh(f);
          } catch {
            // Stays unconfirmed; `fresh()` turns false once `maxStaleness` has passed.
          }
        } while (wantFull && !closed);
      })().finally(() => {
        syncing = undefined;
      });
    }
    return syncing;
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      void sync(false).finally(schedule);
    }, o.syncInterval);
    timer.unref();
  };

  const subscription: ChannelSubscription | undefined =
    options.subscriber === false
      ? undefined
      : subscribeChannel(options.client, options.subscriber, keys.channel, {
          message(payload) {
            const change = parseChange(payload);
            if (change !== undefined) onChange(change);
          },
          up() {
            void sync(true);
          },
          down() {
            epoch++;
            synced = false;
          },
        });
  if (subscription === undefined) void sync(true);
  schedule();

  const revoke = async (kind: RevocationKind, field: string, value: number) => {
    if (closed) throw unavailable('closed');
    await revokeScript(keyArgs, [kind, field, String(value), keys.channel, String(nowSeconds())]);
    applyChange({ version: -1, kind, field, value });
  };

  const text = (value: unknown, name: string) => {
    if (typeof value !== 'string') {
      throw configError(`${name} must be a string`);
    }
    return value;
  };
  const time = (value: unknown, name: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw configError(`${name} must be a finite number of epoch seconds`);
    }
    return value;
  };

  const lookup = async (token: Parameters<RevocationList['check']>[0]) => {
    const f = tokenFields(token);
    const r = flat(
      await lookupScript([keys.jti, keys.before, keys.kid], [f.jti, f.subject, f.issuer, f.kid]),
    );
    const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    return decide(
      token,
      {
        jtiUntil: num(r[0]),
        subjectBefore: num(r[1]),
        issuerBefore: num(r[2]),
        kidRevoked: r[3] === '1',
      },
      nowSeconds(),
    );
  };

  return {
    get synchronized() {
      return fresh();
    },
    ready() {
      if (fresh()) return Promise.resolve();
      if (closed) return Promise.reject(unavailable('closed'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    check(token) {
      if (!fresh() && !o.failOpen) throw unavailable('not synchronised with Redis');
      if (!overflow) return decide(token, mirror.facts(token), nowSeconds());
      return lookup(token).catch((err: unknown) => {
        if (o.failOpen) return undefined;
        throw err;
      });
    },
    async revokeToken(issuer, jti, expiresAt) {
      const field = revocationField('j', text(issuer, 'issuer'), text(jti, 'jti'));
      await revoke('j', field, time(expiresAt, 'expiresAt'));
    },
    async revokeSubject(issuer, subject, before) {
      const field = revocationField('s', text(issuer, 'issuer'), text(subject, 'subject'));
      await revoke('s', field, time(before, 'before'));
    },
    async revokeIssuer(issuer, before) {
      await revoke('i', revocationField('i', text(issuer, 'issuer')), time(before, 'before'));
    },
    async revokeKey(issuer, kid) {
      await revoke('k', revocationField('k', text(issuer, 'issuer'), text(kid, 'kid')), 0);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      const pending = waiters;
      waiters = [];
      for (const w of pending) w.reject(unavailable('closed'));
      await subscription?.close();
    },
  };
}
