// BENCH_BASELINE puts other builds' adapters beside ours in the same run: a change measured
// against the build before it, on the same machine, in alternating rounds (a figure from an
// earlier run would carry that run's load). It names one or more checkouts of this repo,
// installed and built: `<root>` or `<name>=<root>`, comma-separated, e.g.
//   BENCH_BASELINE=wave1=/tmp/wave1,pre-obs=/tmp/pre-obs
// A server process is told which one by its case id's `@<name>` suffix.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Baseline {
  /** The name given, else the commit. */
  readonly name: string;
  readonly root: string;
  /** `abc1234` of the checkout. */
  readonly commit: string;
}

function commitOf(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'log', '-1', '--format=%h'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown commit';
  }
}

function parse(value: string | undefined): readonly Baseline[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((item) => {
    const at = item.indexOf('=');
    const root = (at === -1 ? item : item.slice(at + 1)).trim();
    const commit = commitOf(root);
    return { name: at === -1 ? commit : item.slice(0, at).trim(), root, commit };
  });
}

/** The baselines asked for, in order (none without BENCH_BASELINE). */
export const BASELINES: readonly Baseline[] = parse(process.env.BENCH_BASELINE);

/** Checks every baseline before a run starts, naming the fix, rather than failing each case. */
export function assertBaselinesBuilt(): void {
  for (const { root } of BASELINES) {
    for (const name of ['core', 'express', 'fastify', 'koa']) {
      const entry = join(root, 'packages', name, 'dist', 'index.js');
      if (!existsSync(entry)) {
        throw new Error(
          `BENCH_BASELINE: ${entry} is missing; run \`pnpm install --frozen-lockfile && pnpm build\` in ${root}`,
        );
      }
    }
  }
}

/** The case id of `caseId`'s twin on `baseline`. */
export function twinId(caseId: string, baseline: Baseline): string {
  return `${caseId}@${baseline.name}`;
}

let selected: Baseline | undefined;

/**
 * In a server process: splits `<id>@<name>` into the builder's id and selects that baseline
 * for {@link loadBaseline}.
 */
export function selectBaseline(caseId: string): string {
  const at = caseId.lastIndexOf('@');
  if (at === -1) return caseId;
  const name = caseId.slice(at + 1);
  selected = BASELINES.find((b) => b.name === name);
  if (selected === undefined) throw new Error(`no baseline named ${name} in BENCH_BASELINE`);
  return caseId.slice(0, at);
}

/** One package of a baseline build (its dist, resolving its own dependencies). */
export async function loadBaseline<T>(
  name: 'core' | 'express' | 'fastify' | 'koa',
  baseline: Baseline | undefined = selected,
): Promise<T> {
  if (baseline === undefined) throw new Error('no baseline selected (BENCH_BASELINE)');
  const entry = join(baseline.root, 'packages', name, 'dist', 'index.js');
  return (await import(pathToFileURL(entry).href)) as T;
}
