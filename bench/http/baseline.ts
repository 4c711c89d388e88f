// BENCH_BASELINE=<root of another checkout of this repo, installed and built> puts that build's
// adapters beside ours in the same run: a change measured against the build before it, on the
// same machine, in alternating rounds (a figure from an earlier run would carry that run's load).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The baseline checkout's root, or undefined when no baseline is asked for. */
export const BASELINE_ROOT: string | undefined = process.env.BENCH_BASELINE || undefined;

/** `abc1234` of the baseline checkout, for labels. */
export function baselineCommit(): string {
  if (BASELINE_ROOT === undefined) return '';
  try {
    return execFileSync('git', ['-C', BASELINE_ROOT, 'log', '-1', '--format=%h'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return BASELINE_ROOT;
  }
}

/** Checks the baseline before a run starts, naming the fix, rather than failing every case. */
export function assertBaselineBuilt(): void {
  if (BASELINE_ROOT === undefined) return;
  for (const name of ['core', 'express', 'fastify', 'koa']) {
    const entry = join(BASELINE_ROOT, 'packages', name, 'dist', 'index.js');
    if (!existsSync(entry)) {
      throw new Error(
        `BENCH_BASELINE: ${entry} is missing; run \`pnpm install --frozen-lockfile && pnpm build\` in ${BASELINE_ROOT}`,
      );
    }
  }
}

/** One package of the baseline build (its dist, resolving its own dependencies). */
export async function loadBaseline<T>(name: 'core' | 'express' | 'fastify' | 'koa'): Promise<T> {
  if (BASELINE_ROOT === undefined) throw new Error('BENCH_BASELINE is not set');
  const entry = join(BASELINE_ROOT, 'packages', name, 'dist', 'index.js');
  return (await import(pathToFileURL(entry).href)) as T;
}
