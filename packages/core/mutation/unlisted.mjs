// Prints a `--mutate` value that selects the mutants of FILES that are not on the equivalent
// list: `pnpm mutation --mutate "$(node packages/core/mutation/unlisted.mjs FILE...)"`.
//
// A listed mutant survives, so it runs every test that covers it: on a loaded machine the
// listed ones take most of a run. When the mutated code has not changed since the list was
// made, a run of the others answers the question that matters (does every test still kill
// what it killed?) in a fraction of the time. Stryker takes every mutant inside a range, so a
// mutant whose span holds a listed one (a function body emptied, say) is left out too; the
// count of those goes to stderr with the rest of the tally. Paths are relative to the
// repository root.
//
// With --rest, prints the ranges of the mutants left out above (the listed ones, and those
// holding one), so that two runs together cover every mutant of FILES:
// `pnpm mutation --mutate "$(node packages/core/mutation/unlisted.mjs --rest FILE...)"`. A
// holding mutant's range takes in every mutant inside it, so this run is not small: for the
// ten files it selected 1,135 of 1,635 mutants.
//
// With --check, prints nothing but checks the list against the code, no run needed: each entry
// for these files must match as many mutants as its `count` (1 unless given); exit 1 if not.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findEntry } from './equivalents.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const check = process.argv.includes('--check');
const rest = process.argv.includes('--rest');
const files = process.argv.slice(2).filter((arg) => arg !== '--check' && arg !== '--rest');
if (files.length === 0) {
  console.error('usage: node packages/core/mutation/unlisted.mjs FILE...');
  process.exit(2);
}

// Stryker's own instrumenter, reached through @stryker-mutator/core (pnpm does not hoist it).
const fromCore = createRequire(
  createRequire(join(root, 'package.json')).resolve('@stryker-mutator/core'),
);
const { Instrumenter } = await import(fromCore.resolve('@stryker-mutator/instrumenter'));
const quiet = () => false;
const logger = { debug() {}, info() {}, warn() {}, error() {}, trace() {} };
Object.assign(logger, { isDebugEnabled: quiet, isTraceEnabled: quiet, isInfoEnabled: quiet });

const sources = new Map(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]));
const { mutants } = await new Instrumenter(logger).instrument(
  files.map((file) => ({ name: join(root, file), mutate: true, content: sources.get(file) })),
  { plugins: null, excludedMutations: [], ignorers: [], noHeader: true },
);

const equivalents = JSON.parse(readFileSync(join(here, 'equivalent-mutants.json'), 'utf8'));
// The instrumenter counts lines and columns from 0, the report (and findEntry) from 1.
const oneBased = ({ start, end }) => ({
  start: { line: start.line + 1, column: start.column + 1 },
  end: { line: end.line + 1, column: end.column + 1 },
});
const uses = new Map(equivalents.map((entry) => [entry, 0]));
const listed = mutants.filter((mutant) => {
  const file = files.find((f) => join(root, f) === mutant.fileName);
  const lines = sources.get(file).split('\n');
  mutant.file = file;
  const entry = findEntry(equivalents, file, lines, {
    ...mutant,
    location: oneBased(mutant.location),
  });
  if (entry !== undefined) uses.set(entry, uses.get(entry) + 1);
  return entry !== undefined;
});
if (check) {
  const wrong = [...uses].filter(
    ([entry, used]) =>
      files.some((file) => file.endsWith(entry.file)) && used !== (entry.count ?? 1),
  );
  for (const [entry, used] of wrong) {
    console.error(
      `matches ${used}, count ${entry.count ?? 1}: ${entry.file} ${entry.mutator} ${entry.original} -> ${entry.replacement}`,
    );
  }
  console.error(`${uses.size} entries, ${wrong.length} not matching the code`);
  process.exit(wrong.length === 0 ? 0 : 1);
}
const at = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const holds = (outer, inner) =>
  outer.fileName === inner.fileName &&
  at(outer.location.start, inner.location.start) &&
  at(inner.location.end, outer.location.end);

const ranges = new Set();
let holding = 0;
// Stryker's range: 1-based lines, 0-based columns.
const select = ({ file, location: { start, end } }) =>
  ranges.add(`${file}:${start.line + 1}:${start.column}-${end.line + 1}:${end.column}`);
for (const mutant of mutants) {
  if (listed.includes(mutant)) {
    if (rest) select(mutant);
    continue;
  }
  if (listed.some((e) => holds(mutant, e))) {
    holding++;
    if (rest) select(mutant);
    continue;
  }
  if (!rest) select(mutant);
}
console.error(
  `${mutants.length} mutants: ${listed.length} listed as equivalent, ${holding} holding a listed one (left out), ${mutants.length - listed.length - holding} selected${rest ? ' (printed: the other two groups)' : ''}`,
);
console.log([...ranges].join(','));
