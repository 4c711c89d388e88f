// StrykerJS configuration for the security-critical, hand-written part of @service-jwt/core.
// Run from the repository root with `pnpm mutation` (see README.md beside this file).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  testRunner: 'jest',
  // Stryker looks for plugins beside its own package, which pnpm's layout hides: name it.
  plugins: [import.meta.resolve('@stryker-mutator/jest-runner')],
  jest: {
    projectType: 'custom',
    configFile: 'packages/core/mutation/jest.config.cjs',
    // The initial run takes every core test (about 15 s), not jest's guess at the related ones:
    // per-test coverage then picks, for each mutant, the tests that really reach it.
    enableFindRelatedTests: false,
  },
  // Each mutant runs only the tests that cover it: hours on two cores become about half an hour.
  coverageAnalysis: 'perTest',
  // pnpm's symlinked node_modules does not survive a copy into a sandbox: mutate in place
  // (Stryker restores the files when it ends; check `git status` after an interrupted run).
  inPlace: true,
  // The machine has two cores and is shared.
  concurrency: 1,
  mutate: [
    'packages/core/src/verify/claims.ts',
    'packages/core/src/verify/extract-token.ts',
    'packages/core/src/jws/token-syntax.ts',
    'packages/core/src/jws/strict-json.ts',
    'packages/core/src/jws/signature.ts',
    'packages/core/src/verify/claim-rules.ts',
    'packages/core/src/verify/request-binding.ts',
    // The htu target (path and query of the request and of the claim), moved out of
    // request-binding.ts in the rebuild so that the signer shares it.
    'packages/core/src/verify/request-target.ts',
    'packages/core/src/verify/body-hash.ts',
    'packages/core/src/keys/rsa-checks.ts',
  ],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'packages/core/mutation/reports/mutation.json' },
  htmlReporter: { fileName: 'packages/core/mutation/reports/mutation.html' },
  incrementalFile: 'packages/core/mutation/reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  timeoutMS: 10000,
};
