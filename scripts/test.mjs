// Runs the whole jest suite and ends with one line of totals, `N passed, M failed`, which CI
// reads. Extra arguments go to jest (e.g. `pnpm test packages/core`).
//
// Jest runs in band on this two-core machine, so a handle a test leaves open (a socket no one
// destroys) keeps it alive after the run: seen once in CI, never reproduced on its own. The
// results file is written when the run ends; if jest has not exited GRACE_MS after that, it is
// stopped and the leak is reported, so CI can never hang on it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const results = '.jest-results.json';
const GRACE_MS = 30_000;
rmSync(results, { force: true });
const child = spawn(
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

let stoppedAfterRun = false;
const watch = setInterval(() => {
  if (!existsSync(results)) return;
  clearInterval(watch);
  setTimeout(() => {
    stoppedAfterRun = true;
    console.error(
      `\njest had not exited ${GRACE_MS / 1000} s after the run ended: a test left a handle open ` +
        '(find it with --detectOpenHandles). Stopping it; the totals below are the run’s.',
    );
    child.kill('SIGKILL');
  }, GRACE_MS).unref();
}, 1_000);

const status = await new Promise((resolve) => {
  child.on('exit', (code) => resolve(code));
});
clearInterval(watch);

let passed = 0;
let failed = 0;
let success = false;
try {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  passed = summary.numPassedTests;
  failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
  success = summary.success === true;
} catch {
  failed = 1;
}
const totals = `${passed} passed, ${failed} failed`;
writeFileSync('.jest-totals', `${totals}\n`);
console.log(`\n${totals}`);
const ok = failed === 0 && (status === 0 || (stoppedAfterRun && success));
process.exit(ok ? 0 : 1);
