// `pnpm bench`: the HTTP benchmark. Each server runs in its own process pinned to core 0, the
// autocannon load generator in another pinned to core 1. A group's servers are alive together
// and measured in turn, in short paired rounds (bench/http/measure-group.ts); every target's
// ratio is the median of its paired rounds. Writes bench/results.md. Options: --quick (one
// short round), --only <group,...>, --out <file>, --no-memory, --render (rewrite the results
// file from the last run's figures).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBaselinesBuilt, BASELINES } from './http/baseline.js';
import { type BenchGroup, GROUPS, TARGETS } from './http/cases.js';
import { type GroupPlan, loadedSecondsPerProcess, measureGroup } from './http/measure-group.js';
import { mintPool, mintSignaturePool } from './http/mint-pool.js';
import { detectPinning } from './http/processes.js';
import {
  bestRps,
  costRatio,
  type Measured,
  type ReportInput,
  renderReport,
} from './http/report.js';
import { setUpBench } from './http/setup.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = flag('--quick');
/**
 * Seconds of load before a server process's first measured run; a group may ask for more
 * (`BenchGroup.warmup`).
 */
const WARMUP = QUICK ? 1 : 2;
/**
 * Seconds of load before each later measured run of the same process; a group may ask for more
 * (`BenchGroup.rewarm`).
 */
const REWARM = 1;
const DURATION = 2;
/**
 * Passes per group, each with a new server process per case. Three: processes of the same code
 * differ by up to 20 % for their whole life, and a ratio over three pairs of processes lands
 * nearer the code's own cost than over one or two.
 */
const PASSES = QUICK ? 1 : 3;
/** Rounds per pass: each case measured once per round, in alternating order. */
const ROUNDS = QUICK ? 1 : 2;
const CONNECTIONS = 50;
const POOL_LIFETIME = 1800;
const only = value('--only')?.split(',');
const root = fileURLToPath(new URL('..', import.meta.url));
const outFile = value('--out') ?? join(root, 'bench', 'results.md');
const LAST_RUN = join(tmpdir(), 'service-jwt-bench-last-run.json');

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

/** A group's warm-up: its own when it asks for one, except with --quick. */
const warmupOf = (group: BenchGroup): number => (QUICK ? WARMUP : (group.warmup ?? WARMUP));
/** A group's warm-up before a process's later runs, likewise. */
const rewarmOf = (group: BenchGroup): number => (QUICK ? REWARM : (group.rewarm ?? REWARM));

