// How a server case's cost per answer settles after it starts:
//   pnpm bench:settle <static|fresh|big> <seconds> <case-id> ...   (ROUNDS=<n>, default 2; RATE=<n>)
// Starts each case in a new server process, as `pnpm bench` does, loads it without a pause for
// `<seconds>` (50 connections, as the bench), and prints the server's CPU µs per answer for each
// second since the load began. A falling series is the process still warming up (V8 optimising
// the hot functions, the heap growing to its working size); `pnpm bench` should measure after it
// flattens. The load runs in this process, pinned to the load generator's core. Rounds alternate
// the order of the cases, so both meet the same drift of a shared machine. RATE=<requests per
// second> sends at that fixed rate instead of as fast as the server answers: every case then
// answers the same number of requests in the same time, so a cost that differs only because a
// slower server is loaded differently (fewer answers per wake-up) drops out of the comparison.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import autocannon from 'autocannon';
import { readContext } from './context.js';
import { cpuTicks, TICKS_PER_SECOND } from './cpu-ticks.js';
import { mintPool } from './mint-pool.js';
import { detectPinning, startServer } from './processes.js';
import { headersFor, type LoadKind, requestsOf } from './requests.js';
import { setUpBench } from './setup.js';

const [kindArg, secondsArg, ...ids] = process.argv.slice(2);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const RATE = process.env.RATE === undefined ? undefined : Number(process.env.RATE);
if (!['static', 'fresh', 'big'].includes(kindArg ?? '') || ids.length === 0) {
  throw new Error('usage: settle.ts <static|fresh|big> <seconds> <case-id> ... (ROUNDS=2, RATE=n)');
}
if (RATE !== undefined && !(RATE > 0))
  throw new Error('RATE must be a positive number of requests a second');
const kind = kindArg as LoadKind;
const seconds = Number(secondsArg);
// Fresh tokens, a share of the pool per server process: enough for 4,000 answers a second, more
// than any of our fresh-token cases answers on these hosts (2,500 was not: one replayed every
// token after its share ran out). Bare and the peer, the faster cases, keep no replay record,
// so a token seen twice still counts for them.
const SLICE = 4_000 * seconds;
// Seconds the fresh tokens stay valid: longer than any settle run, so none expires mid-load.
const TOKEN_LIFETIME = 3600;

const { dir, context: minted, contextFile, jwks } = await setUpBench('service-jwt-settle-');
const pinning = detectPinning();
if (pinning.enabled) spawnSync('taskset', ['-a', '-p', '-c', pinning.load, String(process.pid)]);
try {
  if (kind === 'fresh') await mintPool(minted, SLICE * ids.length * ROUNDS, TOKEN_LIFETIME);
  const { pool, request } = requestsOf(readContext(contextFile), kind);
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of round % 2 === 0 ? ids : [...ids].reverse()) {
      const server = await startServer(pinning, contextFile, id);
      const costs: number[] = [];
      try {
        const load = autocannon({
          url: `http://127.0.0.1:${server.port}`,
          connections: 50,
          pipelining: 1,
          ...(RATE === undefined ? {} : { overallRate: RATE }),
          duration: seconds,
          requests: [
            pool.length === 0
              ? request
              : {
                  ...request,
                  setupRequest: (req: object) => ({
                    ...req,
                    headers: headersFor(kind, request.headers, pool[next++ % pool.length]!),
                  }),
                },
          ],
        });
        const spent = (): number => {
          const { user, system } = cpuTicks(server.pid);
          return user + system;
        };
        let before = spent();
        load.on('tick', ({ counter }) => {
          // The last tick can fall after the load stopped, with no answer in it.
          if (counter === 0) return;
          const now = spent();
          costs.push((((now - before) / TICKS_PER_SECOND) * 1e6) / counter);
          before = now;
        });
        const result = await load;
        const refused = result.non2xx + result.errors + result.timeouts;
        const series = costs.map((c) => c.toFixed(0).padStart(5)).join('');
        console.log(`${id.padEnd(32)}${series}${refused > 0 ? `  (${refused} refused)` : ''}`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await jwks.close();
  rmSync(dir, { recursive: true, force: true });
}
