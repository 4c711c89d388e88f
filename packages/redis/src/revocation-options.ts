import {
  clientKind,
  type IoRedisClientLike,
  type NodeRedisClientLike,
  type RedisClientLike,
} from './client.js';
import {
  checkKnownOptions,
  configError,
  keyPrefix,
  nonNegativeNumber,
  positiveInteger,
} from './options.js';

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
   * periodic synchronisation only. A node-redis cluster can't be duplicated: with one as
   * `client`, pass a node-redis client connected to a node of the cluster, or `false`.
   */
  readonly subscriber?: IoRedisClientLike | NodeRedisClientLike | false;
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
  /**
   * Seconds of clock skew between issuers and Redis allowed for after a store loss: a token
   * whose `iat` is less than this after the loss is refused with the tokens issued before it.
   * @default 5
   */
  readonly clockTolerance?: number;
  /**
   * Declares that Redis never loses a write it acknowledged, across restarts and failovers
   * (AOF with `appendfsync always`, and no failover to an asynchronous replica). A new Redis
   * process is then not taken for a loss; only a missing epoch record is. If the declaration is
   * wrong, revocations lost in a restart or a failover are silently gone. @default false
   */
  readonly durableWrites?: boolean;
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
  'clockTolerance',
  'durableWrites',
];

export function validate(options: RedisRevocationListOptions) {
  if (options === null || typeof options !== 'object') {
    throw configError('createRedisRevocationList: options must be an object');
  }
  checkKnownOptions(options, KNOWN, 'createRedisRevocationList');
  const kind = clientKind(options.client, 'client');
  if (options.subscriber !== undefined && options.subscriber !== false) {
    if (clientKind(options.subscriber, 'subscriber') === 'node-redis-cluster') {
      throw configError('subscriber must be an ioredis or node-redis client, not a cluster');
    }
    if (options.subscriber === options.client) {
      // A connection in subscriber mode refuses ordinary commands.
      throw configError('subscriber must be a separate connection from client');
    }
  } else if (options.subscriber === undefined && kind === 'node-redis-cluster') {
    throw configError(
      'subscriber is required with a node-redis cluster client: pass a node-redis client connected to one node of the cluster, or false',
    );
  }
  for (const name of ['failOpen', 'durableWrites'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw configError(`${name} must be a boolean`);
    }
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
    clockTolerance: nonNegativeNumber(options.clockTolerance, 'clockTolerance', 5),
    durable: options.durableWrites === true ? '1' : '0',
  };
}
