// The load-generator process: `load.ts <context.json> <params-json>`. Runs autocannon
// (programmatic API) for a warm-up and then a measured run against one server, and prints one
// JSON line with the figures and this process's own CPU use over the measured run.
import autocannon from 'autocannon';
import { readContext } from './context.js';
import { cpuTicks, TICKS_PER_SECOND } from './cpu-ticks.js';
import { headersFor, type LoadKind, requestsOf } from './requests.js';

export interface LoadParams {
  readonly url: string;
  readonly kind: LoadKind;
  readonly warmup: number;
  readonly duration: number;
  readonly connections: number;
  readonly serverPid: number;
  /** First pool entry to hand out (fresh kinds): A/B rounds each take their own slice. */
  readonly offset?: number;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Load generator CPU over the measured run, as a fraction of one core. */
  readonly loadCpu: number;
  /** Server process CPU over the measured run, as a fraction of one core. */
  readonly serverCpu: number;
  /** Server CPU time per 2xx answer, in microseconds (robust to a busy machine). */
  readonly serverUsPerRequest: number;
  /** The kernel's share of `serverUsPerRequest` (system time: socket reads and writes). */
  readonly serverSystemUsPerRequest: number;
  /** Distinct pool tokens handed out (fresh cases), and whether the pool ran out. */
  readonly tokensUsed: number;
  readonly poolExhausted: boolean;
}

async function main(): Promise<void> {
  const [contextFile, paramsJson] = process.argv.slice(2);
  const context = readContext(contextFile!);
  const params = JSON.parse(paramsJson!) as LoadParams;
  const { pool, request } = requestsOf(context, params.kind);
  let next = params.offset ?? 0;
  const first = next;
  let exhausted = false;
  const setupRequest =
    pool.length === 0
      ? undefined
      : (req: object) => {
          if (next >= pool.length) {
            exhausted = true;
            next = 0;
          }
          return { ...req, headers: headersFor(params.kind, request.headers, pool[next++]!) };
        };
  const options = {
    url: params.url,
    connections: params.connections,
    pipelining: 1,
    requests: [{ ...request, ...(setupRequest ? { setupRequest } : {}) }],
  };
  await autocannon({ ...options, duration: params.warmup });
  const cpu0 = process.cpuUsage();
  const ticks0 = cpuTicks(params.serverPid);
  const t0 = performance.now();
  const result = await autocannon({ ...options, duration: params.duration });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ticks1 = cpuTicks(params.serverPid);
  const systemTicks = ticks1.system - ticks0.system;
  const ticks = ticks1.user - ticks0.user + systemTicks;
  const perAnswer = (n: number): number =>
    ((n / TICKS_PER_SECOND) * 1e6) / Math.max(1, result['2xx']);
  const out: LoadResult = {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    loadCpu: (cpu.user + cpu.system) / 1e6 / wall,
    serverCpu: ticks / TICKS_PER_SECOND / wall,
    serverUsPerRequest: perAnswer(ticks),
    serverSystemUsPerRequest: perAnswer(systemTicks),
    tokensUsed: pool.length === 0 ? 0 : next - first,
    poolExhausted: exhausted,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

await main();
