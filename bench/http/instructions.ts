// Instructions per answer, a second opinion on the CPU-cost ratios:
//   pnpm bench:instructions <static|fresh|fresh-sig|big> <answers> <case-id> ... [--rounds N]
// Runs each case's server under valgrind's callgrind, which counts the instructions the server
// process executes (every thread, user space) instead of timing them. A count does not depend
// on what else the machine runs, so two builds can be compared on a busy machine; it weighs
// every instruction alike (no cache misses, no kernel time), so it is not a CPU-time ratio.
// V8's garbage collector and compiler still run on their own schedule, so repeat (`--rounds`).
// CALLGRIND_ARGS adds options to valgrind: `CALLGRIND_ARGS=--cache-sim=yes` also counts simulated
// cache misses per answer (read them with `callgrind_annotate` on the dumps).
//
// Per round and case: a new server under `callgrind --instr-atstart=no` (uninstrumented, so
// start-up and the warm-up run at a few times native cost), a warm-up of WARM answers,
// instrumentation on, 500 answers to settle, the counters zeroed, `<answers>` measured answers
// over four keep-alive connections, a dump. Prints instructions per 2xx answer, and per case
// the median and the lowest of the rounds.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { mintPool, mintSignaturePool } from './mint-pool.js';
import { headersFor, type LoadKind, type Requests, requestsOf } from './requests.js';
import { setUpBench } from './setup.js';

const USAGE =
  'usage: instructions.ts <static|fresh|fresh-sig|big> <answers> <case-id> [...] [--rounds N]';
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt === -1 ? 2 : Number(args.splice(roundsAt, 2)[1]);
const [kindArg, answersArg, ...cases] = args;
const KINDS: readonly string[] = ['static', 'fresh', 'fresh-sig', 'big'];
const answers = Number(answersArg);
if (
  kindArg === undefined ||
  !KINDS.includes(kindArg) ||
  !Number.isSafeInteger(answers) ||
  answers < 1 ||
  cases.length === 0 ||
  !Number.isSafeInteger(rounds) ||
  rounds < 1
) {
  throw new Error(USAGE);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
}
const kind = kindArg as LoadKind;
const warm = Number(process.env.WARM ?? 5000);
const SETTLE = 500;
const CONNECTIONS = 4;

const { dir, context, contextFile, jwks } = await setUpBench('service-jwt-instructions-');
const perServer = warm + SETTLE + answers;
if (kind === 'fresh') await mintPool(context, perServer * rounds * cases.length, 6 * 3600);
if (kind === 'fresh-sig') await mintSignaturePool(context, perServer * rounds * cases.length);
const load: Requests = requestsOf(context, kind);
let next = 0;

function send(port: number, agent: Agent): Promise<number> {
  const { method, path, headers, body } = load.request;
  const entry = load.pool.length === 0 ? undefined : load.pool[next++ % load.pool.length];
  const sent = entry === undefined ? headers : headersFor(kind, headers, entry);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent, method, path, headers: sent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `count` requests over four keep-alive connections; returns the 2xx answers. */
async function drive(port: number, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let left = count;
  let ok = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) {
        const status = await send(port, agent);
        if (status >= 200 && status < 300) ok++;
      }
    }),
  );
  agent.destroy();
  return ok;
}

function listening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

/** One server under callgrind: instructions per 2xx answer over the measured answers. */
async function measure(caseId: string, round: number): Promise<number> {
  const out = join(dir, `callgrind.${caseId}.${round}`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      ...(process.env.CALLGRIND_ARGS?.split(' ').filter(Boolean) ?? []),
      process.execPath,
      '--import',
      'tsx',
      'bench/http/server.ts',
      contextFile,
      caseId,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await listening(child);
    const control = (flag: string[]) =>
      execFileSync('callgrind_control', [...flag, String(child.pid)], { stdio: 'ignore' });
    await drive(port, warm);
    control(['-i', 'on']);
    await drive(port, SETTLE);
    control(['-z']);
    const ok = await drive(port, answers);
    control(['-d']);
    if (ok < answers) throw new Error(`${caseId}: only ${ok} of ${answers} answers were 2xx`);
    const dump = readdirSync(dir)
      .filter((name) => name.startsWith(`callgrind.${caseId}.${round}.`))
      .sort()
      .at(-1);
    if (dump === undefined) throw new Error(`${caseId}: callgrind wrote no dump`);
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
    if (totals === null) throw new Error(`${caseId}: no totals in ${dump}`);
    return Number(totals[1]) / ok;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const counts = new Map<string, number[]>(cases.map((id) => [id, []]));
try {
  // Interleaved: every case once per round, so a drift in V8's behaviour over time (none is
  // expected) would show as a spread rather than as a difference.
  for (let round = 0; round < rounds; round++) {
    for (const id of cases) {
      const perAnswer = await measure(id, round);
      counts.get(id)!.push(perAnswer);
      console.log(`round ${round + 1}  ${id}: ${(perAnswer / 1000).toFixed(1)} k instructions`);
    }
  }
} finally {
  await jwks.close();
}
// Two summaries: the median, and the lowest count. Processes of one build can settle in two
// states some percent apart for their whole life (which functions V8 optimised, whether a
// major GC fell in the counted window); the lowest count is each case's cheaper state, as
// `pnpm bench` reports each case's best run.
const [first] = cases as [string];
const baseMedian = median(counts.get(first)!);
const baseLowest = Math.min(...counts.get(first)!);
console.log(
  `\nthousand instructions per 2xx answer, median and lowest of ${rounds}, and ${first} / case for each:`,
);
for (const [id, values] of counts) {
  const each = values.map((v) => (v / 1000).toFixed(0)).join(', ');
  const mid = median(values);
  const low = Math.min(...values);
  console.log(
    `${(mid / 1000).toFixed(1).padStart(9)} ${(low / 1000).toFixed(1).padStart(9)}  ${(baseMedian / mid).toFixed(3)} ${(baseLowest / low).toFixed(3)}  ${id}  (${each})`,
  );
}
console.log(`\ndumps: ${dir}`);
