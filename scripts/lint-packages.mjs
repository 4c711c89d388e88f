// `pnpm lint:packages`: the ecosystem's packaging linters on what npm would receive. Each
// published package is packed with `pnpm pack` (so publishConfig applies and workspace:
// versions are replaced, as on publish), then the tarball goes through publint (warnings are
// errors) and Are the Types Wrong (`attw`). Needs `pnpm build` first. Exits non-zero on any finding.
//
// One attw rule is ignored, cjs-resolves-to-esm: the packages are ESM only and need Node
// >= 20.19, where require() of an ES module works without a flag, and TypeScript accepts it
// from CommonJS under `module: nodenext`/`node20` (TypeScript >= 5.8). CONTRIBUTING.md says
// more. attw does not look for DefinitelyTyped packages: ours ship their own types, and this
// check needs no registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages } from './published-packages.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = (name) => join(root, 'node_modules/.bin', name);
const IGNORED_ATTW_RULES = ['cjs-resolves-to-esm'];

const out = mkdtempSync(join(tmpdir(), 'service-jwt-lint-packages-'));
const failed = [];
try {
  for (const pkg of publishedPackages(root)) {
    const dest = join(out, pkg.name.replace(/[@/]/g, '_'));
    execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: pkg.dir, stdio: 'ignore' });
    const [tarball] = readdirSync(dest).map((file) => join(dest, file));
    const checks = [
      [bin('publint'), ['run', tarball, '--strict']],
      [
        bin('attw'),
        [
          tarball,
          '--ignore-rules',
          ...IGNORED_ATTW_RULES,
          '--no-definitely-typed',
          '--format',
          'table-flipped',
        ],
      ],
    ];
    for (const [command, args] of checks) {
      const run = spawnSync(command, args, { encoding: 'utf8' });
      if (run.status !== 0) {
        failed.push(`${pkg.name}: ${command.split('/').pop()}`);
        process.stdout.write(
          `\n--- ${pkg.name}: ${command.split('/').pop()}\n${run.stdout}${run.stderr}`,
        );
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\npackaging lint failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('packaging lint ok: publint and attw pass for every published package');
