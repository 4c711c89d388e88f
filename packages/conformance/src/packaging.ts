/// <reference types="jest" />
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What {@link packPackages} puts into a fresh consumer directory. */
export interface PackOptions {
  /**
   * Workspace package directories to build, `pnpm pack` and unpack into the consumer's
   * `node_modules`, dependencies first (core before the packages that use it).
   */
  readonly packages: readonly string[];
  /**
   * Packages linked from the workspace instead of packed (runtime dependencies such as `jose`,
   * framework peer dependencies): package name → a directory it resolves from.
   */
  readonly links?: Readonly<Record<string, string>>;
}

/** A throwaway consumer project holding packed packages. */
export interface PackedConsumer {
  readonly dir: string;
  /** The top-level file names of an installed package, e.g. `['dist', 'package.json']`. */
  installedFiles(name: string): string[];
  /** Runs `node` with `args` in the consumer directory; returns stdout, trimmed. */
  runNode(args: readonly string[]): string;
  /** Writes `source` to `file` in the consumer directory and runs it; returns stdout, trimmed. */
  runScript(file: string, source: string): string;
  remove(): void;
}

function packageName(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
}

function hasBuildScript(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return manifest.scripts?.build !== undefined;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Builds a package unless its `dist` is newer than every source file. Jest runs packaging
 * tests in parallel workers and several of them build core: a lock directory serialises the
 * builds so no worker packs a `dist` another one is half-way through writing.
 */
function buildIfStale(packageDir: string): void {
  if (!hasBuildScript(packageDir)) return;
  const lock = join(packageDir, '.build-lock');
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw err;
      // A lock left behind by a killed run is older than any real build.
      const lockedAt = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > 300_000) {
        rmSync(lock, { recursive: true, force: true });
      }
      Atomics.wait(sleeper, 0, 0, 100);
    }
  }
  try {
    const output = join(packageDir, 'dist', 'index.js');
    const fresh =
      existsSync(output) && statSync(output).mtimeMs >= newestSource(join(packageDir, 'src'));
    if (!fresh) execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds and packs workspace packages the way they are published (publishConfig exports
 * pointing at `dist`, only the `files` list), unpacks them into the `node_modules` of a new
 * temporary directory and links the given dependencies from the workspace.
 */
export function packPackages(options: PackOptions): PackedConsumer {
  const dir = mkdtempSync(join(tmpdir(), 'service-jwt-consumer-'));
  const modules = join(dir, 'node_modules');
  try {
    for (const packageDir of options.packages) {
      buildIfStale(packageDir);
      const name = packageName(packageDir);
      const before = new Set(readdirSync(dir));
      execFileSync('pnpm', ['pack', '--pack-destination', dir], { cwd: packageDir, stdio: 'pipe' });
      const tarball = readdirSync(dir).find((file) => file.endsWith('.tgz') && !before.has(file));
      if (tarball === undefined) throw new Error(`pnpm pack produced no tarball for ${name}`);
      const installed = join(modules, ...name.split('/'));
      mkdirSync(installed, { recursive: true });
      execFileSync('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components=1']);
    }
    for (const [name, from] of Object.entries(options.links ?? {})) {
      const manifest = realpathSync(require.resolve(`${name}/package.json`, { paths: [from] }));
      const target = join(modules, ...name.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(dirname(manifest), target, 'dir');
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  function runNode(args: readonly string[]): string {
    return execFileSync(process.execPath, args, {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 20_000,
    }).trim();
  }

  return {
    dir,
    installedFiles: (name) => readdirSync(join(modules, ...name.split('/'))),
    runNode,
    runScript(file, source) {
      writeFileSync(join(dir, file), source);
      return runNode(['--no-warnings', file]);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Asserts what an installed package ships: exactly `dist`, `src`, `README.md`, `LICENSE` and
 * the manifest (no tests), every `.js` and `.d.ts` in `dist` with its map, and every map
 * pointing only at shipped sources (stack traces and go-to-definition land on real files).
 */
export function expectPublishedFiles(consumer: PackedConsumer, name: string): void {
  const installed = join(consumer.dir, 'node_modules', ...name.split('/'));
  expect(consumer.installedFiles(name).sort()).toEqual([
    'LICENSE',
    'README.md',
    'dist',
    'package.json',
    'src',
  ]);
  const dist = filesUnder(join(installed, 'dist'));
  const maps = dist.filter((file) => file.endsWith('.map'));
  const outputs = dist.filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'));
  expect(outputs.filter((file) => !existsSync(`${file}.map`))).toEqual([]);
  const missing = maps.flatMap((map) => {
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
    return sources.map((source) => join(dirname(map), source)).filter((path) => !existsSync(path));
  });
  expect(maps.length).toBeGreaterThan(0);
  expect(missing).toEqual([]);
}

/** One module a consumer script imports: named bindings, a default binding, or both. */
export interface ConsumerImport {
  readonly from: string;
  readonly names?: readonly string[];
  /** The local name of the default export (`require()` result in CommonJS). */
  readonly default?: string;
}

/** What {@link describePackaging} checks for one published package. */
export interface PackagingSpec extends PackOptions {
  /** The package under test (its tarball is checked by {@link expectPublishedFiles}). */
  readonly name: string;
  /** Modules the script imports, written as `import` in ESM and `require()` in CommonJS. */
  readonly imports: readonly ConsumerImport[];
  /** The script after the imports; it prints one line to stdout. */
  readonly script: string;
  /** That line, the same from both module systems. */
  readonly expected: string;
}

function esmImports(imports: readonly ConsumerImport[]): string {
  return imports
    .map(({ from, names = [], default: def }) => {
      const bindings = [def, names.length > 0 ? `{ ${names.join(', ')} }` : undefined];
      return `import ${bindings.filter((b) => b !== undefined).join(', ')} from '${from}';`;
    })
    .join('\n');
}

function cjsImports(imports: readonly ConsumerImport[]): string {
  return imports
    .flatMap(({ from, names = [], default: def }) => [
      ...(def === undefined ? [] : [`const ${def} = require('${from}');`]),
      ...(names.length === 0 ? [] : [`const { ${names.join(', ')} } = require('${from}');`]),
    ])
    .join('\n');
}

/**
 * The packaging test of one package: packs it (and `packages` before it), then checks what the
 * tarball ships ({@link expectPublishedFiles}) and that `script` prints `expected` both when
 * imported from an ES module and when `require()`d from CommonJS (Node >= 20.19). Call it at
 * the top level of a test file.
 */
export function describePackaging(spec: PackagingSpec): void {
  let consumer: PackedConsumer | undefined;
  const packed = (): PackedConsumer => {
    if (consumer === undefined) throw new Error('packing failed in beforeAll');
    return consumer;
  };

  beforeAll(() => {
    consumer = packPackages(spec);
  }, 180_000);

  afterAll(() => consumer?.remove());

  it('ships dist, the sources its maps point at, README, LICENSE and the manifest', () => {
    expectPublishedFiles(packed(), spec.name);
  });

  it('works imported from an ES module', () => {
    const source = `${esmImports(spec.imports)}\n${spec.script}`;
    expect(packed().runScript('consumer.mjs', source)).toBe(spec.expected);
  });

  it('works require()d from CommonJS', () => {
    const source = `${cjsImports(spec.imports)}\n${spec.script}`;
    expect(packed().runScript('consumer.cjs', source)).toBe(spec.expected);
  });
}
