// Runs the whole jest suite and ends with one line of totals, `N passed, M failed`, which CI
// reads. Extra arguments go to jest (e.g. `pnpm test packages/core`).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const results = '.jest-results.json';
rmSync(results, { force: true });
const run = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    'node_modules/jest/bin/jest.js',
    '--json',
    `--outputFile=${results}`,
    ...(process.env.CI ? ['--ci'] : []),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
try {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  passed = summary.numPassedTests;
  failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
} catch {
  failed = 1;
}
const totals = `${passed} passed, ${failed} failed`;
writeFileSync('.jest-totals', `${totals}\n`);
console.log(`\n${totals}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
