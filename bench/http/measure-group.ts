// How `pnpm bench` measures one group: in passes, each with a new server process for every
// case, all of them alive at once (pinned to the server core), while the load generator visits
// them in turn, a few short rounds per pass. Every target compares two cases of one group, and
// this puts each pair of measurements a few seconds apart. The hosts this runs on can switch
// between two speeds for minutes at a time; measured one case after the other, a case could
// draw all its processes from the slow state and its bare framework one from the fast state
// (bench/http/notes.md, runs N and O), and no count of runs fixed that.
import type { BenchGroup } from './cases.js';
import type { LoadResult } from './load.js';
import { type Pinning, type RunningServer, runLoad, startServer } from './processes.js';
import type { LoadKind } from './requests.js';

/** The timing of a group's measurement. */
export interface GroupPlan {
  /** Passes, each with new server processes. */
  readonly passes: number;
  /** Rounds per pass: every case measured once per round. */
  readonly rounds: number;
  /** Seconds of load before a process's first measured run. */
  readonly warmup: number;
  /** Seconds of load before each later measured run of the same process (connections, caches). */
  readonly rewarm: number;
  /** Seconds measured per run. */
  readonly duration: number;
  readonly connections: number;
}

/** One measured run, with the slot (`pass × rounds + round`) that pairs it with the others'. */
export interface SlottedRun extends LoadResult {
  readonly slot: number;
}

/** Seconds of load one server process receives over a pass: what a fresh pool must cover. */
export function loadedSecondsPerProcess(plan: GroupPlan): number {
  return plan.warmup + plan.duration + (plan.rounds - 1) * (plan.rewarm + plan.duration);
}

export interface GroupMeasurement {
  readonly pinning: Pinning;
  readonly contextFile: string;
  /** Why a case is left out of the whole group (say, no Redis), or `undefined`. */
  readonly skip: (caseId: string) => string | undefined;
  readonly log: (line: string) => void;
  /** A case that could not be started or measured; the others go on. */
  readonly fail: (caseId: string, reason: string) => void;
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function describe(id: string, r: LoadResult): string {
  return `  ${id.padEnd(28)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  load-gen ${(r.loadCpu * 100).toFixed(0)}%  server ${(r.serverCpu * 100).toFixed(0)}% ${r.serverUsPerRequest.toFixed(0)} µs/req (kernel ${r.serverSystemUsPerRequest.toFixed(0)})  non-2xx ${r.non2xx + r.errors}`;
}

/** Measures every case of `group` under `plan`; returns each case's runs in slot order. */
export async function measureGroup(
  group: BenchGroup,
  plan: GroupPlan,
  io: GroupMeasurement,
): Promise<Map<string, SlottedRun[]>> {
  const runs = new Map<string, SlottedRun[]>();
  const cases = group.cases.filter((c) => {
    const skipped = io.skip(c.id);
    if (skipped !== undefined) io.log(`  ${c.id}: skipped, ${skipped}`);
    return skipped === undefined;
  });
  for (let pass = 0; pass < plan.passes; pass++) {
    io.log(`  pass ${pass + 1} of ${plan.passes}`);
    const servers = new Map<string, RunningServer>();
    const started = await Promise.allSettled(
      cases.map((c) => startServer(io.pinning, io.contextFile, c.id)),
    );
    for (const [i, outcome] of started.entries()) {
      if (outcome.status === 'fulfilled') servers.set(cases[i]!.id, outcome.value);
      else io.fail(cases[i]!.id, `did not start: ${reason(outcome.reason)}`);
    }
    // Where each process's next run starts in a fresh pool: no process sees a token twice.
    const offsets = new Map<string, number>();
    try {
      for (let round = 0; round < plan.rounds; round++) {
        const slot = pass * plan.rounds + round;
        // Alternate the order, so that the pairs of every target meet a drift alike.
        const order = slot % 2 === 0 ? cases : [...cases].reverse();
        for (const c of order) {
          const server = servers.get(c.id);
          if (server === undefined) continue;
          const params = {
            url: `http://127.0.0.1:${server.port}`,
            kind: (c.kind ?? group.kind) satisfies LoadKind,
            warmup: round === 0 ? plan.warmup : plan.rewarm,
            duration: plan.duration,
            connections: plan.connections,
            serverPid: server.pid,
            offset: offsets.get(c.id) ?? 0,
          };
          try {
            let result = await runLoad(io.pinning, io.contextFile, params);
            let offset = params.offset + result.tokensUsed;
            if (result.ok === 0) {
              // A stalled run (seen once on a busy machine): measure again rather than report zero.
              io.log(`  ${c.id}: no answer in the measured run, measuring again`);
              result = await runLoad(io.pinning, io.contextFile, { ...params, offset });
              offset += result.tokensUsed;
            }
            offsets.set(c.id, offset);
            io.log(describe(c.id, result));
            runs.set(c.id, [...(runs.get(c.id) ?? []), { ...result, slot }]);
          } catch (error) {
            // One broken case (say, a package mid-edit) must not lose the others' figures.
            io.fail(c.id, reason(error));
          }
        }
      }
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }
  return runs;
}
