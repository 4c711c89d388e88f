// Spawning the pinned server and load-generator processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadParams, LoadResult } from './load.js';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const LOAD = fileURLToPath(new URL('./load.ts', import.meta.url));
// The servers load the built packages (dist), as users install them; `pnpm bench` builds first.
const NODE_ARGS = ['--import', 'tsx'];

/** CPU pinning: server on core 0, load generator on core 1, when `taskset` and 2 cores exist. */
export interface Pinning {
  readonly enabled: boolean;
  readonly server: string;
  readonly load: string;
}

export function detectPinning(): Pinning {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  const enabled = hasTaskset && availableParallelism() >= 2;
  return { enabled, server: '0', load: '1' };
}

function start(
  pinning: Pinning,
  core: string,
  script: string,
  args: string[],
  nodeArgs: readonly string[] = [],
): ChildProcess {
  const node = [process.execPath, ...NODE_ARGS, ...nodeArgs, script, ...args];
  const [command, ...rest] = pinning.enabled ? ['taskset', '-c', core, ...node] : node;
  return spawn(command!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the first stdout line starting with `prefix` (rest of the line), or rejects. */
function lineFrom(child: ChildProcess, prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${prefix}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        if (line.startsWith(prefix)) {
          clearTimeout(timer);
          resolve(line.slice(prefix.length).trim());
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before "${prefix}"`));
    });
  });
}

export interface RunningServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startServer(
  pinning: Pinning,
  contextFile: string,
  caseId: string,
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  // taskset execs node, so the child's pid is the server's pid.
  const child = start(pinning, pinning.server, SERVER, [contextFile, caseId], nodeArgs);
  const port = Number(await lineFrom(child, 'LISTENING ', 60_000));
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function runLoad(
  pinning: Pinning,
  contextFile: string,
  params: LoadParams,
): Promise<LoadResult> {
  const child = start(pinning, pinning.load, LOAD, [contextFile, JSON.stringify(params)]);
  const limit = (params.warmup + params.duration) * 1000 + 60_000;
  return JSON.parse(await lineFrom(child, 'RESULT ', limit)) as LoadResult;
}
