// The new user's first day, repeatable: `node scripts/pack-trial.mjs [--keep]`. Not part of
// the test suite or CI (it installs from the npm registry and takes minutes).
//
// Builds, packs every published package with `pnpm pack`, installs the tarballs with npm into
// a fresh app in the system temp folder (outside the repository, so nothing resolves to the
// workspace), then:
// - an ES module app follows the READMEs' first examples (CLI keygen/jwks/sign, createSigner
//   on the keygen output, each adapter's quick start over HTTP, the test kit) and prints what
//   the user sees at each former stumbling point (scripts/pack-trial/first-day.mjs);
// - a CommonJS app require()s every package and signs and verifies a token;
// - TypeScript apps type-check and run one file against every package under each module
//   resolution (node16, nodenext and node10 from CommonJS and ESM, bundler), with the
//   TypeScript the repository uses and with the newest one on npm.
// Prints every step's output; exits non-zero when a step that should work fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages, REPOSITORY_URL } from './published-packages.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const sources = join(root, 'scripts/pack-trial');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'service-jwt-pack-trial-'));
const app = join(work, 'app');
let failures = 0;

// A type error inside another project's declarations (a third-party @types package out of
// step with its dependency) is shown but not counted: this trial judges our packages.
function onlyThirdPartyErrors(output) {
  const errors = output.split('\n').filter((line) => /^\S+\(\d+,\d+\): error /.test(line));
  return (
    errors.length > 0 &&
    errors.every(
      (line) => line.includes('node_modules/') && !line.includes('node_modules/@service-jwt/'),
    )
  );
}

function run(label, command, args, cwd, { mayFail = false } = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  const ok = result.status === 0 || onlyThirdPartyErrors(output);
  if (!ok && !mayFail) failures += 1;
  console.log(`\n## ${label}: ${ok ? 'ok' : mayFail ? 'fails (as documented)' : 'FAILED'}`);
  if (output) console.log(output);
  return ok;
}
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

try {
  execFileSync('pnpm', ['-s', 'build'], { cwd: root, stdio: 'inherit' });
  const tarballs = join(work, 'tarballs');
  const dependencies = {};
  for (const pkg of publishedPackages(root)) {
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: pkg.dir,
      stdio: 'ignore',
    });
  }
  for (const file of readdirSync(tarballs)) {
    const name = `@service-jwt/${file.replace(/^service-jwt-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`;
    dependencies[name] = `file:${join(tarballs, file)}`;
  }

  mkdirSync(app);
  writeJson(join(app, 'package.json'), {
    name: 'first-day',
    private: true,
    dependencies: {
      ...dependencies,
      express: '^5.0.0',
      koa: '^3.0.0',
      fastify: '^5.0.0',
      '@opentelemetry/api': '^1.9.0',
      typescript: '~5.9.0',
      'typescript-latest': 'npm:typescript@latest',
      '@types/node': '^20.19.0',
      '@types/express': '^5.0.0',
      '@types/koa': '^3.0.0',
    },
    // The packages depend on each other by version; these names must come from the tarballs,
    // never from the registry.
    overrides: dependencies,
  });
  run('npm install of the tarballs', 'npm', ['install', '--no-audit', '--no-fund'], app);
  const installed = JSON.parse(
    execFileSync('npm', ['ls', '--all', '--json', '@service-jwt/core'], {
      cwd: app,
      encoding: 'utf8',
    }),
  );
  const core = installed.dependencies['@service-jwt/core'];
  if (!core.resolved.startsWith('file:')) throw new Error(`core came from ${core.resolved}`);
  console.log(`\n@service-jwt/core installed from ${core.resolved} (${REPOSITORY_URL})`);

  for (const [dir, type, file] of [
    ['esm', 'module', 'first-day.mjs'],
    ['cjs', 'commonjs', 'first-day.cjs'],
  ]) {
    mkdirSync(join(app, dir));
    writeJson(join(app, dir, 'package.json'), { type });
    copyFileSync(join(sources, file), join(app, dir, file));
    run(`${type} app (${file})`, process.execPath, ['--enable-source-maps', file], join(app, dir));
  }

  const variants = [
    // [name, package type, module, moduleResolution, expected to fail]
    ['esm-node16', 'module', 'node16', 'node16'],
    ['esm-nodenext', 'module', 'nodenext', 'nodenext'],
    ['esm-bundler', 'module', 'esnext', 'bundler'],
    ['cjs-nodenext', 'commonjs', 'nodenext', 'nodenext'],
    ['cjs-node16', 'commonjs', 'node16', 'node16', true],
    ['cjs-node10', 'commonjs', 'commonjs', 'node10'],
  ];
  for (const [compiler, tscPath] of [
    ['typescript 5.9', 'node_modules/typescript/bin/tsc'],
    ['typescript latest', 'node_modules/typescript-latest/bin/tsc'],
  ]) {
    for (const [name, type, module, moduleResolution, mayFail] of variants) {
      const dir = join(app, `ts-${name}-${compiler.split(' ')[1]}`);
      mkdirSync(dir);
      writeJson(join(dir, 'package.json'), { type });
      copyFileSync(join(sources, 'types.mts'), join(dir, 'index.ts'));
      writeJson(join(dir, 'tsconfig.json'), {
        compilerOptions: {
          target: 'es2022',
          module,
          moduleResolution,
          strict: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        include: ['index.ts'],
      });
      const label = `${compiler}, ${name} (module ${module}, moduleResolution ${moduleResolution})`;
      const compiled = run(
        `${label}: tsc`,
        process.execPath,
        [join(app, tscPath), '-p', dir],
        dir,
        {
          mayFail: mayFail || (name === 'cjs-node10' && compiler !== 'typescript 5.9'),
        },
      );
      if (compiled) run(`${label}: node out/index.js`, process.execPath, ['out/index.js'], dir);
    }
  }

  // Observed, not counted: do the types refuse an issuer with both jwksUri and publicKey?
  const probe = join(app, 'ts-probe');
  mkdirSync(probe);
  writeJson(join(probe, 'package.json'), { type: 'module' });
  writeFileSync(
    join(probe, 'index.ts'),
    [
      "import { createVerifier } from '@service-jwt/core';",
      'createVerifier({',
      '  // @ts-expect-error jwksUri and publicKey exclude each other',
      "  issuers: { 'https://a.test': { jwksUri: 'https://a.test/jwks', publicKey: '{}' } },",
      "  audience: 'https://b.test',",
      '});',
      '',
    ].join('\n'),
  );
  run(
    'observation: the types refuse { jwksUri, publicKey } on one issuer',
    process.execPath,
    [
      join(app, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--types',
      'node',
      '--skipLibCheck',
      'index.ts',
    ],
    probe,
    { mayFail: true },
  );
} finally {
  if (keep) console.log(`\nkept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(
  failures === 0 ? '\npack trial: every step worked' : `\npack trial: ${failures} step(s) failed`,
);
process.exit(failures === 0 ? 0 : 1);
