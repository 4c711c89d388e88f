import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, type Redis } from 'ioredis';
import { freePort, ioredis, probeUntil, waitFor } from './redis.js';

// A private Redis Cluster on loopback: three masters, each with one replica, no persistence.
// Every process is started and stopped here by its pid; the node timeout is short so that a
// replica takes over a killed master within seconds.

const NODE_TIMEOUT_MS = 1000;

interface Node {
  readonly port: number;
  process: ChildProcess;
}

export interface PrivateCluster {
  /** Every node's port (masters and replicas, as created). */
  readonly ports: readonly number[];
  /** An ioredis `Cluster` client with the settings the README recommends. */
  client(): Cluster;
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** Ports of the masters now. */
  masters(): Promise<number[]>;
  /** SIGKILLs the node on `port`, and waits until a replica serves its slots (bounded). */
  failOver(port: number): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      // A replica takes over however long its link was down.
      '--cluster-replica-validity-factor',
      '0',
      '--save',
      '',
      '--appendonly',
      'no',
      '--repl-diskless-sync-delay',
      '0',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function redisCli(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', [...args], { timeout: 20_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

/** `CLUSTER SLOTS` of a live node: [start, end, [host, port, id], ...replicas]. */
async function slotOwners(probe: Redis): Promise<Array<[number, number, number]>> {
  const slots = (await probe.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  return slots.map(([start, end, master]) => [start, end, Number(master[1])]);
}

async function clusterOk(port: number, limitMs: number): Promise<void> {
  await probeUntil(
    port,
    async (probe) => /cluster_state:ok/.test(String(await probe.call('CLUSTER', 'INFO'))),
    limitMs,
  );
}

export async function startCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sjwt-cluster-'));
  const nodes: Node[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    nodes.push({ port, process: launch(port, dir) });
  }
  const alive = () =>
    nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  const stop = async () => {
    for (const n of nodes) {
      n.process.kill('SIGKILL');
      await exited(n.process);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const n of nodes) await probeUntil(n.port, async (p) => (await p.ping()) === 'PONG');
    await redisCli([
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    for (const n of nodes) await clusterOk(n.port, 20_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const withProbe = async <T>(use: (probe: Redis) => Promise<T>): Promise<T> => {
    const probe = ioredis(alive()[0]!.port, { retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      return await use(probe);
    } finally {
      probe.disconnect();
    }
  };
  const masterOf = (key: string) =>
    withProbe(async (probe) => {
      const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', key));
      const owner = (await slotOwners(probe)).find(([start, end]) => start <= slot && slot <= end);
      if (owner === undefined) throw new Error(`no master serves slot ${slot}`);
      return owner[2];
    });

  return {
    ports: nodes.map((n) => n.port),
    client() {
      return new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], {
        redisOptions: { maxRetriesPerRequest: 1 },
        slotsRefreshInterval: 500,
        clusterRetryStrategy: () => 100,
      });
    },
    masterOf,
    masters: () =>
      withProbe(async (probe) => [...new Set((await slotOwners(probe)).map(([, , port]) => port))]),
    async failOver(port) {
      const node = nodes.find((n) => n.port === port);
      if (node === undefined) throw new Error(`no node on port ${port}`);
      const before = await withProbe(slotOwners);
      node.process.kill('SIGKILL');
      await exited(node.process);
      // Bounded: failure detection (node timeout) and the replica's election, on busy cores.
      await waitFor(
        () =>
          withProbe(async (probe) => {
            const owners = await slotOwners(probe).catch(() => before);
            const info = String(await probe.call('CLUSTER', 'INFO'));
            return /cluster_state:ok/.test(info) && owners.every(([, , p]) => p !== port);
          }).catch(() => false),
        30_000,
        100,
      );
    },
    stop,
  };
}
