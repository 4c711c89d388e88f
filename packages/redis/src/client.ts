import { createHash } from 'node:crypto';
import { ServiceJwtError } from '@service-jwt/core';

type Listener = (...args: unknown[]) => void;

/**
 * The part of an `ioredis` client (v5) this package uses. Pass your `new Redis(...)` instance;
 * it is detected by its `call` method and `status` property.
 */
export interface IoRedisClientLike {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IoRedisClientLike;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  disconnect(): void;
}

/**
 * The part of a node-redis client (`redis` v4 or v5, RESP2) this package uses. Pass a client you
 * have already `connect()`ed; it is detected by its `sendCommand` method and `isReady` property.
 */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisClientLike;
  connect(): Promise<unknown>;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
}

/**
 * The part of a node-redis cluster client (`createCluster()` of `redis` v4 or v5) this package
 * uses. Pass a cluster you have already `connect()`ed; it is detected by its `masters` property.
 * It can't serve as the revocation list's subscriber: see `subscriber`.
 */
export interface NodeRedisClusterLike {
  readonly isOpen: boolean;
  readonly masters: readonly unknown[];
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
}

/**
 * An `ioredis` client (`Redis` or `Cluster`), a node-redis client or a node-redis cluster,
 * connected (or connecting) by its owner.
 */
export type RedisClientLike = IoRedisClientLike | NodeRedisClientLike | NodeRedisClusterLike;

/** Which client library, and for node-redis whether a cluster: it decides how commands are sent. */
export type ClientKind = 'ioredis' | 'node-redis' | 'node-redis-cluster';

/** The kind of `client`; throws `configuration_error` naming `optionPath` for anything else. */
export function clientKind(client: unknown, optionPath: string): ClientKind {
  const c = client as Record<string, unknown> | null;
  if (c !== null && typeof c === 'object') {
    if (typeof c.call === 'function' && typeof c.status === 'string') return 'ioredis';
    if (typeof c.sendCommand === 'function') {
      if (typeof c.isReady === 'boolean') return 'node-redis';
      if (typeof c.isOpen === 'boolean' && Array.isArray(c.masters)) return 'node-redis-cluster';
    }
  }
  throw new ServiceJwtError(
    'configuration_error',
    `${optionPath} must be an ioredis client (Redis or Cluster), a node-redis (v4+) client or a node-redis cluster`,
  );
}

/** `true` for an `ioredis` client, `false` for a node-redis one; throws for anything else. */
export function isIoRedis(client: unknown, optionPath: string): client is IoRedisClientLike {
  return clientKind(client, optionPath) === 'ioredis';
}

/** Sends commands with a time-out, an in-flight cap and a fast failure while disconnected. */
export interface CommandRunner {
  /**
   * Runs one command; rejects with `store_unavailable` (503) when Redis can't answer in time.
   * `key` routes it on a node-redis cluster (ioredis finds the key itself).
   */
  run(args: readonly string[], key?: string): Promise<unknown>;
  /** Commands sent and not yet settled by the client (timed-out ones included). */
  readonly inFlight: number;
}

/** Options of {@link createCommandRunner}. */
export interface CommandRunnerOptions {
  readonly client: RedisClientLike;
  readonly commandTimeout: number;
  readonly maxInFlight: number;
  readonly retryAfter: number;
  readonly what: string;
}

// ioredis states in which a command would only wait in the offline queue for a reconnection
// that may never come: answer at once instead. `wait` (lazyConnect) and `connecting` are let
// through because the first command is what connects a lazy client; the time-out and the
// in-flight cap still bound them.
const IOREDIS_DOWN = new Set(['reconnecting', 'close', 'end']);

function isDown(client: RedisClientLike, kind: ClientKind): boolean {
  if (kind === 'ioredis') return IOREDIS_DOWN.has((client as IoRedisClientLike).status);
  // A node-redis cluster is open while single nodes come and go: the time-out covers those.
  if (kind === 'node-redis-cluster') return false;
  const nr = client as NodeRedisClientLike;
  return nr.isOpen && !nr.isReady;
}

/**
 * Wraps a client so that no caller ever waits longer than `commandTimeout` and no more than
 * `maxInFlight` commands are ever pending: while Redis is down or slow, requests are refused
 * with `store_unavailable` instead of piling up in the client's queue.
 */
export function createCommandRunner(options: CommandRunnerOptions): CommandRunner {
  const { client, commandTimeout, maxInFlight, retryAfter, what } = options;
  const kind = clientKind(client, 'client');
  let inFlight = 0;

  const unavailable = (reason: string, cause?: unknown) =>
    new ServiceJwtError('store_unavailable', `${what} unavailable: ${reason}`, {
      cause,
      retryAfter,
    });

  const send = (args: readonly string[], key: string | undefined): Promise<unknown> => {
    if (kind === 'ioredis') {
      const [command, ...rest] = args;
      return (client as IoRedisClientLike).call(command as string, ...rest);
    }
    if (kind === 'node-redis-cluster') {
      return (client as NodeRedisClusterLike).sendCommand(key, false, [...args]);
    }
    return (client as NodeRedisClientLike).sendCommand([...args]);
  };

  return {
    get inFlight() {
      return inFlight;
    },
    run(args, key) {
      if (isDown(client, kind)) return Promise.reject(unavailable('not connected to Redis'));
      if (inFlight >= maxInFlight) {
        return Promise.reject(unavailable('too many Redis commands pending'));
      }
      let pending: Promise<unknown>;
      try {
        pending = send(args, key);
      } catch (err) {
        return Promise.reject(unavailable('Redis command failed', err));
      }
      inFlight++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(unavailable(`no answer from Redis within ${commandTimeout} ms`));
        }, commandTimeout);
        pending.then(
          (value) => {
            inFlight--;
            clearTimeout(timer);
            resolve(value);
          },
          (err: unknown) => {
            inFlight--;
            clearTimeout(timer);
            reject(unavailable('Redis command failed', err));
          },
        );
      });
    },
  };
}

/** A Lua script run by its SHA-1 (`EVALSHA`), loaded with `EVAL` when Redis lacks it. */
export type Script = (keys: readonly string[], args: readonly string[]) => Promise<unknown>;

export function createScript(runner: CommandRunner, source: string): Script {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (keys, args) => {
    const rest = [String(keys.length), ...keys, ...args];
    try {
      return await runner.run(['EVALSHA', sha, ...rest], keys[0]);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (!(cause instanceof Error) || !cause.message.startsWith('NOSCRIPT')) throw err;
      return runner.run(['EVAL', source, ...rest], keys[0]);
    }
  };
}
