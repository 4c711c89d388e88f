// Interleaved A/B of two server cases, for checking a difference seen in `pnpm bench`:
//   pnpm build && node --import tsx bench/http/ab.ts <case-a> <case-b> [static|big|fresh] [rounds] [pairs]
// Both servers run at once (core 0) and the load generator (core 1) alternates between them,
// 1 s warm-up + 2 s per round, so both meet the same disturbances. Prints every round and the
// medians. `fresh`: a case sends what its group (or its own `kind`) says; the token and
// signature pools are minted first, and every round takes its own slice of them, so no
// server sees a token or nonce twice. `pairs` (default 1) repeats the whole with new server
// processes each time: two processes of the same code can differ by 10-20 % for their whole
// life (JIT decisions, memory layout), which more rounds in the same pair do not average out.
// The medians are then over every round of every pair.
import { rmSync } from 'node:fs';
import { GROUPS } from './cases.js';
import { detectPinning, runLoad, startServer } from './processes.js';
import type { LoadKind } from './requests.js';
import { setUpBench } from './setup.js';

const [a, b, kindArg = 'static', roundsArg = '5', pairsArg = '1'] = process.argv.slice(2);
if (
  a === undefined ||
  b === undefined ||
  (kindArg !== 'static' && kindArg !== 'big' && kindArg !== 'fresh')
) {
  throw new Error('usage: ab.ts <case-a> <case-b> [static|big|fresh] [rounds] [pairs]');
}
const kindOf = (id: string): LoadKind =>
  GROUPS.flatMap((g) => g.cases).find((c) => c.id === id)?.kind ?? (kindArg as LoadKind);
// Fresh pools: enough for the fastest fresh server for 3 s a round, per round.
const SLICE = 30_000;
const median = (xs: readonly number[]): number =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const { dir, context, contextFile, jwks } = await setUpBench('service-jwt-ab-');
if (kindArg === 'fresh') {
  const { mintPool, mintSignaturePool } = await import('./mint-pool.js');
  const count = SLICE * Number(roundsArg) * Number(pairsArg);
  console.log(`minting ${count} tokens and ${count} signatures…`);
  await mintPool(context, count, 3600);
  await mintSignaturePool(context, count);
}
const pinning = detectPinning();
const rounds = Number(roundsArg);
const costs: number[][] = [[], []];
const kernel: number[][] = [[], []];
const rates: number[][] = [[], []];
const refused = [0, 0];
const pairRatios: number[] = [];
try {
  for (let pair = 0; pair < Number(pairsArg); pair++) {
    const servers = [
      await startServer(pinning, contextFile, a),
      await startServer(pinning, contextFile, b),
    ];
    const pairCosts: number[][] = [[], []];
    try {
      for (let round = 0; round < rounds; round++) {
        for (const [i, server] of servers.entries()) {
          const url = `http://127.0.0.1:${server.port}`;
          const params = {
            url,
            kind: kindOf(i === 0 ? a : b),
            warmup: 1,
            duration: 2,
            connections: 50,
            serverPid: server.pid,
            offset: (pair * rounds + round) * SLICE,
          };
          const result = await runLoad(pinning, contextFile, params);
          costs[i]!.push(result.serverUsPerRequest);
          kernel[i]!.push(result.serverSystemUsPerRequest);
          pairCosts[i]!.push(result.serverUsPerRequest);
          rates[i]!.push(result.rps);
          refused[i]! += result.non2xx + result.errors;
        }
      }
    } finally {
      for (const server of servers) await server.stop();
    }
    pairRatios.push(median(pairCosts[0]!) / median(pairCosts[1]!));
  }
} finally {
  await jwks.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const [i, id] of [a, b].entries()) {
  const us = costs[i]!.map((x) => x.toFixed(0)).join(' ');
  const rps = rates[i]!.map((x) => x.toFixed(0)).join(' ');
  const sys = kernel[i]!.map((x) => x.toFixed(0)).join(' ');
  console.log(`${id}: server µs/req ${us} (kernel ${sys}); req/s ${rps}; non-2xx ${refused[i]}`);
}
const cost = median(costs[0]!) / median(costs[1]!);
const rate = median(rates[1]!) / median(rates[0]!);
console.log(
  `${b} / ${a}: CPU-cost ratio ${cost.toFixed(3)}, req/s ratio ${rate.toFixed(3)} (medians)`,
);
if (pairRatios.length > 1) {
  console.log(`CPU-cost ratio of each pair: ${pairRatios.map((r) => r.toFixed(3)).join(' ')}`);
}
console.log(`JWKS requests: ${jwks.requests}`);
