import { type RevocationList, ServiceJwtError } from '@service-jwt/core';
import { createCommandRunner, createScript, isIoRedis, type RedisClientLike } from './client.js';
import { checkKnownOptions, configError, keyPrefix, positiveInteger } from './options.js';
import {
  LOOKUP_SCRIPT,
  REVOKE_SCRIPT,
  type RevocationKind,
  revocationField,
  revocationKeys,
} from './revocation-layout.js';
import { decide, tokenFields } from './revocation-mirror.js';
import { createMirrorSync, flat } from './revocation-sync.js';
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
  const revokeScript = createScript(runner, REVOKE_SCRIPT);
  const lookupScript = createScript(runner, LOOKUP_SCRIPT);
  const nowSeconds = () => o.now() / 1000;

  let closed = false;
  const unavailable = (reason: string) =>
    new ServiceJwtError('store_unavailable', `revocation list unavailable: ${reason}`, {
      retryAfter: o.retryAfter,
    });

  // The subscription's callbacks fire asynchronously, after `state` exists.
  let subscription: ChannelSubscription | undefined;
  // A snapshot may hold maxEntries revocations: give it longer than one small command. Safety
  // does not depend on it (checks fail closed once maxStaleness passes); recovery does.
  const snapshotRunner = createCommandRunner({
    client: options.client,
    commandTimeout: 10 * o.commandTimeout,
    maxInFlight: 2,
    retryAfter: o.retryAfter,
    what: 'revocation list',
  });
  const state = createMirrorSync({
    runner,
    snapshotRunner,
    keys,
    maxEntries: o.maxEntries,
    maxStaleness: o.maxStaleness,
    syncInterval: o.syncInterval,
    commandTimeout: o.commandTimeout,
    nowSeconds,
    subscribed: options.subscriber === false ? undefined : () => subscription?.active === true,
  });
  if (options.subscriber !== false) {
    subscription = subscribeChannel(options.client, options.subscriber, keys.channel, {
      message: (payload) => state.message(payload),
      up: () => void state.sync(true),
      down: () => state.down(),
    });
  }

  const revoke = async (kind: RevocationKind, field: string, value: number) => {
    if (closed) throw unavailable('closed');
    await revokeScript(keyArgs, [kind, field, String(value), keys.channel, String(nowSeconds())]);
    state.applyLocal(kind, field, value);
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
      return !closed && state.fresh();
    },
    ready() {
      if (closed) return Promise.reject(unavailable('closed'));
      return state.whenFresh();
    },
    check(token) {
      if ((closed || !state.fresh()) && !o.failOpen) {
        throw unavailable('not synchronised with Redis');
      }
      if (!state.overflow) return decide(token, state.mirror.facts(token), nowSeconds());
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
      state.stop(unavailable('closed'));
      await subscription?.close();
    },
  };
}
