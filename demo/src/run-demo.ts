import type { Outcome } from './call.js';
import { observeRun } from './observe-run.js';
import { observe } from './observed.js';
import { createScenarios, type Expected } from './scenarios.js';
import { createTable, describe } from './table.js';
import { startWorld } from './world.js';

/** One played scenario. */
export interface DemoRow {
  readonly caller: string;
  readonly callee: string;
  readonly token: string;
  readonly expected: Expected;
  readonly outcome: Outcome;
  readonly ok: boolean;
}

/** What {@link runDemo} played. */
export interface DemoReport {
  readonly rows: readonly DemoRow[];
  /** Every outcome was the expected one. */
  readonly ok: boolean;
  /** Wall time from the first service starting to the last one closed, milliseconds. */
  readonly elapsedMs: number;
}

const CHALLENGE: Readonly<Record<number, string>> = {
  401: 'invalid_token',
  403: 'insufficient_scope',
};

/** Whether `outcome` is what the scenario expected (status, code, challenge, own checks). */
export function outcomeMatches(expected: Expected, outcome: Outcome): boolean {
  if (outcome.problem !== undefined) return false;
  if (outcome.status !== expected.status || outcome.code !== expected.code) return false;
  // A refusal also carries the RFC 6750 challenge that goes with its status.
  const challenge = CHALLENGE[expected.status];
  return challenge === undefined || outcome.challenge === challenge;
}

/**
 * Starts the demo's services on 127.0.0.1, plays every scenario in order, prints the table
 * through `write` and closes everything. Never rejects for a scenario that went wrong: that
 * row is marked ✗ and `ok` is false.
 */
export async function runDemo(
  write: (line: string) => void = console.log,
  options: { readonly observe?: boolean } = {},
): Promise<DemoReport> {
  const started = performance.now();
  const observed = observe();
  const run = options.observe === true ? observeRun() : undefined;
  const world = await startWorld(run?.logs);
  const rows: DemoRow[] = [];
  try {
    const scenarios = createScenarios(world);
    write('service-jwt demo: real services on 127.0.0.1, keys generated just now');
    write(`  M2 (Express) ${world.urls.m2}    orders (Koa) ${world.urls.orders}`);
    write(
      `  Census (Fastify) ${world.urls.census} behind a tampering proxy ${world.urls.tamperProxy}`,
    );
    write(`  signing gateway (Express) ${world.urls.gateway} in front of a legacy login backend`);
    write(
      `  checkout chain: gateway (Express) ${world.urls.checkout} → orders (Koa) → billing (Fastify) ${world.urls.billing}`,
    );
    write(
      `  token services (Express): the shop's ${world.urls.tokenService}, staging ${world.urls.stagingTokenService}`,
    );
    write('');
    const table = createTable(scenarios, write);
    table.header();
    for (const [index, scenario] of scenarios.entries()) {
      let outcome: Outcome;
      try {
        outcome = await scenario.run();
      } catch (err) {
        outcome = { status: 0, problem: err instanceof Error ? err.message : String(err) };
      }
      const ok = outcomeMatches(scenario.expected, outcome);
      rows.push({ ...scenario, outcome, ok });
      table.row(index, outcome, ok);
    }
  } finally {
    await world.close();
    observed.stop();
  }
  const elapsedMs = performance.now() - started;
  const failed = rows.filter((row) => !row.ok);
  write('');
  if (run !== undefined) {
    await run.report(write);
    write('');
  }
  for (const line of observed.summary()) write(line);
  write('');
  for (const row of failed) {
    const why = row.outcome.problem ?? `got ${describe(row.outcome)}`;
    write(`✗ ${row.caller} → ${row.callee}: expected ${describe(row.expected)}; ${why}`);
  }
  write(
    `${rows.length - failed.length}/${rows.length} outcomes as expected in ${(elapsedMs / 1000).toFixed(1)} s`,
  );
  return { rows, ok: failed.length === 0, elapsedMs };
}
