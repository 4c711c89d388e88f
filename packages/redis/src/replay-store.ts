import { type ReplayStore, ServiceJwtError } from '@service-jwt/core';
import { clientKind, createCommandRunner, createScript, type RedisClientLike } from './client.js';
import { EPOCH_LUA, epochAt, lossRefusal, newEpochId } from './epoch.js';
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
  /**
   * Declares that Redis never loses a write it acknowledged, across restarts and failovers
   * (AOF with `appendfsync always`, and no failover to an asynchronous replica). A new Redis
   * process is then not taken for a loss; only a missing epoch record is. If the declaration is
   * wrong, `jti`s lost in a restart or a failover become replayable. @default false
   */
  readonly durableWrites?: boolean;
}

/** The largest ECMAScript time value (year 275760), in milliseconds. */
const MAX_PXAT = 8_640_000_000_000_000;

const KNOWN = [
  'client',
  'prefix',
  'clockTolerance',
  'commandTimeout',
  'maxInFlight',
  'retryAfter',
  'durableWrites',
];

// Replay keys are spread over this many hash-tagged buckets, each with its own epoch record in
// its slot, so a claim and its epoch check are one script on one node, and a Redis Cluster
// still spreads the keys over its masters (and loses, in a failover, only some buckets).
const BUCKETS = 32;

/**
 * KEYS epoch replayKey; ARGV pxat known fresh durable iat tolerance. Replies
 * `{result, epochId, since}`: 1 claimed, 0 already claimed (a replay), -1 issued before a loss
 * (not recorded: the token is not spent).
 */
const CLAIM_SCRIPT = `${EPOCH_LUA}
local id, since = epoch(KEYS[1], ARGV[2], ARGV[3], ARGV[4])
local s = tonumber(since)
if s > 0 and (ARGV[5] == '' or tonumber(ARGV[5]) < s + tonumber(ARGV[6])) then
  return {-1, id, since}
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PXAT', ARGV[1]) then return {1, id, since} end
return {0, id, since}
`;

/** KEYS epoch; ARGV known fresh durable. Replies `{epochId, since}`. */
const EPOCH_SCRIPT = `${EPOCH_LUA}
local id, since = epoch(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return {id, since}
`;

/** The bucket of a key: FNV-1a over its UTF-16 code units, which only places it. */
function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

/** A replay store on Redis: every claim is a round trip, so it always answers with a promise. */
export interface RedisReplayStore extends ReplayStore {
  claim(key: string, expiresAt: number, issuedAt?: number): Promise<boolean>;
  /**
   * Learns the epoch of every bucket, so that this instance recognises a loss in any of them
   * (the first claim does it too). Call it at start-up, beside the revocation list's `ready()`.
   * Rejects with `store_unavailable` when Redis can't answer; a later call or claim retries.
   */
  ready(): Promise<void>;
}

