// Makes each mutant's jest run load only the test files that hold the tests covering it.
//
// Stryker's jest runner narrows a mutant run to its covering tests by name alone
// (`testNamePattern`): jest still loads every test file, generating its keys and building
// its fixtures, to skip all but a few tests. Over the 40 core test files that costs about
// 10 s per mutant, hours in all. The initial (dry) run records which file holds each test
// (`record-tests.cjs`, a setup file); this sequencer then drops, from every run that has a
// name pattern, the files with no test the pattern matches. Those files would have run no
// test at all, so the results are the same. A run without a pattern (a static mutant) keeps
// every file; a run without an active mutant (Stryker's initial run, a plain jest run) also
// starts a fresh index. Files are ordered fastest first, since bail-runner.cjs stops at the first failure.
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { INDEX } = require('./record-tests.cjs');

class CoveringFilesSequencer {
  constructor({ globalConfig }) {
    this.pattern = globalConfig.testNamePattern;
  }

  sort(tests) {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
      rmSync(INDEX, { force: true });
      return tests;
    }
    if (!existsSync(INDEX)) return tests;
    // jest-circus matches the pattern the same way: case-insensitive, against the full name.
    const pattern = this.pattern ? new RegExp(this.pattern, 'i') : null;
    const keep = new Map();
    for (const line of readFileSync(INDEX, 'utf8').split('\n')) {
      if (line === '') continue;
      const { file, ms, names } = JSON.parse(line);
      if (pattern === null || names.some((name) => pattern.test(name))) keep.set(file, ms);
    }
    // Fastest files first: bail-runner.cjs stops at the first failure. Without a pattern (a
    // static mutant runs every test) files missing from the index keep their place at the end.
    const time = (test) => keep.get(test.path) ?? Number.POSITIVE_INFINITY;
    const chosen = tests
      .filter((test) => pattern === null || keep.has(test.path))
      .sort((a, b) => time(a) - time(b));
    return chosen.length > 0 ? chosen : tests;
  }

  cacheResults() {}

  allFailedTests(tests) {
    return tests;
  }

  shard(tests) {
    return tests;
  }
}

module.exports = CoveringFilesSequencer;