/** A warm-up as the settings line states it: the default and any group's own. */
function warmupNote(of: (group: BenchGroup) => number, fallback: number): string {
  const own = GROUPS.filter((g) => of(g) !== fallback);
  if (own.length === 0) return `${fallback} s`;
  return `${fallback} s (${own.map((g) => `${g.id} ${of(g)} s`).join(', ')})`;
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

function readNotes(): string {
  try {
    return readFileSync(join(root, 'bench', 'http', 'notes.md'), 'utf8');
  } catch {
    return '';
  }
}

/** `--render`: rewrites the results file from the last run's figures with the current notes. */
function rerender(): void {
  const input = JSON.parse(readFileSync(LAST_RUN, 'utf8')) as ReportInput;
  writeFileSync(outFile, renderReport({ ...input, targets: TARGETS, notes: readNotes() }));
  console.log(`wrote ${outFile} from ${LAST_RUN}`);
}

async function main(): Promise<void> {
  assertBaselinesBuilt();
  const started = performance.now();
  const loadBefore = loads();
  const pinning = detectPinning();
  const { dir, context, contextFile, jwks } = await setUpBench('service-jwt-bench-');
  const hasRedis = await redisUp();
  let poolNote = 'not used';
  let expressBare = 0;

  const failures: string[] = [];
  const planOf = (group: BenchGroup): GroupPlan => ({
    passes: PASSES,
    rounds: ROUNDS,
    warmup: warmupOf(group),
    rewarm: rewarmOf(group),
    duration: DURATION,
    connections: CONNECTIONS,
  });
  const io = {
    pinning,
    contextFile,
    skip: (caseId: string) =>
      caseId.includes('redis') && !hasRedis ? 'no Redis on 127.0.0.1:6379' : undefined,
    log: (line: string) => console.log(line),
    fail: (caseId: string, reason: string) => {
      console.log(`  ${caseId}: FAILED (${reason})`);
      failures.push(`${caseId}: ${reason}`);
    },
  };

  const groups = [];
  try {
    for (const group of GROUPS) {
      if (only && !only.includes(group.id)) continue;
      console.log(`${group.title}`);
      const plan = planOf(group);
      if (group.kind === 'fresh') {
        // Sized from bare Express's GET rate measured earlier (faster than this POST with a body).
        // A floor, so a bare run slowed down by other work cannot leave the pool short. Each
        // process takes its tokens from the pool's start, one slice per run, none twice.
        const rate = Math.max(expressBare, 8_000);
        const count =
          Math.ceil(rate * loadedSecondsPerProcess(plan) * 1.1) + CONNECTIONS * 4 * plan.rounds;
        const seconds = await mintPool(context, count, POOL_LIFETIME);
        poolNote = `${count.toLocaleString('en-US')} distinct RS256 tokens (max(best bare Express GET rate, 8,000/s) × the seconds of load one server process receives × 1.1), minted in ${seconds.toFixed(1)} s with worker threads before the group's runs; every server process starts at the pool's first token, hence an empty replay store (Redis: a fresh key prefix per process), and each of its runs goes on where its last one stopped`;
        console.log(`  minted ${count} tokens in ${seconds.toFixed(1)} s`);
        if (group.cases.some((c) => c.kind === 'fresh-sig')) {
          const signing = await mintSignaturePool(context, count);
          console.log(`  signed ${count} request signatures in ${signing.toFixed(1)} s`);
        }
      }
      const runs = await measureGroup(group, plan, io);
      const rows: Measured[] = group.cases
        .filter((c) => runs.has(c.id))
        .map((c) => ({ caseId: c.id, label: c.label, role: c.role, runs: runs.get(c.id)! }));
      groups.push({ group, rows });
      if (rows[0]?.role !== 'bare') continue;
      if (group.id === 'express-static') expressBare = bestRps(rows[0]);
      const b = bestRps(rows[0]);
      for (const r of rows.slice(1)) {
        const cost = costRatio(r, rows[0]);
        const ratios = `CPU-cost ${cost?.ratio.toFixed(2) ?? '—'} (lowest costs ${cost?.lowest.toFixed(2) ?? '—'}), req/s ${(bestRps(r) / b).toFixed(2)}`;
        console.log(`  ratio ${r.caseId}: ${ratios}`);
      }
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

  const notes = readNotes();
  const input: ReportInput = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loads(),
    pinning: pinning.enabled
      ? `taskset: servers on core ${pinning.server}, load generator on core ${pinning.load}`
      : 'none (taskset missing or fewer than 2 cores): figures share cores',
    settings: `autocannon ${CONNECTIONS} connections, pipelining 1; ${PASSES} pass(es) per group, each with a new server process per case, all of a group's processes alive together; ${ROUNDS} round(s) per pass, each case measured once per round in alternating order: ${warmupNote(warmupOf, WARMUP)} of warm-up before a process's first run, ${warmupNote(rewarmOf, REWARM)} before its later ones, ${DURATION} s measured per run; targets from the median of the paired rounds${QUICK ? ' (--quick)' : ''}${BASELINES.length === 0 ? '' : `; baseline builds (BENCH_BASELINE): ${BASELINES.map((b) => `${b.name} = commit ${b.commit}`).join(', ')}`}`,
    groups,
    targets: TARGETS,
    pool: poolNote,
    memory,
    memoryVerdict: verdict,
    totalSeconds: (performance.now() - started) / 1000,
    notes,
    failures,
  };
  writeFileSync(LAST_RUN, JSON.stringify(input));
  writeFileSync(outFile, renderReport(input));
  console.log(`wrote ${outFile}`);
}

if (flag('--render')) rerender();
else await main();
