// Reads Stryker's JSON report, takes the listed equivalent mutants out of the score and prints,
// per mutated file, the raw score, the equivalents excluded and the adjusted score. Exits 1
// when a file is below the threshold or the equivalent list no longer fits the report (an
// entry that matches no mutant, several mutants, or a mutant that a test now kills).
//
//   node packages/core/mutation/score.mjs [--report FILE]... [--equivalents FILE] [--survivors] [--render]
//
// --report may be given several times (runs side by side, or a re-run of some lines): their
// files are scored together, as one report;
// --survivors lists every surviving or uncovered mutant that is not on the list;
// --render rewrites equivalent-mutants.md from equivalent-mutants.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findEntry, snippet, squash } from './equivalents.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const THRESHOLD = 90;
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const reportFiles = args.flatMap((arg, at) => (arg === '--report' ? [args[at + 1]] : []));
if (reportFiles.length === 0) reportFiles.push(join(here, 'reports/mutation.json'));
const listFile = option('--equivalents') ?? join(here, 'equivalent-mutants.json');

const equivalents = JSON.parse(readFileSync(listFile, 'utf8'));

if (args.includes('--render')) {
  const cell = (text) => `\`${squash(text).replaceAll('|', '\\|')}\``;
  const rows = equivalents.map(
    (e) =>
      `| ${e.file} | ${e.mutator} | ${cell(e.original)} | ${cell(e.replacement)}${
        e.within ? ` in ${cell(e.within)}` : ''
      }${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''} | ${e.reason} |`,
  );
  const md = [
    '# Equivalent mutants',
    '',
    'Generated from `equivalent-mutants.json` by `node packages/core/mutation/score.mjs --render`;',
    'edit the JSON. Each row is a surviving mutant that cannot change behaviour, excluded from the',
    'adjusted score. See README.md for how entries are matched.',
    '',
    '| file | mutator | original | replacement | why it is equivalent |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(join(here, 'equivalent-mutants.md'), md);
  console.log(`equivalent-mutants.md: ${equivalents.length} entries`);
  process.exit(0);
}

// Reports of the same file merge mutant by mutant; for a mutant that several hold, the last
// report given wins (a re-run of some lines after new tests). The source must be the same.
const report = { files: {} };
const key = ({ location: { start, end }, mutatorName, replacement }) =>
  `${start.line}:${start.column}-${end.line}:${end.column} ${mutatorName} ${replacement}`;
for (const reportFile of reportFiles) {
  for (const [path, file] of Object.entries(JSON.parse(readFileSync(reportFile, 'utf8')).files)) {
    const before = report.files[path];
    if (before !== undefined && before.source !== file.source) {
      console.error(`${reportFile}: ${path} differs from the same file in an earlier report`);
      process.exit(1);
    }
    const mutants = new Map((before?.mutants ?? []).map((mutant) => [key(mutant), mutant]));
    for (const mutant of file.mutants) mutants.set(key(mutant), mutant);
    report.files[path] = { ...file, mutants: [...mutants.values()] };
  }
}

const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const problems = [];
const rows = [];
const leftover = [];
const uses = new Map(equivalents.map((e) => [e, 0]));

for (const [path, file] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = file.source.split('\n');
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, equivalent: 0, Ignored: 0 };
  for (const mutant of file.mutants) {
    const original = squash(snippet(lines, mutant.location));
    const replacement = squash(mutant.replacement ?? '');
    const entry = findEntry(equivalents, path, lines, mutant);
    if (entry !== undefined) {
      uses.set(entry, uses.get(entry) + 1);
      // A listed mutant that timed out is an artefact of a loaded machine (runs slower than
      // the timeout), not a detection: it stays excluded. One that a test kills is not
      // equivalent, and the list is wrong.
      if (mutant.status === 'Killed') {
        problems.push(
          `${path}:${mutant.location.start.line} listed as equivalent but ${mutant.status}: ${entry.mutator} ${entry.original} -> ${entry.replacement}`,
        );
      }
    }
    // Ignored (static mutants under --ignoreStatic) are counted apart; CompileError,
    // RuntimeError and Pending not at all.
    if (mutant.status === 'Ignored') count.Ignored++;
    if (!(mutant.status in count) || mutant.status === 'Ignored') continue;
    if (entry !== undefined && mutant.status !== 'Killed') count.equivalent++;
    else count[mutant.status]++;
    if (entry === undefined && UNDETECTED.has(mutant.status)) {
      leftover.push(
        `${path}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.status} ${mutant.mutatorName}: ${original} -> ${replacement}`,
      );
    }
  }
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  const raw = valid + count.equivalent === 0 ? 100 : (100 * detected) / (valid + count.equivalent);
  const adjusted = valid === 0 ? 100 : (100 * detected) / valid;
  if (adjusted < THRESHOLD)
    problems.push(`${path}: adjusted score ${adjusted.toFixed(2)} % < ${THRESHOLD} %`);
  rows.push([
    path.replace(/^packages\/core\/src\//, ''),
    count.Killed,
    count.Timeout,
    count.Survived,
    count.NoCoverage,
    raw.toFixed(2),
    count.equivalent,
    adjusted.toFixed(2),
    count.Ignored,
  ]);
}

for (const [entry, used] of uses) {
  const want = entry.count ?? 1;
  if (used !== want) {
    problems.push(
      `equivalent entry matched ${used} mutant(s), expected ${want}: ${entry.file} ${entry.mutator} ${entry.original} -> ${entry.replacement}`,
    );
  }
}

const header = [
  'file',
  'killed',
  'timeout',
  'survived',
  'no cov',
  'raw %',
  'equiv',
  'adjusted %',
  'ignored',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) =>
  `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
console.log(line(header));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const row of rows) console.log(line(row));

if (args.includes('--survivors') && leftover.length > 0) {
  console.log(`\n${leftover.length} undetected mutant(s) not on the equivalent list:`);
  for (const text of leftover) console.log(`  ${text}`);
}
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):`);
  for (const text of problems) console.error(`  ${text}`);
  process.exit(1);
}
console.log(`\nEvery file at or above ${THRESHOLD} % adjusted.`);
