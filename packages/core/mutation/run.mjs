// `pnpm mutation [stryker options]`: runs Stryker on core's security-critical files, then
// scores its JSON report against the equivalent-mutant list (score.mjs). Extra arguments go to
// Stryker, e.g. `pnpm mutation --incremental` or `pnpm mutation --mutate packages/core/src/jws/strict-json.ts`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status;

const stryker = run([
  join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'),
  'run',
  join(here, 'stryker.config.mjs'),
  ...process.argv.slice(2),
]);
if (stryker !== 0) process.exit(stryker ?? 1);
process.exit(run([join(here, 'score.mjs'), '--survivors']) ?? 1);
