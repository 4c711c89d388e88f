import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// Proves the published shape: @service-jwt/koa and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist), with Koa as the peer, serve a real request from an ES module and
// from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');
let consumer: string;

function packInto(dir: string, name: string): void {
  const before = new Set(readdirSync(consumer));
  execFileSync('pnpm', ['pack', '--pack-destination', consumer], { cwd: dir, stdio: 'pipe' });
  const tarball = readdirSync(consumer).find((file) => file.endsWith('.tgz') && !before.has(file));
  if (tarball === undefined) throw new Error(`pnpm pack produced no tarball for ${name}`);
  const installed = join(consumer, 'node_modules', ...name.split('/'));
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(consumer, tarball), '-C', installed, '--strip-components=1']);
}

function linkFromWorkspace(name: string, from: string): void {
  const entry = realpathSync(require.resolve(`${name}/package.json`, { paths: [from] }));
  symlinkSync(dirname(entry), join(consumer, 'node_modules', name), 'dir');
}

beforeAll(() => {
  execFileSync('pnpm', ['run', 'build'], { cwd: coreDir, stdio: 'pipe' });
  execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe' });
  consumer = mkdtempSync(join(tmpdir(), 'service-jwt-koa-consumer-'));
  packInto(coreDir, '@service-jwt/core');
  packInto(packageDir, '@service-jwt/koa');
  linkFromWorkspace('jose', coreDir);
  linkFromWorkspace('koa', packageDir);
}, 120_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

// Boots a Koa app guarded by the packed middleware on loopback and prints the answer to a
// request without a token.
const APP = `
const server = new Koa()
  .use(requireServiceJwt({
    issuers: { 'https://herald.test/': { publicKey: generateKeyPairSync('ed25519').publicKey } },
    audience: 'https://census.test/',
  }))
  .listen(0, '127.0.0.1', async () => {
    const response = await fetch('http://127.0.0.1:' + server.address().port + '/');
    console.log(response.status, response.headers.get('www-authenticate'));
    server.close();
  });
`;

function run(file: string, source: string): string {
  writeFileSync(join(consumer, file), source);
  return execFileSync(process.execPath, ['--no-warnings', file], {
    cwd: consumer,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 20_000,
  }).trim();
}

it('ships only dist and the manifest', () => {
  const files = readdirSync(join(consumer, 'node_modules', '@service-jwt', 'koa'));
  expect(files).toEqual(expect.arrayContaining(['dist', 'package.json']));
  expect(files).not.toContain('src');
  expect(files).not.toContain('test');
});

it('guards a Koa app from an ES module', () => {
  const out = run(
    'app.mjs',
    `import { generateKeyPairSync } from 'node:crypto';
import Koa from 'koa';
import { requireServiceJwt } from '@service-jwt/koa';
${APP}`,
  );
  expect(out).toBe('401 Bearer realm="service-jwt"');
});

it('guards a Koa app from CommonJS', () => {
  const out = run(
    'app.cjs',
    `const { generateKeyPairSync } = require('node:crypto');
const Koa = require('koa');
const { requireServiceJwt } = require('@service-jwt/koa');
${APP}`,
  );
  expect(out).toBe('401 Bearer realm="service-jwt"');
});
