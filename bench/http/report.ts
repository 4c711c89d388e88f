// Renders bench/results.md from the measured figures.
import type { BenchGroup, Target } from './cases.js';
import type { LoadResult } from './load.js';

/**
 * A measured run. `slot` (`pass × rounds + round`, bench/http/measure-group.ts) pairs it with
 * the other cases' runs of the same round; runs recorded before 2026-12-04 16:00 UTC have none.
 */
export interface Run extends LoadResult {
  readonly slot?: number;
}

export interface Measured {
  readonly caseId: string;
  readonly label: string;
  readonly role: string;
  /** Every run of the case, in order. */
  readonly runs: readonly Run[];
}

export interface ReportInput {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly pinning: string;
  readonly settings: string;
  readonly groups: readonly { readonly group: BenchGroup; readonly rows: readonly Measured[] }[];
  readonly targets: readonly Target[];
  readonly pool: string;
  readonly memory: string;
  readonly memoryVerdict: string;
  readonly totalSeconds: number;
  readonly notes: string;
  /** Runs that could not be measured (case id and reason). */
  readonly failures?: readonly string[];
}

const SATURATED = 0.9;

/** How the targets table reads, for a run measured in paired rounds (since 2026-12-04). */
const PAIRED_METHOD = [
  "CPU-cost ratio, on which the targets are judged: the denominator's server CPU time per",
  "answer divided by the numerator's, taken in every round in which both were measured (the two",
  'processes alive side by side, measured a few seconds apart), and the median of those paired',
  'ratios. It estimates the req/s ratio each side would reach with a whole core to itself, and',
  'is the steadier figure when other work shares the machine. The req/s ratio of the best runs',
  'is shown beside it, and so is the ratio of the two lowest costs, wherever each came from (the',
  'method of the runs before 2026-12-04, 16:00 UTC).',
  '',
  'Noise: how far the paired ratios spread around their median (half their range, leaving out',
  'the highest and the lowest), from rounds in two or more pairs of processes. A miss smaller',
  'than that is inside what this machine reproduces from one round to the next; it is still a',
  'miss, and bench/README.md says what the profile and the instruction counts show is left.',
];

/** The same, for a run recorded before the paired rounds (`--render` of an older run). */
const LOWEST_METHOD = [
  "CPU-cost ratio, on which the targets are judged: the denominator's server CPU time per",
  "answer divided by the numerator's (the lowest µs/req of each case's runs). It estimates the",
  'req/s ratio each side would reach with a whole core to itself, and is the steadier figure',
  'when other work shares the machine. The req/s ratio is shown beside it.',
  '',
  "Noise: how far the same code's figure could have landed, from its runs (each a new server",
  'process): the second-lowest µs/req over the lowest, for whichever side of the ratio moved',
  'more (— with a single run). A miss smaller than that is inside what this machine reproduces',
  'from one process to the next; it is still a miss, and bench/README.md says what the profile',
  'and the instruction counts show is left.',
];

/** The run with the most answers: other work on the machine can only slow a run down. */
export function bestRun(m: Measured): LoadResult {
  return m.runs.reduce((best, r) => (r.rps > best.rps ? r : best));
}

export function bestRps(m: Measured): number {
  return bestRun(m).rps;
}

/** The lowest server CPU per answer over a case's runs, in µs. */
export function lowestCost(m: Measured): number {
  return Math.min(...m.runs.map((run) => run.serverUsPerRequest));
}

/**
 * How far the same code's figure could have landed: the second-lowest server CPU per answer
 * over the lowest, minus one. Each run is a new server process, so this is the process-to-process
 * and minute-to-minute noise of the best-run figure; a single disturbed run (the highest) does
 * not count. `undefined` with a single run (`--quick`): nothing to compare.
 */
export function runSpread(m: Measured): number | undefined {
  const costs = m.runs.map((run) => run.serverUsPerRequest).sort((a, b) => a - b);
  return costs.length < 2 ? undefined : costs[1]! / costs[0]! - 1;
}

