import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// Proves the published shape: the package as `pnpm pack` makes it (publishConfig exports
// pointing at dist) can be imported from ESM and require()d from CommonJS on Node >= 20.19.
const packageDir = resolve(__dirname, '..');
let consumer: string;

beforeAll(() => {
  execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe' });
  consumer = mkdtempSync(join(tmpdir(), 'service-jwt-consumer-'));
  execFileSync('pnpm', ['pack', '--pack-destination', consumer], {
    cwd: packageDir,
    stdio: 'pipe',
  });
  const tarball = readdirSync(consumer).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('pnpm pack produced no tarball');
  const installed = join(consumer, 'node_modules', '@service-jwt', 'core');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(consumer, tarball), '-C', installed, '--strip-components=1']);
  // The one runtime dependency, linked from the workspace store.
  const jose = dirname(
    dirname(dirname(realpathSync(require.resolve('jose', { paths: [packageDir] })))),
  );
  symlinkSync(jose, join(consumer, 'node_modules', 'jose'), 'dir');
}, 120_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', stdio: 'pipe' });
}

it('ships only dist and the manifest', () => {
  const files = readdirSync(join(consumer, 'node_modules', '@service-jwt', 'core'));
  expect(files).toEqual(expect.arrayContaining(['dist', 'package.json']));
  expect(files).not.toContain('src');
  expect(files).not.toContain('test');
});

it('can be imported from an ES module', () => {
  const out = runNode([
    '--input-type=module',
    '-e',
    "import { ServiceJwtError } from '@service-jwt/core'; console.log(new ServiceJwtError('token_missing', 'x').status);",
  ]);
  expect(out.trim()).toBe('401');
});

it('can be required from CommonJS', () => {
  const out = runNode([
    '--no-warnings',
    '--input-type=commonjs',
    '-e',
    "const { ServiceJwtError } = require('@service-jwt/core'); console.log(new ServiceJwtError('token_expired', 'x').status);",
  ]);
  expect(out.trim()).toBe('401');
});
