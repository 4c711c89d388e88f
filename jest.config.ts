/** @jest-config-loader esbuild-register */
import { existsSync, readdirSync } from 'node:fs';
import type { Config } from 'jest';

// One jest project per workspace package (and example) that has a test folder. Sources are
// transformed by swc (type checking is `pnpm typecheck`'s job); jose ships ESM only, so it is
// transformed too. Workspace packages resolve to their `src` through the `source` condition.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

function project(dir: string): NonNullable<Config['projects']>[number] {
  return {
    displayName: dir,
    rootDir: `<rootDir>/${dir}`,
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['source', 'node', 'require', 'default'] },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: { '^.+\\.(t|j|mj)s$': swc },
    transformIgnorePatterns: [
      '/node_modules/(?!(\\.pnpm|jose)/)',
      '/node_modules/\\.pnpm/(?!jose@)',
    ],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  };
}

function projectsIn(folder: string): Config['projects'] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${folder}/${entry.name}/test`))
    .map((entry) => project(`${folder}/${entry.name}`));
}

const config: Config = {
  rootDir: '.',
  projects: [
    ...(projectsIn('packages') ?? []),
    ...(projectsIn('examples') ?? []),
    // The `pnpm demo` scenario runner (a workspace package outside packages/ and examples/).
    ...(existsSync('demo/test') ? [project('demo')] : []),
    // Repository-wide checks of what is published (package metadata, README links).
    ...(existsSync('scripts/test') ? [project('scripts')] : []),
  ],
  testTimeout: 20_000,
};

export default config;
