// `pnpm bench`: the HTTP benchmark. Each server runs in its own process pinned to core 0, the
// autocannon load generator in another pinned to core 1; every case gets a warm-up and a fixed
// measured run. Writes bench/results.md. Options: --quick (short runs), --only <group,...>,
// --out <file>, --no-memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveJwks } from '@service-jwt/testing';
import { GROUPS, TARGETS } from './http/cases.js';
import { createContext, writeContext } from './http/context.js';
import type { LoadParams, LoadResult } from './http/load.js';
import { mintPool } from './http/mint-pool.js';
import { detectPinning, runLoad, startServer } from './http/processes.js';
import { type Measured, meanRps, renderReport } from './http/report.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = flag('--quick');
const WARMUP = QUICK ? 1 : 2;
const DURATION = QUICK ? 2 : 6;
const CONNECTIONS = 50;
const POOL_LIFETIME = 1800;
const only = value('--only')?.split(',');
const root = fileURLToPath(new URL('..', import.meta.url));
const outFile = value('--out') ?? join(root, 'bench', 'results.md');

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

const loads = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(6379, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function runMemoryBench(): Promise<string> {
  return new Promise((resolve) => {
    const script = join(root, 'bench', 'memory.bench.ts');
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx/esm', '--conditions=source', script],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      text += '\n(stopped after 240 s)';
    }, 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? text : `${text}\n(exit code ${code})`);
    });
  });
}

function memoryVerdict(text: string): string {
  const growth = [...text.matchAll(/growth\s+(-?[\d.]+) MiB/g)].map((m) => Number(m[1]));
  if (growth.length === 0) return 'Verdict: no figures (see output above).';
  const worst = Math.max(...growth);
  return `Verdict: largest heap growth ${worst.toFixed(1)} MiB — ${worst < 64 ? 'met (under 64 MiB)' : '**missed** (64 MiB target)'}.`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loads();
  const pinning = detectPinning();
  const dir = mkdtempSync(join(tmpdir(), 'service-jwt-bench-'));
  let contextJwk: Record<string, unknown> = {};
  const jwks = await serveJwks(() => ({ keys: [contextJwk as never] }));
  const context = createContext(jwks.url, join(dir, 'pool.txt'));
  contextJwk = context.publicJwk;
  const contextFile = join(dir, 'context.json');
  writeContext(contextFile, context);
  const hasRedis = await redisUp();
  let poolNote = 'not used';
  let expressBare = 0;

  const measure = async (caseId: string, kind: LoadParams['kind']): Promise<LoadResult> => {
    const server = await startServer(pinning, contextFile, caseId);
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const params = {
        url,
        kind,
        warmup: WARMUP,
        duration: DURATION,
        connections: CONNECTIONS,
        serverPid: server.pid,
      };
      let result = await runLoad(pinning, contextFile, params);
      if (result.ok === 0) {
        // A stalled run (seen once on a busy machine): measure again rather than report zero.
        console.log(`  ${caseId}: no answer in the measured run, measuring again`);
        result = await runLoad(pinning, contextFile, params);
      }
      console.log(
        `  ${caseId.padEnd(28)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  load-gen ${(result.loadCpu * 100).toFixed(0)}%  server ${(result.serverCpu * 100).toFixed(0)}% ${result.serverUsPerRequest.toFixed(0)} µs/req  non-2xx ${result.non2xx + result.errors}`,
      );
      return result;
    } finally {
      await server.stop();
    }
  };

  const groups = [];
  try {
    for (const group of GROUPS) {
      if (only && !only.includes(group.id)) continue;
      console.log(`${group.title}`);
      const rows: Measured[] = [];
      const [bare, ...others] = group.cases;
      if (group.kind === 'fresh') {
        // Sized from bare Express's GET rate measured earlier (faster than this POST with a body).
        const rate = expressBare > 0 ? expressBare : 15_000;
        const count = Math.ceil(rate * (WARMUP + DURATION) * 1.1) + CONNECTIONS * 4;
        const seconds = await mintPool(context, count, POOL_LIFETIME);
        poolNote = `${count.toLocaleString('en-US')} distinct RS256 tokens (bare Express GET rate × (warm-up + run) × 1.1), minted in ${seconds.toFixed(1)} s with worker threads before the group's runs; every case starts at the pool's first token, each server process with an empty replay store (Redis: a fresh key prefix)`;
        console.log(`  minted ${count} tokens in ${seconds.toFixed(1)} s`);
      }
      const bareFirst = await measure(bare!.id, group.kind);
      for (const c of others) {
        if (c.id.includes('redis') && !hasRedis) {
          console.log(`  ${c.id}: skipped, no Redis on 127.0.0.1:6379`);
          continue;
        }
        rows.push({
          caseId: c.id,
          label: c.label,
          role: c.role,
          runs: [await measure(c.id, group.kind)],
        });
      }
      const bareLast = await measure(bare!.id, group.kind);
      rows.unshift({
        caseId: bare!.id,
        label: bare!.label,
        role: 'bare',
        runs: [bareFirst, bareLast],
      });
      groups.push({ group, rows });
      if (group.id === 'express-static') expressBare = meanRps(rows[0]!);
      const b = meanRps(rows[0]!);
      for (const r of rows.slice(1))
        console.log(`  ratio ${r.caseId}: ${(meanRps(r) / b).toFixed(2)}`);
    }
  } finally {
    await jwks.close();
  }

  let memory = '(skipped with --no-memory)';
  let verdict = '';
  if (!flag('--no-memory')) {
    console.log('memory: bench/memory.bench.ts');
    memory = await runMemoryBench();
    console.log(memory);
    verdict = memoryVerdict(memory);
  }
  rmSync(dir, { recursive: true, force: true });

  let notes = '';
  try {
    notes = readFileSync(join(root, 'bench', 'http', 'notes.md'), 'utf8');
  } catch {
    // no notes
  }
  const report = renderReport({
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loads(),
    pinning: pinning.enabled
      ? `taskset: servers on core ${pinning.server}, load generator on core ${pinning.load}`
      : 'none (taskset missing or fewer than 2 cores): figures share cores',
    settings: `autocannon ${CONNECTIONS} connections, pipelining 1, ${WARMUP} s warm-up then ${DURATION} s measured per case${QUICK ? ' (--quick)' : ''}`,
    groups,
    targets: TARGETS,
    pool: poolNote,
    memory,
    memoryVerdict: verdict,
    totalSeconds: (performance.now() - started) / 1000,
    notes,
  });
  writeFileSync(outFile, report);
  console.log(`wrote ${outFile}`);
}

await main();
