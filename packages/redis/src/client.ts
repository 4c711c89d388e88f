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

/** An `ioredis` or node-redis client, connected (or connecting) by its owner. */
export type RedisClientLike = IoRedisClientLike | NodeRedisClientLike;

/** `true` for an `ioredis` client, `false` for a node-redis one; throws for anything else. */
export function isIoRedis(client: unknown, optionPath: string): client is IoRedisClientLike {
  const c = client as Record<string, unknown> | null;
  if (c !== null && typeof c === 'object') {
    if (typeof c.call === 'function' && typeof c.status === 'string') return true;
    if (typeof c.sendCommand === 'function' && typeof c.isReady === 'boolean') return false;
  }
  throw new ServiceJwtError(
    'configuration_error',
    `${optionPath} must be an ioredis client or a node-redis (v4+) client`,
  );
}

/** Sends commands with a time-out, an in-flight cap and a fast failure while disconnected. */
export interface CommandRunner {
  /** Runs one command; rejects with `store_unavailable` (503) when Redis can't answer in time. */
  run(args: readonly string[]): Promise<unknown>;
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

function isDown(client: RedisClientLike, io: boolean): boolean {
  if (io) return IOREDIS_DOWN.has((client as IoRedisClientLike).status);
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
  const io = isIoRedis(client, 'client');
  let inFlight = 0;

  const unavailable = (reason: string, cause?: unknown) =>
    new ServiceJwtError('store_unavailable', `${what} unavailable: ${reason}`, {
      cause,
      retryAfter,
    });

  const send = (args: readonly string[]): Promise<unknown> => {
    if (io) {
      const [command, ...rest] = args;
      return (client as IoRedisClientLike).call(command as string, ...rest);
    }
    return (client as NodeRedisClientLike).sendCommand([...args]);
  };

  return {
    get inFlight() {
      return inFlight;
    },
    run(args) {
      if (isDown(client, io)) return Promise.reject(unavailable('not connected to Redis'));
      if (inFlight >= maxInFlight) {
        return Promise.reject(unavailable('too many Redis commands pending'));
      }
      let pending: Promise<unknown>;
      try {
        pending = send(args);
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
      return await runner.run(['EVALSHA', sha, ...rest]);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (!(cause instanceof Error) || !cause.message.startsWith('NOSCRIPT')) throw err;
      return runner.run(['EVAL', source, ...rest]);
    }
  };
}
