// jest's in-band runner, stopping a mutant run at the first test file with a failing test.
//
// Stryker only needs one failing test to call a mutant killed, and its other runners stop
// there; its jest runner cannot (jest's `bail` exits the process), so every covering test
// file would run to the end. The remaining files are simply not run: their tests are missing
// from the results, which is what a bail means. Runs without an active mutant (Stryker's
// initial run, a plain jest run) are untouched.
const { createRequire } = require('node:module');

const fromJest = createRequire(require.resolve('jest'));
const fromCore = createRequire(fromJest.resolve('@jest/core'));
const TestRunner = fromCore('jest-runner').default;

class BailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined || !options.serial) {
      return super.runTests(tests, watcher, options);
    }
    let failed = false;
    const offSuccess = this.on('test-file-success', ([, result]) => {
      if (result.numFailingTests > 0 || result.testExecError !== undefined) failed = true;
    });
    const offFailure = this.on('test-file-failure', () => {
      failed = true;
    });
    try {
      for (const test of tests) {
        if (failed) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      offSuccess();
      offFailure();
    }
  }
}

module.exports = BailRunner;
