// How a server case's cost per answer settles after it starts:
//   pnpm bench:settle <static|fresh|big> <seconds> <case-id> ...   (ROUNDS=<n>, default 2)
// Starts each case in a new server process, as `pnpm bench` does, and loads it with back-to-back
// one-second runs for `<seconds>`, printing server CPU µs per 2xx answer for each second since
// the load began. A falling series is the process still warming up (V8 optimising the hot
// functions, the heap growing to its working size); `pnpm bench` should measure after it flattens.
// Rounds alternate the order of the cases, so both meet the same drift of a shared machine.
import { rmSync } from 'node:fs';
import { mintPool } from './mint-pool.js';
import { detectPinning, runLoad, startServer } from './processes.js';
import type { LoadKind } from './requests.js';
import { setUpBench } from './setup.js';

const [kindArg, secondsArg, ...ids] = process.argv.slice(2);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
if (!['static', 'fresh', 'big'].includes(kindArg ?? '') || ids.length === 0) {
  throw new Error('usage: settle.ts <static|fresh|big> <seconds> <case-id> ... (ROUNDS=2)');
}
const kind = kindArg as LoadKind;
const seconds = Number(secondsArg);
// Fresh tokens, one slice per server process: enough for 2,500 answers a second (bare and the
// peer, the faster cases, keep no replay record, so a token seen twice still counts for them).
const SLICE = 2_500 * seconds;

const { dir, context, contextFile, jwks } = await setUpBench('service-jwt-settle-');
const pinning = detectPinning();
const series = new Map<string, number[][]>(ids.map((id) => [id, []]));
try {
  if (kind === 'fresh') await mintPool(context, SLICE * ids.length * ROUNDS, 3600);
  let slice = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of round % 2 === 0 ? ids : [...ids].reverse()) {
      const server = await startServer(pinning, contextFile, id);
      const costs: number[] = [];
      let offset = slice++ * SLICE;
      try {
        for (let second = 0; second < seconds; second++) {
          const url = `http://127.0.0.1:${server.port}`;
          const params = { url, kind, warmup: 0, duration: 1, connections: 50, offset };
          const result = await runLoad(pinning, contextFile, { ...params, serverPid: server.pid });
          costs.push(result.serverUsPerRequest);
          offset += result.tokensUsed;
        }
      } finally {
        await server.stop();
      }
      series.get(id)!.push(costs);
      console.log(`${id.padEnd(32)} ${costs.map((c) => c.toFixed(0).padStart(5)).join('')}`);
    }
  }
} finally {
  await jwks.close();
  rmSync(dir, { recursive: true, force: true });
}
