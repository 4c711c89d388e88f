// Flat jest configuration for @service-jwt/core alone, used by Stryker (`pnpm mutation`).
// Stryker's per-test coverage analysis cannot see through the root `projects` configuration,
// so this repeats core's project from the root jest.config.ts: the same swc transform, export
// conditions, jose transform and `.js` mapping. Keep the two in step.
const { createRequire } = require('node:module');
const path = require('node:path');

// Stryker wraps the test environment and resolves a short name such as 'node' from the
// repository root, where pnpm does not put jest-environment-node: give it jest's own copy.
const fromJest = createRequire(require.resolve('jest'));
const fromConfig = createRequire(
  createRequire(fromJest.resolve('@jest/core')).resolve('jest-config'),
);
const nodeEnvironment = fromConfig.resolve('jest-environment-node');

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: nodeEnvironment,
  testEnvironmentOptions: { customExportConditions: ['source', 'node', 'require', 'default'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm|jose)/)', '/node_modules/\\.pnpm/(?!jose@)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 20_000,
  // Mutant runs load only the files holding their covering tests, fastest first, and stop at
  // the first failing file: see covering-files.cjs and bail-runner.cjs.
  runner: path.join(__dirname, 'bail-runner.cjs'),
  testSequencer: path.join(__dirname, 'covering-files.cjs'),
  setupFilesAfterEnv: [path.join(__dirname, 'record-tests.cjs')],
};
