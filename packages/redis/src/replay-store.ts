import { type ReplayStore, ServiceJwtError } from '@service-jwt/core';
import { createCommandRunner, isIoRedis, type RedisClientLike } from './client.js';
import {
  checkKnownOptions,
  configError,
  keyPrefix,
  nonNegativeNumber,
  positiveInteger,
} from './options.js';

/** Options of {@link createRedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /**
   * An `ioredis` or node-redis (v4+) client, owned and connected by you. It is never closed by
   * the store. See the README for the client settings this package expects.
   */
  readonly client: RedisClientLike;
  /** Prepended to every key. Use one per service so two services' `jti`s never meet. @default 'service-jwt:' */
  readonly prefix?: string;
  /**
   * Seconds added to `expiresAt` before it becomes the key's expiry, to absorb clock skew
   * between the verifiers and the Redis server (Redis expires keys by its own clock).
   * @default 5
   */
  readonly clockTolerance?: number;
  /** Longest wait for one Redis command, in milliseconds, before `store_unavailable`. @default 1000 */
  readonly commandTimeout?: number;
  /** Most commands pending at once; more are refused at once with `store_unavailable`. @default 1000 */
  readonly maxInFlight?: number;
  /** `Retry-After` seconds on `store_unavailable`. @default 5 */
  readonly retryAfter?: number;
}

/** The largest ECMAScript time value (year 275760), in milliseconds. */
const MAX_PXAT = 8_640_000_000_000_000;

const KNOWN = ['client', 'prefix', 'clockTolerance', 'commandTimeout', 'maxInFlight', 'retryAfter'];

/** A replay store on Redis: every claim is a round trip, so it always answers with a promise. */
export interface RedisReplayStore extends ReplayStore {
  claim(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * A {@link ReplayStore} shared by every instance that uses the same Redis and prefix.
 *
 * `claim(key, expiresAt)` is one atomic `SET <prefix>replay:<key> 1 NX PXAT <ms>`, the expiry
 * being `expiresAt + clockTolerance`: of any number of concurrent claims of one key, across any
 * number of processes, exactly one resolves `true`. The key passed by the verifier is core's
 * `replayKey(issuer, jti)`, so two issuers' `jti`s never collide.
 *
 * Fails closed: when Redis is unreachable, slow (beyond `commandTimeout`) or too many commands
 * are pending (`maxInFlight`), `claim` rejects with `store_unavailable` (503, `Retry-After`).
 * A claim that timed out may still be applied by Redis later; the token is then spent.
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option.
 * @example
 * ```ts
 * const redis = new Redis({ maxRetriesPerRequest: 1 });
 * const verifier = createVerifier({ issuers, audience: 'orders',
 *   replay: createRedisReplayStore({ client: redis, prefix: 'orders:' }) });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): RedisReplayStore {
  if (options === null || typeof options !== 'object') {
    throw configError('createRedisReplayStore: options must be an object');
  }
  checkKnownOptions(options, KNOWN, 'createRedisReplayStore');
  isIoRedis(options.client, 'client');
  const prefix = keyPrefix(options.prefix, 'prefix', 'service-jwt:');
  const toleranceMs = nonNegativeNumber(options.clockTolerance, 'clockTolerance', 5) * 1000;
  const runner = createCommandRunner({
    client: options.client,
    commandTimeout: positiveInteger(options.commandTimeout, 'commandTimeout', 1000),
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', 1000),
    retryAfter: positiveInteger(options.retryAfter, 'retryAfter', 5),
    what: 'replay store',
  });
  const keyPrefixReplay = `${prefix}replay:`;

  return {
    async claim(key, expiresAt) {
      if (typeof key !== 'string' || key.length === 0) {
        throw new ServiceJwtError('configuration_error', 'replay key must be a non-empty string');
      }
      if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
        throw new ServiceJwtError(
          'configuration_error',
          'replay expiresAt must be a finite number',
        );
      }
      // Redis drops a key whose PXAT is already past and answers OK again and again, so the key
      // lives at least a little beyond this process's clock even for a stale `expiresAt`.
      // A far-future `exp` (any finite number passes the verifier) is capped at the last
      // representable date: Redis refuses a PXAT beyond 64-bit milliseconds or as exponent text.
      const at = Math.min(
        Math.ceil(Math.max(expiresAt * 1000, Date.now() + 1000) + toleranceMs),
        MAX_PXAT,
      );
      const reply = await runner.run(['SET', keyPrefixReplay + key, '1', 'NX', 'PXAT', String(at)]);
      return reply !== null && reply !== undefined;
    },
    async close() {
      // The client belongs to the caller; nothing of ours stays open.
    },
  };
}