/** The median of numbers already sorted in ascending order. */
const medianOfSorted = (sorted: readonly number[]): number => {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A target's CPU-cost ratio in one run of the bench. */
export interface CostRatio {
  /** The median over the paired rounds of the denominator's cost over the numerator's. */
  readonly ratio: number;
  /**
   * How far the paired ratios spread: half their range, leaving out the highest and the lowest
   * when there are four or more, over their median. `undefined` with a single pair.
   */
  readonly noise: number | undefined;
  /** The ratio of the two cases' lowest costs, whatever round each came from. */
  readonly lowest: number;
}

/**
 * `denominator / numerator` in server CPU per answer, from the rounds in which both were
 * measured. Runs without slots fall back to the lowest costs, with `runSpread` as the noise.
 */
export function costRatio(numerator: Measured, denominator: Measured): CostRatio | undefined {
  const lowestNum = lowestCost(numerator);
  if (!(lowestNum > 0)) return undefined;
  const lowest = lowestCost(denominator) / lowestNum;
  const bySlot = new Map(denominator.runs.map((r) => [r.slot, r.serverUsPerRequest]));
  const paired = numerator.runs.flatMap((r) => {
    const other = r.slot === undefined ? undefined : bySlot.get(r.slot);
    return other === undefined || !(r.serverUsPerRequest > 0) ? [] : [other / r.serverUsPerRequest];
  });
  if (paired.length === 0) {
    const spreads = [runSpread(numerator), runSpread(denominator)];
    const noise = spreads.includes(undefined) ? undefined : Math.max(...(spreads as number[]));
    return { ratio: lowest, noise, lowest };
  }
  const sorted = paired.sort((a, b) => a - b);
  const ratio = medianOfSorted(sorted);
  const kept = sorted.length >= 4 ? sorted.slice(1, -1) : sorted;
  const noise = sorted.length < 2 ? undefined : (kept[kept.length - 1]! - kept[0]!) / 2 / ratio;
  return { ratio, noise, lowest };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function pct(n: number): string {
  return `${Math.round(n * 100)}%`;
}

function rowFor(m: Measured, bare: number): string {
  const best = bestRun(m);
  const runs = m.runs.length > 1 ? ` (${m.runs.map((r) => fmt(r.rps)).join(' / ')})` : '';
  const costs =
    m.runs.length > 1 ? ` (${m.runs.map((r) => fmt(r.serverUsPerRequest)).join(' / ')})` : '';
  const load = `${pct(best.loadCpu)}${best.loadCpu >= SATURATED ? ' **sat.**' : ''}`;
  const bad = m.runs.reduce((s, r) => s + r.non2xx + r.errors, 0);
  const exhausted = m.runs.some((r) => r.poolExhausted) ? ' (pool ran out!)' : '';
  // Runs recorded before the split was measured have no kernel figure.
  const system: number | undefined = best.serverSystemUsPerRequest;
  const kernel = system === undefined ? '—' : fmt(system);
  return `| ${m.label} | ${fmt(best.rps)}${runs} | ${fmt(best.p50, 1)} | ${fmt(best.p99, 1)} | ${(best.rps / bare).toFixed(2)} | ${load} | ${pct(best.serverCpu)} | ${fmt(best.serverUsPerRequest)}${costs} | ${kernel} | ${bad}${exhausted} |`;
}

export function renderReport(input: ReportInput): string {
  // Every measured case by id: the targets' ratios and noise are derived from its runs.
  const byCase = new Map<string, Measured>();
  const out: string[] = [];
  out.push('# HTTP benchmark results', '');
  out.push(
    'Generated by `pnpm bench` (bench/run.ts); do not edit by hand. See bench/README.md.',
    '',
  );
  out.push(`- Date: ${input.date}`);
  out.push(`- Node: ${input.node}`);
  out.push(`- CPU: ${input.cpu} (${input.cores} cores)`);
  out.push(
    `- Load average (1/5/15 min) before the run: ${input.loadBefore}; after: ${input.loadAfter}`,
  );
  out.push(`- Pinning: ${input.pinning}`);
  out.push(`- Settings: ${input.settings}`);
  out.push(`- Fresh-token pool: ${input.pool}`);
  out.push(`- Whole run: ${fmt(input.totalSeconds)} s`, '');
  out.push(
    'Columns: req/s counts 2xx answers of the best run (every run in brackets, as for server',
    'µs/req); the other columns are of that run: latencies in ms (autocannon); ratio to the',
    "best run of the group's bare framework; load-gen CPU is the load",
    'generator process over the measured run as a share of one core (**sat.** = at least',
    `${pct(SATURATED)}: the load generator, not the server, may be the limit); server CPU likewise;`,
    'server µs/req is the server process CPU time per 2xx answer (from /proc/<pid>/stat), a cost',
    'figure that stays meaningful when other work shares the core; of which kernel is the part',
    'of the best run spent in the kernel (system time: mostly the socket reads and writes).',
    '',
  );
  for (const { group, rows } of input.groups) {
    const bareRow = rows.find((r) => r.role === 'bare');
    const bare = bareRow ? bestRps(bareRow) : Number.NaN;
    for (const r of rows) byCase.set(r.caseId, r);
    out.push(`## ${group.title}`, '');
    out.push(
      '| case | req/s | p50 | p99 | ratio to bare | load-gen CPU | server CPU | server µs/req | of which kernel | non-2xx/errors |',
    );
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) out.push(rowFor(r, bare));
    out.push('');
  }
  if (input.failures && input.failures.length > 0) {
    out.push('## Runs that failed', '');
    for (const f of input.failures) out.push(`- ${f}`);
    out.push('');
  }
  out.push('## Targets', '');
  out.push(
    '| target | CPU-cost ratio | required | verdict | noise | ratio of lowest costs | req/s ratio | peers, same CPU-cost ratio, same run |',
  );
  out.push('| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |');
  const costOf = (a: string, b: string): CostRatio | undefined => {
    const x = byCase.get(a);
    const y = byCase.get(b);
    return x === undefined || y === undefined ? undefined : costRatio(x, y);
  };
  const cost = (a: string, b: string): number | undefined => costOf(a, b)?.ratio;
  const ratio = (a: string, b: string): string => {
    const x = byCase.has(a) ? bestRps(byCase.get(a)!) : undefined;
    const y = byCase.has(b) ? bestRps(byCase.get(b)!) : undefined;
    return x === undefined || y === undefined || !(y > 0) ? '—' : (x / y).toFixed(2);
  };
  for (const t of input.targets) {
    const peers = (t.peers ?? [])
      .map(([label, a, b]) => [label, cost(a, b)] as const)
      .filter((p): p is readonly [string, number] => p[1] !== undefined)
      .map(([label, r]) => `${label} ${r.toFixed(2)}`)
      .join('; ');
    const figures = costOf(t.numerator, t.denominator);
    if (figures === undefined) {
      out.push(
        `| ${t.label} | not measured | ≥ ${Number(t.min.toFixed(2))} | not measured in this run | — | — | — | ${peers} |`,
      );
      continue;
    }
    const { ratio: measured, noise, lowest } = figures;
    const short = (t.min - measured) / t.min;
    const against =
      noise === undefined ? '' : `; ${short < noise ? 'less' : 'more'} than the noise`;
    const verdict =
      measured >= t.min
        ? 'met'
        : `**missed** by ${(t.min - measured).toFixed(2)} (${pct(short)} short${against})`;
    out.push(
      `| ${t.label} | ${measured.toFixed(2)} | ≥ ${Number(t.min.toFixed(2))} | ${verdict} | ${noise === undefined ? '—' : pct(noise)} | ${lowest.toFixed(2)} | ${ratio(t.numerator, t.denominator)} | ${peers} |`,
    );
  }
  const paired = input.groups.some(({ rows }) => rows.some((r) => r.runs[0]?.slot !== undefined));
  out.push('', ...(paired ? PAIRED_METHOD : LOWEST_METHOD), '');
  const saturated = input.groups.flatMap(({ rows }) =>
    rows.filter((r) => r.runs.some((run) => run.loadCpu >= SATURATED)).map((r) => r.label),
  );
  out.push(
    saturated.length === 0
      ? `Load generator: below ${pct(SATURATED)} of its core in every run (not saturated).`
      : `Load generator at ${pct(SATURATED)} of its core or more in some run of: ${saturated.join(', ')}; in those runs the load generator, not the server, may have set the pace.`,
    '',
  );
  out.push('## Memory: 1,000,000 distinct tokens (bench/memory.bench.ts)', '');
  out.push('Target: bounded heap growth, under 64 MiB.', '');
  out.push('```', input.memory.trim(), '```', '');
  if (input.memoryVerdict) out.push(input.memoryVerdict, '');
  if (input.notes.trim().length > 0) out.push(input.notes.trim(), '');
  return out.join('\n');
}