/**
 * A {@link ReplayStore} shared by every instance that uses the same Redis and prefix.
 *
 * `claim(key, expiresAt, issuedAt)` is one script that checks the store epoch and runs an atomic
 * `SET <prefix>replay:{r<n>}:<key> 1 NX PXAT <ms>`, the expiry being `expiresAt +
 * clockTolerance`: of any number of concurrent claims of one key, across any number of
 * processes, exactly one resolves `true`. The key passed by the verifier is core's
 * `replayKey(issuer, jti)`, so two issuers' `jti`s never collide.
 *
 * Survives a store loss: once it finds that Redis lost its records (README: store epoch), it
 * rejects every token issued before the loss (`issuedAt` before it plus `clockTolerance`, or
 * none) with `store_unavailable` until the token expires, without spending it.
 *
 * Fails closed: when Redis is unreachable, slow (beyond `commandTimeout`) or too many commands
 * are pending (`maxInFlight`), `claim` rejects with `store_unavailable` (503, `Retry-After`).
 * A claim that timed out may still be applied by Redis later; the token is then spent.
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option; `claim` rejects with
 *   `store_unavailable` (503) as above.
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
  clientKind(options.client, 'client');
  const prefix = keyPrefix(options.prefix, 'prefix', 'service-jwt:');
  const tolerance = nonNegativeNumber(options.clockTolerance, 'clockTolerance', 5);
  const toleranceMs = tolerance * 1000;
  const retryAfter = positiveInteger(options.retryAfter, 'retryAfter', 5);
  if (options.durableWrites !== undefined && typeof options.durableWrites !== 'boolean') {
    throw configError('durableWrites must be a boolean');
  }
  const durable = options.durableWrites === true ? '1' : '0';
  const runner = createCommandRunner({
    client: options.client,
    commandTimeout: positiveInteger(options.commandTimeout, 'commandTimeout', 1000),
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', 1000),
    retryAfter,
    what: 'replay store',
  });
  const claimScript = createScript(runner, CLAIM_SCRIPT);
  const epochScript = createScript(runner, EPOCH_SCRIPT);
  // The epoch id last seen per bucket: what lets a claim tell a flushed store from a new one.
  // All of them are learnt before the first claim: an instance that had never claimed in a
  // bucket would otherwise take that bucket, emptied by a loss, for one never used. One at a
  // time, so that a small maxInFlight is never exceeded by it.
  const known = new Array<string>(BUCKETS).fill('');
  const visit = async (bucket: number) => {
    const args = [known[bucket] as string, newEpochId(), durable];
    const reply = await epochScript([`${prefix}replay:{r${bucket}}`], args);
    known[bucket] = epochAt(Array.isArray(reply) ? reply : [], 0).id;
  };
  let learning: Promise<void> | undefined;
  const learn = () => {
    learning ??= (async () => {
      for (let b = 0; b < BUCKETS; b++) if (known[b] === '') await visit(b);
    })().catch((err: unknown) => {
      learning = undefined;
      throw err;
    });
    return learning;
  };
  // A loss found in one bucket is looked for in all the others at once: a bucket's epoch would
  // otherwise begin only at its next claim, and refuse tokens issued between the two.
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    void (async () => {
      for (let b = 0; b < BUCKETS; b++) await visit(b);
    })()
      .catch(() => undefined)
      .finally(() => {
        sweeping = false;
      });
  };

  return {
    ready: learn,
    async claim(key, expiresAt, issuedAt) {
      if (typeof key !== 'string' || key.length === 0) {
        throw new ServiceJwtError('configuration_error', 'replay key must be a non-empty string');
      }
      if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
        throw new ServiceJwtError(
          'configuration_error',
          'replay expiresAt must be a finite number',
        );
      }
      if (issuedAt !== undefined && (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt))) {
        throw new ServiceJwtError('configuration_error', 'replay issuedAt must be a finite number');
      }
      // Redis drops a key whose PXAT is already past and answers OK again and again, so the key
      // lives at least a little beyond this process's clock even for a stale `expiresAt`.
      // A far-future `exp` (any finite number passes the verifier) is capped at the last
      // representable date: Redis refuses a PXAT beyond 64-bit milliseconds or as exponent text.
      const at = Math.min(
        Math.ceil(Math.max(expiresAt * 1000, Date.now() + 1000) + toleranceMs),
        MAX_PXAT,
      );
      await learn();
      const bucket = bucketOf(key);
      const tag = `${prefix}replay:{r${bucket}}`;
      const reply = await claimScript(
        [tag, `${tag}:${key}`],
        [
          String(at),
          known[bucket] as string,
          newEpochId(),
          durable,
          issuedAt === undefined ? '' : String(issuedAt),
          String(tolerance),
        ],
      );
      const raw = Array.isArray(reply) ? (reply as unknown[]) : [];
      const epoch = epochAt(raw, 1);
      if (epoch.id !== known[bucket] && epoch.since > 0) sweep();
      known[bucket] = epoch.id;
      const result = Number(raw[0]);
      if (result === -1) {
        throw lossRefusal('replay store', epoch.since, tolerance, Date.now() / 1000, retryAfter);
      }
      return result === 1;
    },
    async close() {
      // The client belongs to the caller; nothing of ours stays open.
    },
  };
}
