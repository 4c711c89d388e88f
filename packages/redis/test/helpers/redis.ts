import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

/** A key prefix no other test run (ours or another engineer's) can collide with. */
export function testPrefix(label: string): string {
  return `sjwt-test:${label}:${process.pid}:${randomUUID().slice(0, 8)}:`;
}

/** An ioredis client with the settings the README recommends. */
export function ioredis(port = 6379, options: RedisOptions = {}): Redis {
  return new Redis({
    host: '127.0.0.1',
    port,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
    ...options,
  });
}

/** Deletes every key under `prefix` (bounded SCAN loop). */
export async function removeKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let i = 0; i < 10_000; i++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

/** Polls `condition` every `stepMs` until it holds or `limitMs` passes; returns elapsed ms. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  limitMs: number,
  stepMs = 5,
): Promise<number> {
  const start = Date.now();
  for (let i = 0; i < Math.ceil(limitMs / stepMs) + 1; i++) {
    if (await condition()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  throw new Error(`condition not met within ${limitMs} ms`);
}

/** A free loopback port: bind a server to port 0, read the port, close it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** A private, throwaway `redis-server` on a loopback port, which tests may kill and restart. */
export interface PrivateRedis {
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** Starts a fresh server on the same port (after `kill`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Connects a short-lived probe to `port` and polls `condition` with it (bounded). */
export async function probeUntil(
  port: number,
  condition: (probe: Redis) => Promise<boolean>,
  limitMs = 5000,
): Promise<void> {
  const probe = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return await condition(probe);
        } catch {
          probe.disconnect();
          return false;
        }
      },
      limitMs,
      20,
    );
  } finally {
    probe.disconnect();
  }
}

async function launch(port: number, dir: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    // No persistence: a restart is a loss of everything. No diskless-sync delay: a replica
    // gets its first copy at once.
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--repl-diskless-sync-delay',
      '0',
      // A replica writes the copy it receives to disk: in a folder of its own.
      '--dir',
      dir,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  await probeUntil(port, async (probe) => (await probe.ping()) === 'PONG');
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a private server; `args` are extra `redis-server` arguments (e.g. `--replicaof`). */
export async function startPrivateRedis(args: readonly string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sjwt-redis-'));
  let child = await launch(port, dir, args);
  return {
    port,
    get process() {
      return child;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      child = await launch(port, dir, args);
    },
    async stop() {
      child.kill('SIGKILL');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
