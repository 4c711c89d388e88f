// Setup file of the mutation jest config: outside a mutant run, appends one line per test file
// to the index that covering-files.cjs reads: the file, how long it took, and jest's full
// test names.
const { appendFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const INDEX = path.join(__dirname, 'reports', 'test-files.ndjson');
module.exports = { INDEX };

if (typeof beforeEach === 'function' && process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
  const started = Date.now();
  const names = [];
  beforeEach(() => {
    names.push(expect.getState().currentTestName);
  });
  afterAll(() => {
    mkdirSync(path.dirname(INDEX), { recursive: true });
    appendFileSync(
      INDEX,
      `${JSON.stringify({ file: expect.getState().testPath, ms: Date.now() - started, names })}\n`,
    );
  });
}
